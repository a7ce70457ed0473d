package io.ringkv.replication;

import io.ringkv.api.Key;
import io.ringkv.api.NodeId;
import io.ringkv.api.Versioned;
import java.util.List;

/**
 * A put or delete this node coordinates as a replica of the key, waiting for W acknowledgements; once
 * acknowledged, it stays tracked while it catches up the replicas that have not acknowledged it yet.
 */
final class PendingWrite extends PendingRequest {
    final Versioned versioned;
    final List<Versioned> state;
    final int required;
    /** The quorums also needed in the other views of a changing ring, or null while it is stable. */
    final QuorumSets views;
    final PutCallback callback;
    /** The coordinating replica (this node) held a live value the write superseded. */
    final boolean supersededLive;
    int acks;
    int failures;
    /** Why replicas refused for a full disk, by replica ("n2", or the local engine's own words); null if none. */
    StringBuilder diskFull;
    int diskFullCount;
    /** Counted failures that were substitutes keeping no hint (past the window, at a cap, an owner unknown to them). */
    int hintsRefused;
    boolean done;
    /** The client was told of success; unanswered replicas are still being sent the write. */
    boolean acknowledged;
    /** How often the write was sent again after it was acknowledged (the retry interval backs off with it). */
    int catchUpRounds;
    /** For each target, the owner it keeps a hint for (a substitute under sloppy quorum), null for an owner. */
    final NodeId[] hintFor;
    /** The key's first N replicas, alive or not. */
    final NodeId[] owners;
    /** Whether a substitute's acknowledgement counts toward W. */
    final boolean countHints;
    /** For each target, whether it is a pending replica (joining the key's replicas): never counted toward W. */
    final boolean[] pending;
    /** For each target, whether it stored the write (as a replica, or as a hint). */
    final boolean[] stored;
    /** When owners that did not take the write get hints from this coordinator: the client's deadline. */
    final long hintDueNanos;
    /** Whether the owners that did not take it were hinted (once per write). */
    boolean hinted;
    /** Hints for DOWN owners this coordinator is writing; the client's answer waits for them. */
    int localHintsPending;
    /**
     * The request's consistency when the write is blind (no causal context), else null: a blind write that a
     * replica acknowledged beside versions this node did not hold is made again to supersede them.
     */
    io.ringkv.api.Consistency blind;
    /**
     * The request's consistency when the write is a change of expiry ({@code EXPIRE}, {@code PERSIST}), else null: one
     * that a replica acknowledged beside versions this node did not hold may have written again a value deleted or
     * overwritten meanwhile, which is then settled after a read (also when the client already heard TIMEOUT).
     */
    io.ringkv.api.Consistency change;
    /**
     * The replicas that acknowledged the write beside versions the write does not cover, before it was acknowledged:
     * a second round's read waits for them.
     */
    final java.util.Set<NodeId> besideOthers = new java.util.HashSet<>();
    /**
     * The client already heard TIMEOUT: the local replica took longer than the request timeout to store the write (a
     * stalled force). The write is replicated all the same, and its outcome reaches neither the client nor the
     * counters of answered writes.
     */
    boolean clientAnswered;
    /**
     * A substitute's acknowledgement counted toward W before the answer: it stores a hint and says nothing of what
     * the key held, so a blind write cannot tell from its W acknowledgements whether it superseded everything.
     */
    boolean substituteCounted;
    /** Owners this coordinator keeps a hint for. */
    final java.util.Set<NodeId> locallyHinted = new java.util.HashSet<>();

    /** @return the consistency of the write's second round: {@link #blind}'s or {@link #change}'s */
    io.ringkv.api.Consistency secondRound() {
        return blind != null ? blind : change;
    }

    /**
     * @param versioned the client's write, whose version the callback gets
     * @param state the key's resolved versions at this replica after the write: what the other replicas are sent
     */
    PendingWrite(long correlationId, long token, Key key, NodeId[] targets, NodeId[] hintFor, NodeId[] owners,
                 boolean countHints, boolean[] pending, long deadlineNanos, Versioned versioned, List<Versioned> state, int required,
                 QuorumSets views, boolean supersededLive, PutCallback callback) {
        super(correlationId, token, key, targets, deadlineNanos);
        this.hintFor = hintFor;
        this.owners = owners;
        this.countHints = countHints;
        this.pending = pending;
        this.stored = new boolean[targets.length];
        this.hintDueNanos = deadlineNanos;
        this.versioned = versioned;
        this.state = state;
        this.required = required;
        this.views = views;
        this.callback = callback;
        this.supersededLive = supersededLive;
    }

    /**
     * @return whether target {@code index}'s answer counts toward W (an owner's always; a substitute's by mode; a
     *     pending replica's never)
     */
    boolean counts(int index) {
        return !pending[index] && (hintFor[index] == null || countHints);
    }

    /** @return whether the write has its quorum in every other view of a changing ring (always, when stable) */
    boolean viewsSatisfied() {
        return views == null || views.satisfied();
    }

    /** @return the targets whose answers count toward W */
    int countableTargets() {
        int count = 0;
        for (int i = 0; i < targets.length; i++) {
            if (counts(i)) {
                count++;
            }
        }
        return count;
    }

    /** @return whether {@code owner} stored the write, or a substitute keeps it for it, or this node hints it */
    boolean covered(NodeId owner) {
        if (locallyHinted.contains(owner)) {
            return true;
        }
        for (int i = 0; i < targets.length; i++) {
            if (stored[i] && (hintFor[i] == null ? targets[i].equals(owner) : hintFor[i].equals(owner))) {
                return true;
            }
        }
        return false;
    }

    @Override
    boolean isAnswered() {
        return done;
    }
}
