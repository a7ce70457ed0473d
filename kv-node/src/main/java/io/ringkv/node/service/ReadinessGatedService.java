package io.ringkv.node.service;

import io.ringkv.api.Consistency;
import io.ringkv.api.ErrorCode;
import io.ringkv.api.Key;
import io.ringkv.api.KvException;
import io.ringkv.api.NodeId;
import io.ringkv.api.Value;
import io.ringkv.node.resp.CausalContext;
import io.ringkv.node.resp.KeyValueService;
import io.ringkv.node.resp.Siblings;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Refuses every data and membership command with {@code LOADING} while the node is not ready to serve (see
 * {@link io.ringkv.gossip.Readiness}), and passes them to the node's service once it is. A starting node that
 * answered from the view it started with would route by a ring that may hold only itself, and fail (or succeed)
 * for the wrong reason; a client that gets {@code LOADING} knows to retry or ask another node.
 */
public final class ReadinessGatedService implements KeyValueService {
    private final KeyValueService ready;
    private final Supplier<String> loading;

    /**
     * @param ready the service once the node is ready
     * @param loading from any thread: empty when the node serves, otherwise why not
     */
    public ReadinessGatedService(KeyValueService ready, Supplier<String> loading) {
        this.ready = ready;
        this.loading = loading;
    }

    @Override
    public CompletionStage<Optional<Value>> get(Key key, Consistency consistency) {
        CompletionStage<Optional<Value>> refused = refusal();
        return refused != null ? refused : ready.get(key, consistency);
    }

    @Override
    public CompletionStage<Siblings> getVersions(Key key, Consistency consistency) {
        CompletionStage<Siblings> refused = refusal();
        return refused != null ? refused : ready.getVersions(key, consistency);
    }

    @Override
    public CompletionStage<Void> put(Key key, Value value, CausalContext context, Consistency consistency) {
        CompletionStage<Void> refused = refusal();
        return refused != null ? refused : ready.put(key, value, context, consistency);
    }

    @Override
    public CompletionStage<Boolean> delete(Key key, Consistency consistency) {
        CompletionStage<Boolean> refused = refusal();
        return refused != null ? refused : ready.delete(key, consistency);
    }

    /** Refused too: before it heard from a peer, a node judges every remembered member DOWN, the live ones too. */
    @Override
    public CompletionStage<Void> removeNode(NodeId node) {
        CompletionStage<Void> refused = refusal();
        return refused != null ? refused : ready.removeNode(node);
    }

    /** @return a failed stage when the node is loading, null when it serves */
    private <T> CompletionStage<T> refusal() {
        String reason = loading.get();
        return reason.isEmpty() ? null
            : CompletableFuture.failedFuture(new KvException(ErrorCode.LOADING, reason));
    }
}
