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

    /**
     * This node itself was stopped (SIGSTOP, a long garbage-collection pause) for {@code pauseNanos} ending at
     * {@code nowNanos}: no node's silence grows by that time, and no node learns an interval that long. A node
     * heard during the pause counts as heard at most now.
     */
    void excusePause(long pauseNanos, long nowNanos);

    /**
     * @return the silence after which this detector judges DOWN a node whose heartbeats were steady (for a fixed
     *     detector its timeout): a heartbeat made longer ago than this is no sign of life
     */
    long downAfterNanos();
}
