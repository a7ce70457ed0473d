package io.ringkv.node.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.CounterRegistry;
import io.ringkv.api.Key;
import io.ringkv.storage.RecordVisitor;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageMetrics;
import io.ringkv.storage.StorageRecord;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class EngineStageTest {
    private static final int WRITES = 1_000;

    @Test
    void theSyncerForcesTheFirstWritesWhileTheApplierStillWorksThroughALongQueue() throws Exception {
        CountDownLatch allQueued = new CountDownLatch(1);
        CountDownLatch firstForce = new CountDownLatch(1);
        AtomicBoolean forcedBeforeTheLaterWrites = new AtomicBoolean();
        AtomicInteger puts = new AtomicInteger();
        StorageEngine engine = new CountingEngine() {
            @Override
            public void put(long token, Key key, byte[] version, byte[] value) {
                int put = puts.incrementAndGet();
                try {
                    if (put == 1) {
                        // the whole queue is there before the applier takes its second task
                        allQueued.await(10, TimeUnit.SECONDS);
                    } else if (put == 300) {
                        // a pass of every queued write would reach this point before any force
                        forcedBeforeTheLaterWrites.set(firstForce.await(10, TimeUnit.SECONDS));
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }

            @Override
            public void flush() {
                firstForce.countDown();
            }
        };
        AtomicInteger completed = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        try (EngineStage stage = new EngineStage("test", "test_stage", "storage", engine, 4_096, () -> { },
                metrics -> { }, new CounterRegistry())) {
            // this thread plays the agent: it submits, then drains the completions
            for (int i = 0; i < WRITES; i++) {
                Key key = Key.of(("k" + i).getBytes(StandardCharsets.US_ASCII));
                assertTrue(stage.write(i, e -> {
                    e.put(0, key, new byte[] {1}, new byte[] {2});
                    return null;
                }, (result, failure) -> (failure == null ? completed : failed).incrementAndGet()));
            }
            allQueued.countDown();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (completed.get() + failed.get() < WRITES && System.nanoTime() < deadline) {
                if (stage.drainCompletions() == 0) {
                    Thread.sleep(1);
                }
            }
        }
        assertEquals(WRITES, completed.get(), "every write completes after a force covered it");
        assertTrue(forcedBeforeTheLaterWrites.get(), "the first force came while later queued writes still waited"
            + " for the applier");
    }

    /** An engine that keeps nothing: the test overrides what it watches. */
    private abstract static class CountingEngine implements StorageEngine {
        @Override
        public String name() {
            return "counting";
        }

        @Override
        public boolean isVolatile() {
            return true;
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
        public StorageMetrics metrics() {
            return null;
        }

        @Override
        public void close() {
        }
    }
}
