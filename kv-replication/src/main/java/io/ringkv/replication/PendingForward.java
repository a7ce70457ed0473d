package io.ringkv.replication;

import io.ringkv.api.CausalContext;
import io.ringkv.api.Consistency;
import io.ringkv.api.Key;
import io.ringkv.api.NodeId;
import io.ringkv.api.Value;

/**
 * A client's write handed to one replica of the key to coordinate, waiting for that replica's answer. When that
 * replica refuses for a full disk before writing anything, the write is handed to the next live replica of the key
 * (a new request); {@link #replicas} and {@link #diskFull} carry what was tried.
 */
final class PendingForward extends PendingRequest {
    final NodeId[] replicas;
    final int index;
    final String diskFull;
    final Value value;
    final io.ringkv.api.Expiry expiry;
    final CausalContext causalContext;
    final Consistency consistency;
    final PutCallback callback;

    /**
     * @param replicas the key's live replicas; {@code replicas[index]} is the one asked (asked again on the retry
     *     timer; another only after this one answered that it wrote nothing: a second replica would otherwise make
     *     a second write of it)
     * @param diskFull the replicas that already refused for a full disk, with their reasons; empty when none
     * @param value the value, null for a delete
     * @param expiry what the write does to the key's expiry
     * @param causalContext what the client saw, null for a blind write
     */
    PendingForward(long correlationId, long token, Key key, NodeId[] replicas, int index, String diskFull,
                   long deadlineNanos, Value value, io.ringkv.api.Expiry expiry, CausalContext causalContext, Consistency consistency,
                   PutCallback callback) {
        super(correlationId, token, key, new NodeId[] {replicas[index]}, deadlineNanos);
        this.replicas = replicas;
        this.index = index;
        this.diskFull = diskFull;
        this.value = value;
        this.expiry = expiry;
        this.causalContext = causalContext;
        this.consistency = consistency;
        this.callback = callback;
    }

    @Override
    boolean isAnswered() {
        return replies > 0;
    }
}
