package io.ringkv.replication;

import io.ringkv.api.Key;
import io.ringkv.api.NodeId;
import io.ringkv.api.Versioned;

/**
 * A put or delete waiting for W acknowledgements; once acknowledged, it stays tracked while it catches up the
 * replicas that have not acknowledged it yet.
 */
final class PendingWrite extends PendingRequest {
    final Versioned versioned;
    final int required;
    final PutCallback callback;
    int acks;
    int failures;
    boolean done;
    /** The client was told of success; unanswered replicas are still being sent the write. */
    boolean acknowledged;
    /** How often the write was sent again after it was acknowledged (the retry interval backs off with it). */
    int catchUpRounds;

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
