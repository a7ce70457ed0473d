package io.ringkv.replication;

import io.ringkv.api.Key;
import io.ringkv.api.NodeId;
import io.ringkv.api.Versioned;

/** A put or delete waiting for W acknowledgements. */
final class PendingWrite extends PendingRequest {
    final Versioned versioned;
    final int required;
    final PutCallback callback;
    int acks;
    int failures;
    /** Why replicas refused for a full disk, by replica ("n2", or the local engine's own words); null if none. */
    StringBuilder diskFull;
    int diskFullCount;
    boolean done;

    PendingWrite(long correlationId, long token, Key key, NodeId[] targets, long deadlineNanos, Versioned versioned,
                 int required, PutCallback callback) {
        super(correlationId, token, key, targets, deadlineNanos);
        this.versioned = versioned;
        this.required = required;
        this.callback = callback;
    }

    @Override
    boolean isAnswered() {
        return done;
    }
}
