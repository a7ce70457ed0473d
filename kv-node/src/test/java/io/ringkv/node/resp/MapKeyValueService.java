package io.ringkv.node.resp;

import io.ringkv.api.Consistency;
import io.ringkv.api.Key;
import io.ringkv.api.Value;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Test double of the coordinator: a map of keys to sibling lists with a version counter as causal context. It
 * answers on the caller's thread, or on {@code executor} to exercise the hand-back to the front door's thread.
 * A SETV whose context is older than the current version keeps the current values as siblings.
 */
final class MapKeyValueService implements KeyValueService {
    private record Entry(long version, List<Value> values) {
    }

    private final Map<Key, Entry> entries = new ConcurrentHashMap<>();
    private final Executor executor;
    volatile Consistency lastConsistency;

    MapKeyValueService(Executor executor) {
        this.executor = executor;
    }

    @Override
    public CompletionStage<Optional<Value>> get(Key key, Consistency consistency) {
        return answer(consistency, () -> {
            Entry entry = entries.get(key);
            return entry == null || entry.values().isEmpty() ? Optional.empty() : Optional.of(entry.values().getLast());
        });
    }

    @Override
    public CompletionStage<Siblings> getVersions(Key key, Consistency consistency) {
        return answer(consistency, () -> {
            Entry entry = entries.get(key);
            return entry == null ? Siblings.NONE : new Siblings(context(entry.version()), entry.values());
        });
    }

    @Override
    public CompletionStage<Void> put(Key key, Value value, CausalContext context, Consistency consistency) {
        return answer(consistency, () -> {
            entries.compute(key, (k, old) -> {
                long version = old == null ? 0 : old.version();
                List<Value> values = new ArrayList<>();
                if (old != null && !context.isEmpty() && version(context) < version) {
                    values.addAll(old.values());
                }
                values.add(value);
                return new Entry(version + 1, values);
            });
            return null;
        });
    }

    @Override
    public CompletionStage<Boolean> delete(Key key, Consistency consistency) {
        return answer(consistency, () -> entries.remove(key) != null);
    }

    private <T> CompletionStage<T> answer(Consistency consistency, Supplier<T> work) {
        lastConsistency = consistency;
        return executor == null ? CompletableFuture.completedFuture(work.get())
            : CompletableFuture.supplyAsync(work, executor);
    }

    static CausalContext context(long version) {
        return CausalContext.of(ByteBuffer.allocate(Long.BYTES).putLong(version).array());
    }

    private static long version(CausalContext context) {
        return ByteBuffer.wrap(context.toByteArray()).getLong();
    }
}
