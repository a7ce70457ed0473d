package io.ringkv.node.service;

import io.ringkv.api.Consistency;
import io.ringkv.api.Key;
import io.ringkv.api.Value;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Test double of the coordinator: a map of keys to sibling lists with a version counter as causal context. It
 * answers on the caller's thread, or, given an executor, collects the calls until {@link #flush()} and runs them
 * there, each on its own (so answers may come back in any order) or, {@link #reversingBatches}, each batch in
 * reverse order with its answers delivered together: calls that may run at once then visibly run out of order.
 * A SETV whose context is older than the current version keeps the current values as siblings. Expiry is judged
 * by {@link #clock}: an expired key reads as absent.
 */
public final class MapKeyValueService implements KeyValueService {
    /** @param expiresAt when the values expire (ms since the epoch by {@link #clock}), 0 for never */
    private record Entry(long version, List<Value> values, long expiresAt) {
        boolean liveAt(long now) {
            return !values.isEmpty() && (expiresAt == 0 || expiresAt > now);
        }
    }

    /** A collected call: computes its result, and returns what answers it. */
    private record Call(Answer<?> answer, Supplier<Runnable> run) {
    }

    private final Map<Key, Entry> entries = new ConcurrentHashMap<>();
    private final Executor executor;
    private final boolean reverse;
    private final List<Call> batch = new ArrayList<>();
    public volatile Consistency lastConsistency;
    /** What expiry is judged by: the wall clock unless a test sets another. */
    public volatile java.util.function.LongSupplier clock = System::currentTimeMillis;
    /** The most calls one flush handed over: more than one means requests were in flight together. */
    public volatile int largestBatch;

    public MapKeyValueService(Executor executor) {
        this(executor, false);
    }

    private MapKeyValueService(Executor executor, boolean reverse) {
        this.executor = executor;
        this.reverse = reverse;
    }

    /** Runs each flushed batch on {@code executor} last call first, and delivers its answers in one go. */
    public static MapKeyValueService reversingBatches(Executor executor) {
        return new MapKeyValueService(executor, true);
    }

    @Override
    public void get(Key key, Consistency consistency, Answer<Optional<Value>> answer) {
        answer(answer, consistency, () -> {
            Entry entry = live(key);
            return entry == null ? Optional.empty() : Optional.of(entry.values().getLast());
        });
    }

    private Entry live(Key key) {
        Entry entry = entries.get(key);
        return entry != null && entry.liveAt(clock.getAsLong()) ? entry : null;
    }

    @Override
    public void getVersions(Key key, Consistency consistency, Answer<Siblings> answer) {
        answer(answer, consistency, () -> {
            Entry entry = entries.get(key);
            if (entry == null) {
                return Siblings.NONE;
            }
            return new Siblings(context(entry.version()), entry.liveAt(clock.getAsLong()) ? entry.values() : List.of());
        });
    }

    @Override
    public void put(Key key, Value value, CausalContext context, Consistency consistency, Answer<Void> answer) {
        put(key, value, context, io.ringkv.api.Expiry.NONE, consistency, answer);
    }

    @Override
    public void put(Key key, Value value, CausalContext context, io.ringkv.api.Expiry expiry,
                    Consistency consistency, Answer<Void> answer) {
        answer(answer, consistency, () -> {
            putNow(key, value, context, expiry);
            return null;
        });
    }

    /** Writes at once, on the calling thread (to prepare a test's data). */
    public void putNow(Key key, Value value, CausalContext context) {
        putNow(key, value, context, io.ringkv.api.Expiry.NONE);
    }

    private void putNow(Key key, Value value, CausalContext context, io.ringkv.api.Expiry expiry) {
        long now = clock.getAsLong();
        entries.compute(key, (k, old) -> {
            long version = old == null ? 0 : old.version();
            List<Value> values = new ArrayList<>();
            if (old != null && old.liveAt(now) && !context.isEmpty() && version(context) < version) {
                values.addAll(old.values());
            }
            values.add(value);
            long kept = old != null && old.liveAt(now) ? old.expiresAt() : 0;
            return new Entry(version + 1, values, expiry.resolve(new io.ringkv.api.HybridTimestamp(now, 0), kept));
        });
    }

    @Override
    public void expiry(Key key, Consistency consistency, Answer<Long> answer) {
        answer(answer, consistency, () -> {
            Entry entry = live(key);
            return entry == null ? -2L : entry.expiresAt() == 0 ? -1L : entry.expiresAt();
        });
    }

    @Override
    public void changeExpiry(Key key, io.ringkv.api.Expiry expiry, io.ringkv.api.Expiry.Condition condition,
                             Consistency consistency, Answer<ExpiryChanged> answer) {
        answer(answer, consistency, () -> {
            long now = clock.getAsLong();
            Entry entry = live(key);
            if (entry == null) {
                return new ExpiryChanged(Optional.empty(), false);
            }
            Value value = entry.values().getLast();
            long next = expiry.resolve(new io.ringkv.api.HybridTimestamp(now, 0), entry.expiresAt());
            if (!condition.allows(entry.expiresAt(), next)) {
                return new ExpiryChanged(Optional.of(value), false);
            }
            if (next != 0 && next <= now) {
                entries.remove(key);
            } else {
                entries.put(key, new Entry(entry.version() + 1, List.of(value), next));
            }
            return new ExpiryChanged(Optional.of(value), true);
        });
    }

    /** @return the key's newest value now, read on the calling thread */
    public Optional<Value> getNow(Key key) {
        Entry entry = entries.get(key);
        return entry == null ? Optional.empty() : Optional.of(entry.values().getLast());
    }

    @Override
    public void delete(Key key, Consistency consistency, Answer<Boolean> answer) {
        answer(answer, consistency, () -> {
            Entry removed = entries.remove(key);
            return removed != null && removed.liveAt(clock.getAsLong());
        });
    }

    @Override
    public void flush() {
        if (batch.isEmpty()) {
            return;
        }
        List<Call> calls = List.copyOf(batch);
        batch.clear();
        largestBatch = Math.max(largestBatch, calls.size());
        if (reverse) {
            executor.execute(() -> {
                List<Runnable> answers = new ArrayList<>();
                for (Call call : calls.reversed()) {
                    answers.add(call.run().get());
                }
                deliver(calls.getFirst().answer().channel(), answers);
            });
        } else {
            for (Call call : calls) {
                executor.execute(() -> deliver(call.answer().channel(), List.of(call.run().get())));
            }
        }
    }

    private <T> void answer(Answer<T> answer, Consistency consistency, Supplier<T> work) {
        lastConsistency = consistency;
        Supplier<Runnable> run = () -> {
            try {
                T result = work.get();
                return () -> answer.succeeded(result);
            } catch (RuntimeException e) {
                return () -> answer.failed(e);
            }
        };
        if (executor == null) {
            run.get().run();
        } else {
            batch.add(new Call(answer, run));
        }
    }

    private static void deliver(AnswerChannel channel, List<Runnable> answers) {
        while (!channel.deliver(answers)) {
            Thread.onSpinWait();
        }
    }

    public static CausalContext context(long version) {
        return CausalContext.of(ByteBuffer.allocate(Long.BYTES).putLong(version).array());
    }

    private static long version(CausalContext context) {
        return ByteBuffer.wrap(context.toByteArray()).getLong();
    }
}
