package io.ringkv.benchmarks.faults;

import java.util.List;
import java.util.Objects;

/**
 * One client operation of a run's history, as the client saw it.
 *
 * @param id unique in the run; written values carry it ({@link #valueOf(long)}), so a value read names its write
 * @param client the client thread that ran it
 * @param node the node (1-based) the client sent it to
 * @param type what it was
 * @param key the key
 * @param value the value written ({@link Type#WRITE}, {@link Type#SETV}), or null
 * @param observed for {@link Type#READ}: the values read (empty when absent); for {@link Type#SETV}: the sibling
 *     values of the GETV whose context the write carried, the values it supersedes; otherwise empty
 * @param consistency ONE, QUORUM or ALL
 * @param startNanos monotonic time the request was sent
 * @param endNanos monotonic time the reply (or the failure) arrived
 * @param outcome what the reply says about the operation's effect
 * @param error the error text of a failed or indeterminate operation, or null
 */
public record Op(long id, int client, int node, Type type, String key, String value, List<String> observed,
                 String consistency, long startNanos, long endNanos, Outcome outcome, String error) {
    /** What an operation was. */
    public enum Type {
        /** SET of a key with a value (the front door reads first and supersedes what it saw). */
        WRITE,
        /** GET or GETV; {@code observed} holds what it returned. */
        READ,
        /** SETV with the causal context of an earlier GETV. */
        SETV,
        /** DEL. */
        DELETE
    }

    /** What a reply says about an operation's effect. */
    public enum Outcome {
        /** acknowledged: a write took effect, a read returned */
        OK,
        /** refused before it could take effect (UNAVAILABLE, bad request) */
        FAIL,
        /** unknown: a timeout, a lost connection; a write may or may not have taken effect */
        INDETERMINATE
    }

    /** Checks the fields that the checker relies on. */
    public Op {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(outcome, "outcome");
        observed = observed == null ? List.of() : List.copyOf(observed);
    }

    /** @return the value written by the operation with this id */
    public static String valueOf(long id) {
        return "v" + id;
    }

    /** @return true for an acknowledged operation */
    public boolean ok() {
        return outcome == Outcome.OK;
    }

    /** @return true for a write that may have taken effect: acknowledged or indeterminate */
    public boolean mayHaveTakenEffect() {
        return type != Type.READ && outcome != Outcome.FAIL;
    }

    /** @return true when this operation finished before {@code other} started (real-time order) */
    public boolean precedes(Op other) {
        return endNanos < other.startNanos;
    }

    /** @return one line for a report */
    public String describe(long runStartNanos) {
        StringBuilder line = new StringBuilder();
        line.append(String.format("#%d client %d node%d %s %s", id, client, node, type, key));
        if (value != null) {
            line.append(" value=").append(value);
        }
        if (type == Type.READ || type == Type.SETV) {
            line.append(type == Type.READ ? " read=" : " context-of=").append(observed);
        }
        line.append(String.format(" at %s [%.3f s, %.3f s] %s", consistency, (startNanos - runStartNanos) / 1e9,
            (endNanos - runStartNanos) / 1e9, outcome));
        if (error != null) {
            line.append(" (").append(error).append(')');
        }
        return line.toString();
    }
}
