package io.ringkv.replication;

import io.ringkv.api.NodeId;

/**
 * Which nodes this node believes alive. A coordinator fails a request with {@code UNAVAILABLE} at once when fewer
 * than R or W of the key's replicas are alive in this view, and sends only to those that are. Static membership
 * uses {@link #ALL_ALIVE}; gossip's failure detector will provide a live view. Read on the agent thread.
 */
@FunctionalInterface
public interface LivenessView {
    /** Every node is alive: static membership with no failure detector. */
    LivenessView ALL_ALIVE = node -> true;

    /** @return true when {@code node} is believed alive */
    boolean isAlive(NodeId node);

    /**
     * @return the latest run of {@code node} known here (its gossip generation: a restarted node has a greater one), 0
     *     when unknown; this default knows none
     */
    default long generation(NodeId node) {
        return 0;
    }

    /**
     * Whether {@code node} is known to have been up after {@code sinceNanos} (this node's monotonic clock), when it
     * was in its run {@code generation} (0: unknown) or earlier: a later run of it is known, or, where the view can
     * tell, it made a heartbeat after then and no later than {@code untilNanos}. A caller bounds the second by what
     * it could not have seen itself: a heartbeat made while this node ran would have reached it, had the node been
     * reachable, so one that did not is of a node alive elsewhere (a partition), not back. This default knows the
     * first only.
     *
     * @return true when an absence of {@code node} that began at {@code sinceNanos} surely ended since
     */
    default boolean upAfter(NodeId node, long generation, long sinceNanos, long untilNanos) {
        return generation != 0 && generation(node) > generation;
    }
}
