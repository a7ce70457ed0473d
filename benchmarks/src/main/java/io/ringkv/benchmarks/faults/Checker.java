package io.ringkv.benchmarks.faults;

import io.ringkv.benchmarks.faults.Op.Type;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Checks a run's history against the final state: a pure function from operations and final reads to anomalies,
 * so it can be tested on hand-made histories.
 *
 * <p>The rules, per key:
 * <ul>
 *   <li>An acknowledged write must be <em>live</em>: its value is in the final sibling set, or a write that saw it
 *       (one that may have taken effect) is live in turn, or the key reads deleted in the end after a delete that
 *       began once the write was acknowledged. A SETV saw exactly the values its context was read
 *       with; a SET or DEL reads before it writes, so under R + W &gt; N it saw every write acknowledged before it
 *       started. Otherwise: {@link Anomaly.Kind#LOST_WRITE}.</li>
 *   <li>Two final siblings must be concurrent: if one's write saw the other (transitively), the other should be
 *       gone: {@link Anomaly.Kind#SUPERSEDED_SIBLING}.</li>
 *   <li>A value whose write preceded an acknowledged delete must not be in the final state:
 *       {@link Anomaly.Kind#RESURRECTED_DELETE}.</li>
 *   <li>A read that returned nothing though a write was acknowledged before it started, with R + W &gt; N and no
 *       delete in between: {@link Anomaly.Kind#STALE_READ}; with R + W &lt;= N it is only counted.</li>
 * </ul>
 * And per node, after hinted handoff drained ({@link #checkHandoff}): a unique-key write acknowledged while the
 * node was {@linkplain Absence absent} and judged DOWN must be on the node's own replica:
 * {@link Anomaly.Kind#HINT_NOT_DELIVERED}.
 */
public final class Checker {
    private final int replicationFactor;

    /** @param replicationFactor N, to tell which read and write levels must intersect */
    public Checker(int replicationFactor) {
        this.replicationFactor = replicationFactor;
    }

    /**
     * What a check found.
     *
     * @param anomalies every violation
     * @param weakStaleReads reads at levels with R + W &lt;= N that missed an acknowledged write (allowed)
     * @param divergence per node: keys it lacks a final value of, keys it holds a value the final state does not,
     *     and reads it failed
     * @param keysChecked keys with at least one acknowledged write
     */
    public record Result(List<Anomaly> anomalies, int weakStaleReads, Map<Integer, Divergence> divergence,
                         int keysChecked) {
    }

    /**
     * How far one node's own replica was from the final state after hinted handoff, before the final reads
     * repaired it.
     *
     * @param behind keys whose final value the node lacked
     * @param ahead keys where the node held a value that is not final (deleted or superseded)
     * @param failed keys the node could not answer
     */
    public record Divergence(int behind, int ahead, int failed) {
    }

    /**
     * How one node's own replica stood after hinted handoff, among the keys written once, by an acknowledged write
     * (the unique-key writes: for them the replica's expected content is exactly that value).
     *
     * @param absentWrites writes acknowledged while the node was absent and judged DOWN: each must be on it
     * @param absentMissing of those, the ones its replica lacks (each a {@link Anomaly.Kind#HINT_NOT_DELIVERED})
     * @param writes every acknowledged unique-key write
     * @param missing of those, the ones its replica lacks: allowed (a replica that was slow or cut off without
     *     being judged DOWN gets only the coordinator's after-the-ack hint, which a crash can lose; anti-entropy
     *     repairs those), counted
     * @param unread of those, the ones whose read through the node alone failed (neither present nor missing)
     */
    public record Handoff(int absentWrites, int absentMissing, int writes, int missing, int unread) {
    }

    /**
     * What the handoff check found.
     *
     * @param anomalies one {@link Anomaly.Kind#HINT_NOT_DELIVERED} per node and write missing
     * @param perNode the counts per node (1-based)
     */
    public record HandoffResult(List<Anomaly> anomalies, Map<Integer, Handoff> perNode) {
    }

    /**
     * Checks each node's own replica against the unique-key writes acknowledged while it was absent.
     *
     * @param ops the history, any order
     * @param replicas per node (1-based), each key's values read through that node alone at ONE (its peers cut
     *     off, so no other replica could answer) after every node's hints were delivered; null values when the
     *     read failed; keys not read count as unread
     * @param absences the spells during which a node was silent to every peer
     * @param judgedDownNanos how long into an absence every peer surely judged the node DOWN (down-after and a
     *     margin for the last heartbeat's age): only writes that started later had a hint written before their
     *     acknowledgement
     */
    public HandoffResult checkHandoff(List<Op> ops, Map<Integer, Map<String, List<String>>> replicas,
                                      List<Absence> absences, long judgedDownNanos) {
        List<Op> writes = uniqueKeyWrites(ops);
        List<Anomaly> anomalies = new ArrayList<>();
        Map<Integer, Handoff> perNode = new TreeMap<>();
        for (Map.Entry<Integer, Map<String, List<String>>> replica : replicas.entrySet()) {
            int node = replica.getKey();
            int absentWrites = 0;
            int absentMissing = 0;
            int missing = 0;
            int unread = 0;
            for (Op write : writes) {
                Absence absence = absences.stream().filter(a -> a.node() == node && a.covers(write, judgedDownNanos))
                    .findFirst().orElse(null);
                absentWrites += absence == null ? 0 : 1;
                List<String> held = replica.getValue().get(write.key());
                if (held == null) {
                    unread++;
                } else if (!held.contains(write.value())) {
                    missing++;
                    if (absence != null) {
                        absentMissing++;
                        anomalies.add(new Anomaly(Anomaly.Kind.HINT_NOT_DELIVERED, write.key(), "node" + node
                            + "'s own replica holds " + held + " after handoff, not " + write.value() + ", which was"
                            + " acknowledged while node" + node + " was absent and judged DOWN (" + absence.fault()
                            + ")", List.of(write)));
                    }
                }
            }
            perNode.put(node, new Handoff(absentWrites, absentMissing, writes.size(), missing, unread));
        }
        return new HandoffResult(anomalies, perNode);
    }

    /** @return the acknowledged writes of keys that no other operation wrote or deleted */
    private static List<Op> uniqueKeyWrites(List<Op> ops) {
        Map<String, List<Op>> writesByKey = new TreeMap<>();
        for (Op op : ops) {
            if (op.type() != Type.READ) {
                writesByKey.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
            }
        }
        return writesByKey.values().stream()
            .filter(writes -> writes.size() == 1 && writes.getFirst().ok() && writes.getFirst().value() != null)
            .map(List::getFirst)
            .toList();
    }

    /** Checks {@code ops} (any order) against {@code state}. */
    public Result check(List<Op> ops, FinalState state) {
        Map<String, List<Op>> byKey = new TreeMap<>();
        for (Op op : ops) {
            byKey.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
        }
        List<Anomaly> anomalies = new ArrayList<>();
        int weakStale = 0;
        int keysChecked = 0;
        for (Map.Entry<String, List<Op>> entry : byKey.entrySet()) {
            List<Op> keyOps = entry.getValue();
            keyOps.sort((a, b) -> Long.compare(a.startNanos(), b.startNanos()));
            if (keyOps.stream().noneMatch(op -> op.ok() && op.type() != Type.READ)) {
                continue;
            }
            keysChecked++;
            KeyCheck check = new KeyCheck(entry.getKey(), keyOps, state.valuesOf(entry.getKey()));
            check.run(anomalies);
            weakStale += check.weakStaleReads;
        }
        return new Result(anomalies, weakStale, divergence(state), keysChecked);
    }

    private Map<Integer, Divergence> divergence(FinalState state) {
        Map<Integer, Divergence> result = new TreeMap<>();
        for (Map.Entry<Integer, Map<String, List<String>>> node : state.perNode().entrySet()) {
            int behind = 0;
            int ahead = 0;
            int failed = 0;
            for (Map.Entry<String, List<String>> read : node.getValue().entrySet()) {
                List<String> expected = state.valuesOf(read.getKey());
                if (read.getValue() == null) {
                    failed++;
                } else if (expected != null) {
                    behind += read.getValue().containsAll(expected) ? 0 : 1;
                    ahead += expected.containsAll(read.getValue()) ? 0 : 1;
                }
            }
            result.put(node.getKey(), new Divergence(behind, ahead, failed));
        }
        return result;
    }

    private int replicas(String level) {
        return switch (level) {
            case "ONE" -> 1;
            case "ALL" -> replicationFactor;
            default -> replicationFactor / 2 + 1;
        };
    }

    /** true when a read at {@code readLevel} must see a write acknowledged at {@code writeLevel} */
    private boolean intersects(String readLevel, String writeLevel) {
        return replicas(readLevel) + replicas(writeLevel) > replicationFactor;
    }

    /** The rules applied to one key's operations. */
    private final class KeyCheck {
        private final String key;
        private final List<Op> ops;
        private final List<String> finalValues;
        private final Map<String, Op> writerOf = new HashMap<>();
        private final Map<Op, Boolean> live = new HashMap<>();
        int weakStaleReads;

        KeyCheck(String key, List<Op> ops, List<String> finalValues) {
            this.key = key;
            this.ops = ops;
            this.finalValues = finalValues;
            for (Op op : ops) {
                if (op.value() != null) {
                    writerOf.put(op.value(), op);
                }
            }
        }

        void run(List<Anomaly> anomalies) {
            if (finalValues == null) {
                anomalies.add(new Anomaly(Anomaly.Kind.UNREADABLE, key,
                    "the key has acknowledged writes but could not be read after the heal", acknowledgedWrites()));
            } else {
                checkLostWrites(anomalies);
                checkSiblings(anomalies);
                checkDeletes(anomalies);
            }
            checkReads(anomalies);
        }

        private List<Op> acknowledgedWrites() {
            return ops.stream().filter(op -> op.ok() && op.value() != null).toList();
        }

        /** @return true when {@code later} saw {@code earlier}'s value before it wrote */
        private boolean saw(Op later, Op earlier) {
            if (later == earlier || !later.mayHaveTakenEffect()) {
                return false;
            }
            if (later.type() == Type.SETV) {
                return later.observed().contains(earlier.value());
            }
            // SET and DEL read first (at their own level) and supersede what that read returned
            return earlier.ok() && earlier.precedes(later) && intersects(later.consistency(), earlier.consistency());
        }

        /** @return true when {@code write}'s value is final or superseded by a live write that saw it */
        private boolean isLive(Op write) {
            Boolean known = live.get(write);
            if (known != null) {
                return known;
            }
            live.put(write, false); // writes only see earlier writes, but guard against a malformed history
            boolean result = write.type() == Type.DELETE || finalValues.contains(write.value());
            if (!result && finalValues.isEmpty() && write.ok()) {
                // the key reads deleted in the end, and a delete that may have taken effect began after this write
                // was acknowledged: the write was deleted, not lost. At levels whose delete need not have seen the
                // write (R + W <= N) nothing finer can be told; above them the rule below already holds
                result = ops.stream().anyMatch(op -> op.type() == Type.DELETE && op.mayHaveTakenEffect()
                    && write.precedes(op));
            }
            for (Op later : ops) {
                if (!result && later.startNanos() >= write.startNanos() && saw(later, write) && isLive(later)) {
                    result = true;
                }
            }
            live.put(write, result);
            return result;
        }

        private void checkLostWrites(List<Anomaly> anomalies) {
            for (Op write : acknowledgedWrites()) {
                if (!isLive(write)) {
                    List<Op> evidence = new ArrayList<>(List.of(write));
                    ops.stream().filter(op -> op.type() == Type.SETV && op.observed().contains(write.value()))
                        .forEach(evidence::add);
                    anomalies.add(new Anomaly(Anomaly.Kind.LOST_WRITE, key, "acknowledged " + write.value()
                        + " is not among the final values " + finalValues
                        + " and no write that saw it survived", evidence));
                }
            }
        }

        /** @return every write that {@code write} saw, directly or through writes it saw */
        private Set<Op> ancestors(Op write) {
            Set<Op> seen = new HashSet<>();
            List<Op> frontier = new ArrayList<>(List.of(write));
            while (!frontier.isEmpty()) {
                Op current = frontier.removeLast();
                for (Op earlier : ops) {
                    if (earlier.value() != null && saw(current, earlier) && seen.add(earlier)) {
                        frontier.add(earlier);
                    }
                }
            }
            return seen;
        }

        private void checkSiblings(List<Anomaly> anomalies) {
            if (finalValues.size() < 2) {
                return;
            }
            Map<Op, Op> superseded = new LinkedHashMap<>();
            for (String value : finalValues) {
                Op writer = writerOf.get(value);
                if (writer == null) {
                    continue;
                }
                for (Op ancestor : ancestors(writer)) {
                    if (finalValues.contains(ancestor.value())) {
                        superseded.put(ancestor, writer);
                    }
                }
            }
            superseded.forEach((old, newer) -> anomalies.add(new Anomaly(Anomaly.Kind.SUPERSEDED_SIBLING, key,
                old.value() + " is a final sibling of " + newer.value() + ", whose write had seen it; final values "
                    + finalValues, List.of(old, newer))));
        }

        private void checkDeletes(List<Anomaly> anomalies) {
            for (Op delete : ops) {
                if (delete.type() != Type.DELETE || !delete.ok()) {
                    continue;
                }
                for (String value : finalValues) {
                    Op writer = writerOf.get(value);
                    if (writer != null && writer.ok() && saw(delete, writer)) {
                        anomalies.add(new Anomaly(Anomaly.Kind.RESURRECTED_DELETE, key, value
                            + " was acknowledged, then deleted, and is among the final values " + finalValues,
                            List.of(writer, delete)));
                    }
                }
            }
        }

        private void checkReads(List<Anomaly> anomalies) {
            for (Op read : ops) {
                if (read.type() != Type.READ || !read.ok() || !read.observed().isEmpty()) {
                    continue;
                }
                boolean deleted = ops.stream().anyMatch(op -> op.type() == Type.DELETE && op.mayHaveTakenEffect()
                    && op.startNanos() < read.endNanos());
                if (deleted) {
                    continue;
                }
                for (Op write : acknowledgedWrites()) {
                    if (!write.precedes(read)) {
                        continue;
                    }
                    if (intersects(read.consistency(), write.consistency())) {
                        anomalies.add(new Anomaly(Anomaly.Kind.STALE_READ, key, "a read at " + read.consistency()
                            + " returned nothing after " + write.value() + " was acknowledged at "
                            + write.consistency(), List.of(write, read)));
                    } else {
                        weakStaleReads++;
                    }
                    break;
                }
            }
        }
    }
}
