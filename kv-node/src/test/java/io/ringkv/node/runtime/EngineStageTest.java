package io.ringkv.node.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.CounterRegistry;
import io.ringkv.api.Key;
import io.ringkv.storage.RecordVisitor;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageMetrics;
import io.ringkv.storage.StorageRecord;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
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

    /**
     * A duty cycle of the agent that submits many tasks wakes a parked applier once, at the cycle's end (a wake-up
     * of a parked thread is a system call, and on a virtual machine an interrupt to another core), not at each task.
     */
    @Test
    void aCycleThatSubmitsManyTasksWakesTheParkedApplierOnceAtItsEnd() throws Exception {
        AtomicInteger completed = new AtomicInteger();
        // parked for an hour unless woken: only the cycle's wake-up can run the tasks
        try (EngineStage stage = new EngineStage("test", "test_stage", "storage", new NothingEngine(), 4_096,
                () -> { }, metrics -> { }, new CounterRegistry(), TimeUnit.HOURS.toNanos(1))) {
            stage.wakeAtCycleEnd();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!stage.applierParked() && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertTrue(stage.applierParked(), "the idle applier parks");
            // this thread plays the agent: one duty cycle submits ten reads, then ends
            for (int i = 0; i < 10; i++) {
                assertTrue(stage.read(i, engine -> null, (result, failure) -> completed.incrementAndGet()));
            }
            assertEquals(0, stage.applierWakes(), "no wake-up before the cycle ends");
            stage.endCycle();
            assertEquals(1, stage.applierWakes(), "one wake-up for the cycle");
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (completed.get() < 10 && System.nanoTime() < deadline) {
                if (stage.drainCompletions() == 0) {
                    Thread.sleep(1);
                }
            }
            assertEquals(10, completed.get(), "every task the cycle submitted ran");
            long wakes = stage.applierWakes();
            stage.endCycle();
            assertEquals(wakes, stage.applierWakes(), "a cycle that submitted nothing wakes nobody");
        }
    }

    @Test
    void readsOfWritesAFailedForceLeftUnforcedWaitForAForceThatSucceeds() throws Exception {
        FailingForces engine = new FailingForces();
        Key key = Key.of(new byte[] {7});
        try (EngineStage stage = new EngineStage("test", "test_stage", "storage", engine, 64, () -> { },
                metrics -> { }, new CounterRegistry())) {
            assertEquals("no room to write", await(stage, true, 7, key), "the write is not acknowledged");
            // the engine holds the write but could not make it durable: a read must not answer with it
            assertEquals("no room to write", await(stage, false, 7, key), "a read of the unforced write");
            assertEquals(null, await(stage, false, 8, key), "a read of another token answers at once");
            engine.failing.set(false);
            assertEquals(null, await(stage, false, 7, key), "once a force succeeds, the read answers");
        }
    }

    @Test
    void aReadAfterAWriteThatFailedOnceItChangedTheEngineWaitsForAForceToo() throws Exception {
        // a write may fail after the engine applied it (its wait for a durable log failed): its token used to be
        // left out of the unforced ones, and a read of it answered at once, before any force
        FailingForces engine = new FailingForces() {
            @Override
            public void put(long token, Key key, byte[] version, byte[] value) {
                throw new io.ringkv.api.KvException(io.ringkv.api.ErrorCode.STORAGE_FAILURE, "log closed");
            }
        };
        Key key = Key.of(new byte[] {7});
        try (EngineStage stage = new EngineStage("test", "test_stage", "storage", engine, 64, () -> { },
                metrics -> { }, new CounterRegistry())) {
            assertEquals("log closed", await(stage, true, 7, key));
            assertEquals("no room to write", await(stage, false, 7, key), "the read answered before a force");
            engine.failing.set(false);
            assertEquals(null, await(stage, false, 7, key), "once a force succeeds, the read answers");
        }
    }

    @Test
    void anErrorInATaskOrAForceFailsThatWorkAndTheStageRunsOn() throws Exception {
        // an Error used to end the applier or the syncer thread: every later task then waited for good
        AtomicInteger forces = new AtomicInteger();
        StorageEngine engine = new CountingEngine() {
            @Override
            public StorageRecord get(long token, Key key) {
                if (token == 1) {
                    throw new OutOfMemoryError("Java heap space");
                }
                return null;
            }

            @Override
            public void put(long token, Key key, byte[] version, byte[] value) {
            }

            @Override
            public void flush() {
                if (forces.incrementAndGet() == 1) {
                    throw new StackOverflowError();
                }
            }
        };
        Key key = Key.of(new byte[] {7});
        try (EngineStage stage = new EngineStage("test", "test_stage", "storage", engine, 64, () -> { },
                metrics -> { }, new CounterRegistry())) {
            assertEquals("storage task failed: java.lang.OutOfMemoryError: Java heap space",
                await(stage, false, 1, key));
            assertEquals(null, await(stage, false, 2, key), "the applier survived the task's error");
            assertEquals("storage force failed: java.lang.StackOverflowError", await(stage, true, 3, key));
            assertEquals(null, await(stage, true, 3, key), "the syncer survived the force's error");
        }
    }

    @Test
    void aWriteWhoseForceFailedForWantOfSpaceWaitsForAForceThatSucceedsAndIsThenAcknowledged() throws Exception {
        // reported failed, the write was not sent on by its coordinator, though the engine kept it and wrote it with
        // its next force: it became durable on this replica alone
        ForcesFailWith engine = new ForcesFailWith();
        AtomicInteger forces = engine.forces;
        AtomicReference<io.ringkv.api.ErrorCode> failWith = engine.failWith;
        Key key = Key.of(new byte[] {7});
        CounterRegistry counters = new CounterRegistry();
        try (EngineStage stage = new EngineStage("test", "test_stage", "storage", engine, 64, () -> { },
                metrics -> { }, counters)) {
            AtomicReference<String> written = new AtomicReference<>();
            assertTrue(stage.write(7, e -> {
                e.put(7, key, new byte[] {1}, new byte[] {2});
                return null;
            }, (result, error) -> written.set(error == null ? "written" : error.getMessage())));
            // no new work comes, yet the stage forces again and again
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (counters.value("test_stage_forces_failed_for_space") < 3 && System.nanoTime() < deadline) {
                stage.drainCompletions();
                Thread.sleep(1);
            }
            assertTrue(counters.value("test_stage_forces_failed_for_space") >= 3, "forced again");
            assertEquals(null, written.get(), "the write waits");
            assertEquals(1, counters.value("test_stage_awaiting_space"));
            assertEquals("storage force failed, after the write was applied: no space left on device",
                await(stage, false, 7, key), "a read of its token fails with the force");
            assertEquals(null, await(stage, false, 8, key), "a read of another token answers");
            failWith.set(null);
            while (written.get() == null && System.nanoTime() < deadline) {
                stage.drainCompletions();
                Thread.sleep(1);
            }
            assertEquals("written", written.get());
            assertEquals(0, counters.value("test_stage_awaiting_space"));
            assertEquals(null, await(stage, false, 7, key), "forced, its token reads");

            // another failure after one for want of space: what it lost is unknown, and the waiting writes fail
            failWith.set(io.ringkv.api.ErrorCode.DISK_FULL);
            written.set(null);
            int before = forces.get();
            assertTrue(stage.write(7, e -> null, (result, error) -> written.set(error == null ? "written"
                : error.code() + " " + error.getMessage())));
            while (forces.get() < before + 2 && System.nanoTime() < deadline) {
                stage.drainCompletions();
                Thread.sleep(1);
            }
            failWith.set(io.ringkv.api.ErrorCode.STORAGE_FAILURE);
            while (written.get() == null && System.nanoTime() < deadline) {
                stage.drainCompletions();
                Thread.sleep(1);
            }
            assertEquals("STORAGE_FAILURE no space left on device", written.get());
            assertEquals(0, counters.value("test_stage_awaiting_space"));
        }
    }

    @Test
    void whileWritesWaitForSpaceNewOnesAreRefusedUnappliedAndReadsAnswer() throws Exception {
        // with a large log buffer and small values, writes waiting for space could fill the stage, and every read was
        // refused until the disk had room again; nor could a new write be acknowledged before then
        ForcesFailWith engine = new ForcesFailWith();
        AtomicReference<io.ringkv.api.ErrorCode> failWith = engine.failWith;
        Key key = Key.of(new byte[] {7});
        CounterRegistry counters = new CounterRegistry();
        try (EngineStage stage = new EngineStage("test", "test_stage", "storage", engine, 64, () -> { },
                metrics -> { }, counters)) {
            List<String> written = new java.util.concurrent.CopyOnWriteArrayList<>();
            assertTrue(stage.write(7, e -> null, (result, error) -> written.add(error == null ? "written"
                : error.code().name())));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (counters.value("test_stage_awaiting_space") < 1 && System.nanoTime() < deadline) {
                stage.drainCompletions();
                Thread.sleep(1);
            }
            assertEquals(1, counters.value("test_stage_awaiting_space"));
            AtomicBoolean ran = new AtomicBoolean();
            assertEquals("no space left for storage: 1 writes already wait for space",
                await(stage, completion -> stage.write(9, e -> {
                    ran.set(true);
                    return null;
                }, completion)), "a write while one waits for space is refused");
            assertFalse(ran.get(), "a refused write is not applied");
            assertEquals(null, await(stage, false, 9, key), "a read of its token answers: nothing waits for it");
            assertEquals(List.of(), written, "the first write still waits");
            failWith.set(null);
            while (written.isEmpty() && System.nanoTime() < deadline) {
                stage.drainCompletions();
                Thread.sleep(1);
            }
            assertEquals(List.of("written"), written);
            assertEquals(null, await(stage, true, 7, key), "with room again, writes are applied");
        }
    }

    @Test
    void aScanWaitsForTheForceOfEveryEarlierWriteWhateverItsToken() throws Exception {
        // a page of a client's scan used to answer at once, listing a write no force had made durable yet
        FailingForces engine = new FailingForces();
        Key key = Key.of(new byte[] {7});
        try (EngineStage stage = new EngineStage("test", "test_stage", "storage", engine, 64, () -> { },
                metrics -> { }, new CounterRegistry())) {
            assertEquals("no room to write", await(stage, true, 7, key));
            assertEquals("no room to write", await(stage, completion -> stage.scan(99, e -> null, completion)),
                "a scan of the range after the unforced write");
            assertEquals(null, await(stage, false, 99, key), "a read of another token answers at once");
            engine.failing.set(false);
            assertEquals(null, await(stage, completion -> stage.scan(99, e -> null, completion)),
                "once a force succeeds, the scan answers");
        }
    }

    /** Submits a write or a read of {@code token} and drains completions until it ends: its failure's message. */
    private static String await(EngineStage stage, boolean write, long token, Key key) throws InterruptedException {
        return await(stage, completion -> write ? stage.write(token, e -> {
            e.put(token, key, new byte[] {1}, new byte[] {2});
            return null;
        }, completion) : stage.read(token, e -> e.get(token, key), completion));
    }

    /** Submits a task with {@code submit} and drains completions until it ends: its failure's message. */
    private static String await(EngineStage stage,
                                java.util.function.Predicate<io.ringkv.storage.StorageCompletion<Object>> submit)
            throws InterruptedException {
        String[] outcome = new String[1];
        AtomicBoolean done = new AtomicBoolean();
        io.ringkv.storage.StorageCompletion<Object> completion = (result, failure) -> {
            outcome[0] = failure == null ? null : failure.getMessage();
            done.set(true);
        };
        assertTrue(submit.test(completion));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!done.get() && System.nanoTime() < deadline) {
            if (stage.drainCompletions() == 0) {
                Thread.sleep(1);
            }
        }
        assertTrue(done.get(), "completed");
        return outcome[0];
    }

    @Test
    void aFaultUnderAnEnginesMappingFailsItsTaskAndTheApplierRunsOn() throws Exception {
        StorageEngine engine = new CountingEngine() {
            @Override
            public StorageRecord get(long token, Key key) {
                if (token == 1) {
                    // what the JVM throws for a fault on a mapped page, possibly after the access that caused it
                    throw new InternalError("a fault occurred in an unsafe memory access operation");
                }
                return null;
            }

            @Override
            public void put(long token, Key key, byte[] version, byte[] value) {
            }

            @Override
            public void flush() {
            }
        };
        java.util.List<String> outcomes = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (EngineStage stage = new EngineStage("test", "test_stage", "storage", engine, 16, () -> { },
                metrics -> { }, new CounterRegistry())) {
            for (long token = 1; token <= 2; token++) {
                long read = token;
                assertTrue(stage.read(token, e -> e.get(read, Key.utf8("k")), (result, failure) -> outcomes.add(
                    failure == null ? "read " + read : failure.code() + " " + failure.getMessage())));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (outcomes.size() < 2 && System.nanoTime() < deadline) {
                if (stage.drainCompletions() == 0) {
                    Thread.sleep(1);
                }
            }
        }
        assertEquals(2, outcomes.size(), outcomes.toString());
        assertTrue(outcomes.get(0).startsWith("STORAGE_FAILURE") && outcomes.get(0).contains("unsafe memory access"),
            outcomes.toString());
        assertEquals("read 2", outcomes.get(1), "the applier survived the first task's error");
    }

    /** An engine that keeps nothing and whose forces fail ("no room to write") while {@code failing} is set. */
    static class FailingForces extends CountingEngine {
        final AtomicBoolean failing = new AtomicBoolean(true);

        @Override
        public void put(long token, Key key, byte[] version, byte[] value) {
        }

        @Override
        public void flush() {
            if (failing.get()) {
                throw new io.ringkv.api.KvException(io.ringkv.api.ErrorCode.STORAGE_FAILURE, "no room to write");
            }
        }
    }

    /** An engine that keeps nothing, and whose forces fail with {@link #failWith}'s code while it is set. */
    static final class ForcesFailWith extends CountingEngine {
        final AtomicInteger forces = new AtomicInteger();
        final AtomicReference<io.ringkv.api.ErrorCode> failWith =
            new AtomicReference<>(io.ringkv.api.ErrorCode.DISK_FULL);

        @Override
        public void put(long token, Key key, byte[] version, byte[] value) {
        }

        @Override
        public void flush() {
            forces.incrementAndGet();
            io.ringkv.api.ErrorCode code = failWith.get();
            if (code != null) {
                throw new io.ringkv.api.KvException(code, "no space left on device");
            }
        }
    }

    /** An engine that keeps nothing and forces nothing. */
    static final class NothingEngine extends CountingEngine {
        @Override
        public void put(long token, Key key, byte[] version, byte[] value) {
        }

        @Override
        public void flush() {
        }
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
