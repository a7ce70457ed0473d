package io.ringkv.node.resp;

import io.ringkv.api.Consistency;
import io.ringkv.api.Key;
import io.ringkv.api.KvException;
import io.ringkv.api.Value;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * What the front door asks of the node: asynchronous reads and writes at a given consistency. The replication
 * coordinator implements it; tests use a map.
 *
 * <p>Every method is called on the front door's thread and must return without blocking it. The returned stage
 * may complete on any thread. A failure completes the stage exceptionally with a {@link KvException}, whose code
 * and message the client sees; any other exception is reported to the client as an internal error and counted.
 * Calls made for one connection arrive in the order its client sent them, and a connection's write completes
 * before that connection's next command is issued.
 */
public interface KeyValueService {

    /**
     * @return the key's value, or empty when it has none (absent or deleted); when replicas hold concurrent
     *     siblings the service's conflict resolver picks one ({@link #getVersions} shows them all)
     */
    CompletionStage<Optional<Value>> get(Key key, Consistency consistency);

    /** @return every sibling value of the key with the causal context that a later write should pass back */
    CompletionStage<Siblings> getVersions(Key key, Consistency consistency);

    /**
     * Writes {@code value}, superseding the versions that {@code context} names.
     *
     * @param context the causal context a client read with {@link #getVersions} (supersedes exactly what it
     *     covers; {@link CausalContext#SAW_NOTHING} supersedes nothing), or {@link CausalContext#NONE} for a
     *     blind write, which supersedes what a read just before it returns
     */
    CompletionStage<Void> put(Key key, Value value, CausalContext context, Consistency consistency);

    /** @return true when the key had a value before this delete, as far as the replicas that answered know */
    CompletionStage<Boolean> delete(Key key, Consistency consistency);

    /**
     * Marks a node that every failure detector judges DOWN as removed from the cluster (the operator's
     * {@code REMOVENODE id}); its state spreads and is forgotten after the quarantine.
     *
     * @return completes when this node took the removal; fails with a {@link KvException} saying why not
     */
    default CompletionStage<Void> removeNode(io.ringkv.api.NodeId node) {
        return java.util.concurrent.CompletableFuture.failedFuture(new KvException(
            io.ringkv.api.ErrorCode.INVALID_ARGUMENT, "this node does not manage cluster membership"));
    }
}
