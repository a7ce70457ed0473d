package io.ringkv.node.service;

import io.ringkv.api.Consistency;
import io.ringkv.api.ErrorCode;
import io.ringkv.api.Expiry;
import io.ringkv.api.Key;
import io.ringkv.api.KvException;
import io.ringkv.api.NodeId;
import io.ringkv.api.Value;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Refuses every data and membership command with {@code LOADING} while the node is not ready to serve (see
 * {@link io.ringkv.gossip.Readiness}), and passes them to the node's service once it is. A starting node that
 * answered from the view it started with would route by a ring that may hold only itself, and fail (or succeed)
 * for the wrong reason; a client that gets {@code LOADING} knows to retry or ask another node. A refusal is
 * answered at once, on the calling thread.
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
    public void get(Key key, Consistency consistency, Answer<Optional<Value>> answer) {
        if (!refused(answer)) {
            ready.get(key, consistency, answer);
        }
    }

    @Override
    public void getVersions(Key key, Consistency consistency, Answer<Siblings> answer) {
        if (!refused(answer)) {
            ready.getVersions(key, consistency, answer);
        }
    }

    @Override
    public void put(Key key, Value value, CausalContext context, Consistency consistency, Answer<Void> answer) {
        if (!refused(answer)) {
            ready.put(key, value, context, consistency, answer);
        }
    }

    @Override
    public void put(Key key, Value value, CausalContext context, Expiry expiry, Consistency consistency,
                    Answer<Void> answer) {
        if (!refused(answer)) {
            ready.put(key, value, context, expiry, consistency, answer);
        }
    }

    @Override
    public void expiry(Key key, Consistency consistency, Answer<Long> answer) {
        if (!refused(answer)) {
            ready.expiry(key, consistency, answer);
        }
    }

    @Override
    public void changeExpiry(Key key, Expiry expiry, Expiry.Condition condition, Consistency consistency,
                             Answer<ExpiryChanged> answer) {
        if (!refused(answer)) {
            ready.changeExpiry(key, expiry, condition, consistency, answer);
        }
    }

    @Override
    public void delete(Key key, Consistency consistency, Answer<Boolean> answer) {
        if (!refused(answer)) {
            ready.delete(key, consistency, answer);
        }
    }

    @Override
    public void scan(String cursor, int count, Answer<ScanResult> answer) {
        if (!refused(answer)) {
            ready.scan(cursor, count, answer);
        }
    }

    @Override
    public void estimateKeys(Answer<Long> answer) {
        if (!refused(answer)) {
            ready.estimateKeys(answer);
        }
    }

    /** Refused too: before it heard from a peer, a node judges every remembered member DOWN, the live ones too. */
    @Override
    public void removeNode(NodeId node, Answer<Void> answer) {
        if (!refused(answer)) {
            ready.removeNode(node, answer);
        }
    }

    @Override
    public void admin(String operation, java.util.List<String> arguments, Answer<String> answer) {
        if (!refused(answer)) {
            ready.admin(operation, arguments, answer);
        }
    }

    @Override
    public void flush() {
        ready.flush();
    }

    /** @return true when the node is loading: {@code answer} was failed with {@code LOADING} */
    private boolean refused(Answer<?> answer) {
        String reason = loading.get();
        if (reason.isEmpty()) {
            return false;
        }
        answer.failed(new KvException(ErrorCode.LOADING, reason));
        return true;
    }
}
