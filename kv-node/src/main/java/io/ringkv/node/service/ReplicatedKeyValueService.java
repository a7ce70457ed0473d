package io.ringkv.node.service;

import io.ringkv.api.Consistency;
import io.ringkv.api.ErrorCode;
import io.ringkv.api.Key;
import io.ringkv.api.KvException;
import io.ringkv.api.SiblingSet;
import io.ringkv.api.Value;
import io.ringkv.api.Version;
import io.ringkv.node.resp.CausalContext;
import io.ringkv.node.resp.KeyValueService;
import io.ringkv.node.resp.Siblings;
import io.ringkv.node.runtime.NodeAgent;
import io.ringkv.replication.Coordinator;
import io.ringkv.replication.GetCallback;
import io.ringkv.replication.PutCallback;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * The front door's view of the cluster: each call hops onto the node's agent thread through its bounded task
 * queue, runs the replication coordinator there, and completes a future from the coordinator's callback. A full
 * queue fails the request at once with {@code UNAVAILABLE} rather than blocking the front door.
 */
public final class ReplicatedKeyValueService implements KeyValueService {
    private final NodeAgent agent;
    private final Coordinator coordinator;
    private final java.util.function.Consumer<io.ringkv.api.NodeId> removeNode;

    /**
     * @param agent the node's agent, whose thread owns the coordinator
     * @param coordinator the replication coordinator
     * @param removeNode marks a DOWN node removed, on the agent thread; throws {@code KvException} saying why not
     */
    public ReplicatedKeyValueService(NodeAgent agent, Coordinator coordinator,
                                     java.util.function.Consumer<io.ringkv.api.NodeId> removeNode) {
        this.agent = agent;
        this.coordinator = coordinator;
        this.removeNode = removeNode;
    }

    @Override
    public CompletionStage<Void> removeNode(io.ringkv.api.NodeId node) {
        CompletableFuture<Void> future = new CompletableFuture<>();
        submit(future, () -> {
            try {
                removeNode.accept(node);
                future.complete(null);
            } catch (KvException e) {
                future.completeExceptionally(e);
            }
        });
        return future;
    }

    @Override
    public CompletionStage<Optional<Value>> get(Key key, Consistency consistency) {
        return read(key, consistency).thenApply(siblings ->
            siblings.isEmpty() || siblings.isDeleted() ? Optional.empty() : Optional.ofNullable(siblings.newest().value()));
    }

    @Override
    public CompletionStage<Siblings> getVersions(Key key, Consistency consistency) {
        return read(key, consistency).thenApply(siblings -> siblings.isEmpty()
            ? Siblings.NONE
            : new Siblings(CausalContext.of(siblings.context().toBytes()), siblings.values()));
    }

    @Override
    public CompletionStage<Void> put(Key key, Value value, CausalContext context, Consistency consistency) {
        if (!context.isBlind()) {
            if (context.isEmpty()) {
                // SETV with the context of an absent key: it saw nothing and supersedes nothing
                return write(future -> coordinator.put(key, value, io.ringkv.api.CausalContext.EMPTY, consistency,
                    callback(future)))
                    .thenApply(version -> null);
            }
            io.ringkv.api.CausalContext causal;
            try {
                causal = io.ringkv.api.CausalContext.fromBytes(context.toByteArray());
            } catch (KvException e) {
                return CompletableFuture.failedFuture(e);
            }
            return write(future -> coordinator.put(key, value, causal, consistency, callback(future)))
                .thenApply(version -> null);
        }
        // A write without a context reads first and supersedes what it saw, as Redis' SET promises. Under vector
        // clocks that keeps blind writes from piling up as siblings; under lww the read's replies also move this
        // coordinator's hybrid clock past the value it replaces, so a skewed clock cannot make the write lose.
        return read(key, consistency).thenCompose(siblings ->
            write(future -> coordinator.put(key, value, siblings.isEmpty() ? null : siblings.context(), consistency,
                callback(future)))).thenApply(version -> null);
    }

    /** A delete reads first, so it supersedes exactly what it saw, and so it can say whether a value was there. */
    @Override
    public CompletionStage<Boolean> delete(Key key, Consistency consistency) {
        return read(key, consistency).thenCompose(siblings -> {
            if (siblings.isEmpty() || siblings.isDeleted()) {
                return CompletableFuture.completedFuture(false);
            }
            return write(future -> coordinator.delete(key, siblings.context(), consistency, callback(future)))
                .thenApply(version -> true);
        });
    }

    private CompletableFuture<SiblingSet> read(Key key, Consistency consistency) {
        CompletableFuture<SiblingSet> future = new CompletableFuture<>();
        submit(future, () -> coordinator.get(key, consistency, new GetCallback() {
            @Override
            public void onSuccess(SiblingSet siblings) {
                future.complete(siblings);
            }

            @Override
            public void onFailure(ErrorCode code, String message) {
                future.completeExceptionally(new KvException(code, message));
            }
        }));
        return future;
    }

    private CompletableFuture<Version> write(Consumer<CompletableFuture<Version>> request) {
        CompletableFuture<Version> future = new CompletableFuture<>();
        submit(future, () -> request.accept(future));
        return future;
    }

    private static PutCallback callback(CompletableFuture<Version> future) {
        return new PutCallback() {
            @Override
            public void onSuccess(Version written) {
                future.complete(written);
            }

            @Override
            public void onFailure(ErrorCode code, String message) {
                future.completeExceptionally(new KvException(code, message));
            }
        };
    }

    private void submit(CompletableFuture<?> future, Runnable task) {
        Runnable guarded = () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                // a request that fails before the coordinator tracks it must still be answered
                future.completeExceptionally(e);
            }
        };
        if (!agent.submit(guarded)) {
            future.completeExceptionally(new KvException(ErrorCode.UNAVAILABLE,
                "node is overloaded: its request queue is full; retry later"));
        }
    }
}
