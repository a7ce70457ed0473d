package io.ringkv.gossip;

/**
 * Keeps a node's tokens across restarts: a node that owns tokens from an earlier run rejoins with them as NORMAL;
 * one that owns none joins anew. {@link NodeLifecycle} stores tokens only once the node owns them (its join
 * completed), and an empty set once it left.
 */
@FunctionalInterface
public interface TokenStore {
    /**
     * Stores {@code tokens} durably before returning.
     *
     * @throws RuntimeException when they cannot be stored; the lifecycle then does not take the step that needed
     *     them stored, and says so
     */
    void store(long[] tokens);
}
