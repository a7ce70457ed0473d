package io.ringkv.gossip;

import io.ringkv.api.NodeId;

/**
 * Judges nodes from the arrival times of their heartbeats, measured on this node's monotonic clock. One owner
 * thread; time is passed in, so implementations read no clock of their own.
 */
public interface FailureDetector {
    /** Records that a new heartbeat of {@code node} arrived at {@code nowNanos}. */
    void heartbeat(NodeId node, long nowNanos);

    /** @return what the detector believes about {@code node} at {@code nowNanos}; DOWN for a node never heard */
    Liveness liveness(NodeId node, long nowNanos);

    /** Forgets everything about {@code node} (it was removed, or restarted with a new generation). */
    void forget(NodeId node);
}
