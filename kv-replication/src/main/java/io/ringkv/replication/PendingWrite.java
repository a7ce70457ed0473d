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
    final PutCallback callback;
    /** The coordinating replica (this node) held a live value the write superseded. */
    final boolean supersededLive;
    int acks;
    int failures;
    /** Why replicas refused for a full disk, by replica ("n2", or the local engine's own words); null if none. */
    StringBuilder diskFull;
    int diskFullCount;
    boolean done;
    /** The client was told of success; unanswered replicas are still being sent the write. */
    boolean acknowledged;
    /** How often the write was sent again after it was acknowledged (the retry interval backs off with it). */
    int catchUpRounds;

    /**
     * @param versioned the client's write, whose version the callback gets
     * @param state the key's resolved versions at this replica after the write: what the other replicas are sent
     */
    PendingWrite(long correlationId, long token, Key key, NodeId[] targets, long deadlineNanos, Versioned versioned,
                 List<Versioned> state, int required, boolean supersededLive, PutCallback callback) {
        super(correlationId, token, key, targets, deadlineNanos);
        this.versioned = versioned;
        this.state = state;
        this.required = required;
        this.callback = callback;
        this.supersededLive = supersededLive;
    }

    @Override
    boolean isAnswered() {
        return done;
    }
}
