package io.ringkv.sim;

import io.ringkv.api.NodeContext;

/**
 * Starts a node's protocol code: called when the node is added and again after each restart, with a fresh
 * context (new transport registrations, timers and randomness) and the node's disk, which kept what was durable.
 *
 * @param <T> the node's protocol object, reachable from tests through {@link SimNode#instance()}
 */
@FunctionalInterface
public interface NodeFactory<T> {
    /** @return the started protocol object; it registers its handlers with {@code context.transport()} */
    T start(NodeContext context, SimDisk disk);
}
