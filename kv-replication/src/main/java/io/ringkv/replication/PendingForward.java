package io.ringkv.replication;

import io.ringkv.api.CausalContext;
import io.ringkv.api.Consistency;
import io.ringkv.api.Key;
import io.ringkv.api.NodeId;
import io.ringkv.api.Value;

/** A client's write handed to one replica of the key to coordinate, waiting for that replica's answer. */
final class PendingForward extends PendingRequest {
    final Value value;
    final CausalContext causalContext;
    final Consistency consistency;
    final PutCallback callback;

    /**
     * @param replica the one replica asked (asked again on the retry timer, never another: a second replica would
     *     make a second write of it)
     * @param value the value, null for a delete
     * @param causalContext what the client saw, null for a blind write
     */
    PendingForward(long correlationId, long token, Key key, NodeId replica, long deadlineNanos, Value value,
                   CausalContext causalContext, Consistency consistency, PutCallback callback) {
        super(correlationId, token, key, new NodeId[] {replica}, deadlineNanos);
        this.value = value;
        this.causalContext = causalContext;
        this.consistency = consistency;
        this.callback = callback;
    }

    @Override
    boolean isAnswered() {
        return replies > 0;
    }
}
