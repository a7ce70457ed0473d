package io.ringkv.replication;

import io.ringkv.api.Key;
import io.ringkv.api.NodeId;
import io.ringkv.api.SiblingSet;
import java.util.LinkedHashMap;
import java.util.Map;

/** A get waiting for R replies, then kept open until every replica answered or the deadline, for read repair. */
final class PendingRead extends PendingRequest {
    final int required;
    final GetCallback callback;
    final Map<NodeId, SiblingSet> byReplica = new LinkedHashMap<>();
    int failures;
    boolean done;

    PendingRead(long correlationId, long token, Key key, NodeId[] targets, long deadlineNanos, int required,
                GetCallback callback) {
        super(correlationId, token, key, targets, deadlineNanos);
        this.required = required;
        this.callback = callback;
    }

    @Override
    boolean isAnswered() {
        return done;
    }
}
