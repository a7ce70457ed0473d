package io.ringkv.node;

import io.ringkv.api.Counter;
import io.ringkv.api.CounterKind;
import io.ringkv.api.CounterRegistry;
import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import io.ringkv.api.NodeId;
import io.ringkv.ring.Ring;
import io.ringkv.storage.StorageEngine;
import java.util.function.Consumer;
import java.util.function.LongPredicate;

/**
 * {@code ringkv cleanup}: drops the records of the ranges this node no longer replicates (after a join took them
 * over), as Cassandra's {@code nodetool cleanup}. Run by the operator rather than automatically: until then, the
 * data a joiner took over stays where it was, which is what lets a join be undone (the joiner removed) without
 * loss. Refused while the ring moves (a node joins or leaves), when a range may be about to come back. The engine
 * rewrites its files on a thread of its own, never the agent's or the storage stage's; progress is in {@code INFO
 * cleanup}.
 */
final class RangeCleanup {
    private final StorageEngine engine;
    private final Consumer<String> events;
    private final Counter running;
    private final Counter completed;
    private final Counter dropped;
    private final Counter lastMillis;

    RangeCleanup(StorageEngine engine, CounterRegistry counters, Consumer<String> events) {
        this.engine = engine;
        this.events = events;
        this.running = counters.register("cleanup_running", "1 while a cleanup drops ranges this node no longer"
            + " replicates", CounterKind.GAUGE, "cleanup");
        this.completed = counters.register("cleanups_completed", "cleanups this node finished", CounterKind.COUNTER,
            "cleanup");
        this.dropped = counters.register("cleanup_records_dropped", "records cleanups dropped (ranges this node no"
            + " longer replicates)", CounterKind.COUNTER, "cleanup");
        this.lastMillis = counters.register("cleanup_last_millis", "how long the last cleanup took",
            CounterKind.GAUGE, "cleanup");
    }

    /**
     * Starts a cleanup against {@code ring}; agent thread.
     *
     * @return what started
     * @throws KvException with {@code INVALID_ARGUMENT} saying why not: one runs, the ring moves, this node owns no
     *     range
     */
    String start(Ring ring, Ring future, NodeId self) {
        if (running.get() == 1) {
            throw new KvException(ErrorCode.INVALID_ARGUMENT, "a cleanup is running on this node already");
        }
        if (!future.equals(ring)) {
            throw new KvException(ErrorCode.INVALID_ARGUMENT, "the ring is moving (a node joins or leaves): run"
                + " cleanup once it has settled");
        }
        if (!ring.contains(self)) {
            throw new KvException(ErrorCode.INVALID_ARGUMENT, "this node owns no range of the ring");
        }
        // the ring is immutable: the cleanup thread may look tokens up in it
        LongPredicate keep = token -> ring.preferenceList(token).contains(self);
        running.setRelease(1);
        Thread.ofPlatform().daemon().name("ringkv-cleanup").start(() -> run(keep));
        return "cleanup started: dropping the records of ranges this node no longer replicates (progress in INFO"
            + " cleanup)";
    }

    private void run(LongPredicate keep) {
        long started = System.nanoTime();
        try {
            long count = engine.dropUnless(keep);
            dropped.addRelease(count);
            events.accept("cleanup dropped " + count + " records of ranges this node no longer replicates");
        } catch (RuntimeException e) {
            events.accept("cleanup failed: " + e.getMessage());
        } finally {
            lastMillis.setRelease((System.nanoTime() - started) / 1_000_000);
            completed.incrementRelease();
            running.setRelease(0);
        }
    }
}
