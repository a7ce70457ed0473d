package io.ringkv.node.runtime;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Whether this node can serve. A node serves from its start until a fault it cannot recover from (its transport
 * failed) marks it failed, once and for good: any thread sees that at once, and whoever waits on
 * {@link #failure()} learns why, so the process can exit instead of answering every request with an error.
 */
public final class NodeHealth {
    private final CompletableFuture<String> failure = new CompletableFuture<>();

    /** Marks the node failed; the first reason given is the one kept. */
    public void fail(String reason) {
        failure.complete(reason);
    }

    /** @return why the node cannot serve, or empty while it can */
    public Optional<String> whyUnavailable() {
        return Optional.ofNullable(failure.getNow(null));
    }

    /**
     * @return completes with the reason when the node fails; never completes while it serves. Actions chained on
     *     it may run on the thread that marked the failure, so they must be quick.
     */
    public CompletionStage<String> failure() {
        return failure.minimalCompletionStage();
    }
}
