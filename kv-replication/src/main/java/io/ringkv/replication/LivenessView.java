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
     * @return the newest version of {@code node}'s latest run known here (gossip's: it grows with every heartbeat the
     *     node makes while up), 0 when unknown; this default knows none
     */
    default long version(NodeId node) {
        return 0;
    }

    /**
     * Whether {@code node} is known to have been up after this node judged it DOWN, when {@link #generation} and
     * {@link #version} gave {@code generation} and {@code version} (0: unknown): a later run of it is known, or, where
     * the view can tell, that run went on beating for longer after those than any silence ending in a DOWN judgment
     * leaves unheard (it came back unseen, a healed partition, say). This default knows the first only.
     *
     * @return true when that absence of {@code node} surely ended since
     */
    default boolean upAfter(NodeId node, long generation, long version) {
        return generation != 0 && generation(node) > generation;
    }
}
