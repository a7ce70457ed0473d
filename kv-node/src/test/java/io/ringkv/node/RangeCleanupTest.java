package io.ringkv.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.CounterRegistry;
import io.ringkv.api.Key;
import io.ringkv.api.Node;
import io.ringkv.api.NodeId;
import io.ringkv.ring.Ring;
import io.ringkv.storage.RecordVisitor;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageMetrics;
import io.ringkv.storage.StorageRecord;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongPredicate;
import org.junit.jupiter.api.Test;

class RangeCleanupTest {
    private static final NodeId SELF = NodeId.of("a");

    @Test
    void aRangeThatComesBackWhileTheCleanupRunsIsKeptAndARepairPassIsAskedFor() throws Exception {
        // the cleanup dropped by the ring it started with: a range coming back meanwhile (its other replica left)
        // was dropped all the same
        Ring ring = Ring.builder().replicationFactor(1)
            .add(Node.of("a", "127.0.0.1", 7001, 8001), -4_000_000_000_000_000_000L, 0L)
            .add(Node.of("b", "127.0.0.1", 7002, 8002), -2_000_000_000_000_000_000L, 2_000_000_000_000_000_000L)
            .build();
        Ring withoutB = ring.withoutNode(NodeId.of("b"));
        long[] tokens = new long[100];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = Long.MIN_VALUE + (long) i * (Long.MAX_VALUE / 50);
        }
        CountDownLatch ringMoved = new CountDownLatch(1);
        GatedEngine engine = new GatedEngine(tokens, ringMoved);
        CounterRegistry counters = new CounterRegistry();
        List<String> events = new CopyOnWriteArrayList<>();
        AtomicInteger repairs = new AtomicInteger();
        List<Ring> cleaned = new CopyOnWriteArrayList<>();
        RangeCleanup cleanup = new RangeCleanup(engine, counters, events::add, repairs::incrementAndGet, 0,
            (cleanedRing, epoch) -> cleaned.add(cleanedRing));
        cleanup.ringChanged(ring, ring);
        cleanup.start(ring, ring, SELF);
        // b begins to leave: its ranges come back to a
        cleanup.ringChanged(ring, withoutB);
        ringMoved.countDown();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (repairs.get() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(0, engine.dropped.get(), "records of a range this node replicates again were dropped");
        assertEquals(1, repairs.get(), "a repair pass was asked for once the cleanup ended");
        assertEquals(List.of(), cleaned, "a cleanup the ring moved under does not clear the leftovers mark");
        assertEquals(1, counters.value("cleanup_last_ring_moved"));
        assertTrue(events.stream().anyMatch(event -> event.startsWith("the ring moved while the cleanup ran")),
            events.toString());
    }

    @Test
    void aCleanupOnASettledRingDropsWhatThisNodeNoLongerReplicatesAndAsksForNoRepair() throws Exception {
        Ring ring = twoNodes();
        CountDownLatch open = new CountDownLatch(0);
        GatedEngine engine = new GatedEngine(new long[] {-5, -1, 0, 1, 5}, open);
        AtomicInteger repairs = new AtomicInteger();
        List<Ring> cleaned = new CopyOnWriteArrayList<>();
        CounterRegistry counters = new CounterRegistry();
        RangeCleanup cleanup = new RangeCleanup(engine, counters, event -> { }, repairs::incrementAndGet,
            0, (cleanedRing, epoch) -> cleaned.add(cleanedRing));
        cleanup.ringChanged(ring, ring);
        assertTrue(cleanup.start(ring, ring, SELF).startsWith("cleanup 1 started: "));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (cleaned.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(2, engine.dropped.get(), "a keeps (Long.MAX_VALUE, 0]; 1 and 5 are b's");
        assertEquals(0, repairs.get());
        assertEquals(List.of(ring), cleaned, "the ring cleaned against, for the leftovers mark");
        assertEquals(1, counters.value("cleanup_last_number"));
        assertEquals(2, counters.value("cleanup_last_records_dropped"));
        assertEquals(0, counters.value("cleanup_last_failed") + counters.value("cleanup_last_ring_moved"));

        // the next one is numbered on, and the last figures are its own (this engine reports 4 the second time)
        assertTrue(cleanup.start(ring, ring, SELF).startsWith("cleanup 2 started: "));
        while (cleaned.size() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(2, counters.value("cleanup_last_number"));
        assertEquals(4, counters.value("cleanup_last_records_dropped"));
        assertEquals(6, counters.value("cleanup_records_dropped"));
    }

    @Test
    void aCleanupAskedForRightAfterARingChangeWaitsOutWritesRoutedByThePreviousRing() throws Exception {
        Ring ring = twoNodes();
        long[] droppedAt = {0};
        GatedEngine engine = new GatedEngine(new long[] {-5, 1}, new CountDownLatch(0)) {
            @Override
            public long dropUnless(LongPredicate keep) {
                droppedAt[0] = System.nanoTime();
                return super.dropUnless(keep);
            }
        };
        List<Long> epochs = new CopyOnWriteArrayList<>();
        long settle = TimeUnit.MILLISECONDS.toNanos(300);
        RangeCleanup cleanup = new RangeCleanup(engine, new CounterRegistry(), event -> { }, () -> { }, settle,
            (cleanedRing, epoch) -> epochs.add(epoch));
        cleanup.ringChanged(ring, ring);
        long asked = System.nanoTime();
        String answer = cleanup.start(ring, ring, SELF, 7);
        assertTrue(answer.startsWith("cleanup 1 starts in 1 s, once writes routed by the ring before its last change"),
            answer);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (epochs.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(List.of(7L), epochs, "the epoch the cleanup started at, given back");
        assertTrue(droppedAt[0] - asked >= settle - TimeUnit.MILLISECONDS.toNanos(50) , "dropped "
            + (droppedAt[0] - asked) / 1_000_000 + " ms after a ring change, before the previous ring's writes ended");
        assertEquals(1, engine.dropped.get());
    }

    @Test
    void aCleanupThatFailsWithAnErrorSaysSo() throws Exception {
        Ring ring = Ring.builder().replicationFactor(1).add(Node.of("a", "127.0.0.1", 7001, 8001), 0L).build();
        GatedEngine engine = new GatedEngine(new long[] {1}, new CountDownLatch(0)) {
            @Override
            public long dropUnless(LongPredicate keep) {
                throw new InternalError("a fault occurred in an unsafe memory access operation");
            }
        };
        List<String> events = new CopyOnWriteArrayList<>();
        CounterRegistry counters = new CounterRegistry();
        List<Ring> cleaned = new CopyOnWriteArrayList<>();
        RangeCleanup cleanup = new RangeCleanup(engine, counters, events::add, () -> { }, 0,
            (cleanedRing, epoch) -> cleaned.add(cleanedRing));
        cleanup.ringChanged(ring, ring);
        cleanup.start(ring, ring, SELF);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (counters.value("cleanups_completed") == 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(List.of("cleanup failed: a fault occurred in an unsafe memory access operation"), events);
        assertEquals(List.of(), cleaned, "a failed cleanup does not clear the leftovers mark");
        assertEquals(1, counters.value("cleanups_failed"));
        assertEquals(1, counters.value("cleanup_last_failed"));
        assertEquals(1, counters.value("cleanup_last_number"));
    }

    /** @return a, replicating (Long.MAX_VALUE, 0], and b, the rest, one copy each */
    private static Ring twoNodes() {
        return Ring.builder().replicationFactor(1)
            .add(Node.of("a", "127.0.0.1", 7001, 8001), 0L)
            .add(Node.of("b", "127.0.0.1", 7002, 8002), Long.MAX_VALUE)
            .build();
    }

    /** An engine holding records at {@code tokens} whose drop waits for {@code gate}. */
    private static class GatedEngine implements StorageEngine {
        final long[] tokens;
        final CountDownLatch gate;
        final AtomicInteger dropped = new AtomicInteger();
        volatile boolean done;

        GatedEngine(long[] tokens, CountDownLatch gate) {
            this.tokens = tokens;
            this.gate = gate;
        }

        @Override
        public long dropUnless(LongPredicate keep) {
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            for (long token : tokens) {
                if (!keep.test(token)) {
                    dropped.incrementAndGet();
                }
            }
            done = true;
            return dropped.get();
        }

        @Override
        public String name() {
            return "gated";
        }

        @Override
        public boolean isVolatile() {
            return true;
        }

        @Override
        public void put(long token, Key key, byte[] version, byte[] value) {
        }

        @Override
        public void delete(long token, Key key, byte[] version) {
        }

        @Override
        public StorageRecord get(long token, Key key) {
            return null;
        }

        @Override
        public void scan(long startExclusive, long endInclusive, RecordVisitor visitor) {
        }

        @Override
        public void flush() {
        }

        @Override
        public StorageMetrics metrics() {
            return null;
        }

        @Override
        public void close() {
        }
    }
}
