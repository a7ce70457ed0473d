package io.ringkv.storage.lsm.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.Key;
import io.ringkv.api.KvException;
import io.ringkv.storage.EngineConfig;
import io.ringkv.storage.lsm.LsmOptions;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Commit log failures injected under the engine: a segment that cannot be created when the memtable rolls (a full
 * disk) must not turn a write that is already logged and applied into a refusal, and a failed fsync must never be
 * followed by a write reported durable (Linux drops the pages a failed fsync could not write, so a retry
 * "succeeds" without them).
 */
class CommitLogFailureTest {
    private static final byte[] VERSION = {1};
    private static final int VALUE_BYTES = 1000;

    @TempDir
    Path data;

    /** Creates and forces segments on the real file system, failing while a test says so. */
    private static final class FailingFiles implements CommitLog.SegmentFiles {
        final AtomicBoolean failCreate = new AtomicBoolean();
        final AtomicInteger forceFailures = new AtomicInteger();
        final AtomicBoolean failClose = new AtomicBoolean();

        @Override
        public void close(FileChannel channel) throws IOException {
            channel.close();
            if (failClose.get()) {
                throw new IOException("Input/output error");
            }
        }

        @Override
        public FileChannel create(Path path) throws IOException {
            if (failCreate.get()) {
                throw new IOException("No space left on device");
            }
            return CommitLog.SegmentFiles.super.create(path);
        }

        @Override
        public void force(FileChannel channel) throws IOException {
            if (forceFailures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new IOException("Input/output error");
            }
            CommitLog.SegmentFiles.super.force(channel);
        }
    }

    private LsmEngine open(Map<String, String> options, CommitLog.SegmentFiles files) {
        DiskSpace.Probe plenty = new DiskSpace.Probe() {
            @Override
            public long usableBytes() {
                return 1L << 40;
            }

            @Override
            public long totalBytes() {
                return 1L << 41;
            }
        };
        return LsmEngine.open(EngineConfig.of(data, "store"), LsmOptions.parse(options), System::currentTimeMillis,
            plenty, files);
    }

    @Test
    void anOpenThatFailsWithAnErrorReleasesTheDirectoryForTheNextOpen() {
        // only I/O and runtime exceptions closed the directory's lock: after an Error (an InternalError of a fault
        // under a mapped table, say) every later open in the process found the store "in use"
        CommitLog.SegmentFiles failing = new CommitLog.SegmentFiles() {
            @Override
            public FileChannel create(Path path) {
                throw new InternalError("a fault occurred in an unsafe memory access operation");
            }
        };
        assertThrows(InternalError.class, () -> open(Map.of(), failing));
        try (LsmEngine engine = open(Map.of(), CommitLog.SegmentFiles.REAL)) {
            engine.put(1, key(1), VERSION, value(1));
            assertArrayEquals(value(1), engine.get(1, key(1)).value());
        }
    }

    @Test
    void flushedSegmentsADeletionFailedOnAreAllTriedAndTriedAgainAfterTheNextFlush() throws IOException {
        // the segments a failed deletion left were never tried again until a restart (and the first failure of a
        // memtable's several segments, as the one replayed at a start has, stopped the loop)
        AtomicBoolean failDeletes = new AtomicBoolean();
        List<Path> refused = new java.util.concurrent.CopyOnWriteArrayList<>();
        CommitLog.SegmentFiles files = new CommitLog.SegmentFiles() {
            @Override
            public void delete(Path path) throws IOException {
                if (failDeletes.get()) {
                    refused.add(path);
                    throw new IOException("Input/output error");
                }
                CommitLog.SegmentFiles.super.delete(path);
            }
        };
        Map<String, String> options = Map.of("sync", "always", "memtable-bytes", "8k");
        try (LsmEngine engine = open(options, files)) {
            failDeletes.set(true);
            int written = 0;
            while (engine.metrics().extra().get("commitlog_roll_failures") == 0 && segments() < 3) {
                engine.put(written, key(written), VERSION, value(written));
                written++;
            }
            engine.flushMemtables();
            // the flusher deletes a memtable's segments after it published its table, which ends the wait above
            awaitUntil(() -> refused.stream().distinct().count() >= 2, refused);
            assertTrue(segments() >= 3, "none deleted");
            failDeletes.set(false);
            engine.put(written, key(written), VERSION, value(written));
            engine.flushMemtables();
            awaitUntil(() -> segments() == 1, refused);
            for (int i = 0; i <= written; i++) {
                assertArrayEquals(value(i), engine.get(i, key(i)).value());
            }
        }
    }

    @Test
    void aWriteWhoseMemtableRollFindsNoSpaceSucceedsAndTheRollIsTriedAgain() throws IOException {
        Map<String, String> options = Map.of("sync", "always", "memtable-bytes", "8k");
        FailingFiles files = new FailingFiles();
        int written = 0;
        try (LsmEngine engine = open(options, files)) {
            files.failCreate.set(true);
            // the write that fills the memtable triggers the roll, which cannot create the next segment
            while (engine.metrics().extra().get("commitlog_roll_failures") == 0) {
                engine.put(written, key(written), VERSION, value(written));
                written++;
                assertTrue(written < 100, "the memtable never rolled");
            }
            assertArrayEquals(value(written - 1), engine.get(written - 1, key(written - 1)).value());
            // the next write tries the roll first and is refused before anything is logged or applied
            int refused = written;
            KvException full = assertThrows(KvException.class,
                () -> engine.put(refused, key(refused), VERSION, value(refused)));
            assertEquals(ErrorCode.DISK_FULL, full.code(), full.getMessage());
            assertNull(engine.get(refused, key(refused)));
            assertEquals(1, segments(), "a failed roll leaves no segment behind");

            files.failCreate.set(false);
            engine.put(refused, key(refused), VERSION, value(refused));
            written++;
            assertEquals(2L, engine.metrics().extra().get("commitlog_roll_failures"));
        }
        try (LsmEngine engine = open(options, CommitLog.SegmentFiles.REAL)) {
            for (int i = 0; i < written; i++) {
                assertNotNull(engine.get(i, key(i)), "write " + i + " was acknowledged and lost");
                assertArrayEquals(value(i), engine.get(i, key(i)).value());
            }
        }
    }

    @Test
    void aSegmentThatFailsToCloseAfterItsRollDoesNotStopLaterWritesOrRolls() throws IOException {
        // the close's failure used to escape after the log had moved to the next segment, while the engine still
        // named the old one: every later roll then failed to create a segment that existed, and every write failed
        Map<String, String> options = Map.of("sync", "always", "memtable-bytes", "8k");
        FailingFiles files = new FailingFiles();
        files.failClose.set(true);
        int written = 0;
        try (LsmEngine engine = open(options, files)) {
            // 1 KB values in 8 KiB memtables: a dozen rolls, each closing a segment that fails to close
            for (; written < 100; written++) {
                engine.put(written, key(written), VERSION, value(written));
            }
        }
        try (LsmEngine engine = open(options, CommitLog.SegmentFiles.REAL)) {
            for (int i = 0; i < written; i++) {
                assertNotNull(engine.get(i, key(i)), "write " + i + " was acknowledged and lost");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"always", "batch"})
    void aFailedFsyncRefusesTheWriteAndEveryLaterOneInsteadOfRetrying(String policy) {
        FailingFiles files = new FailingFiles();
        try (LsmEngine engine = open(Map.of("sync", policy), files)) {
            engine.put(0, key(0), VERSION, value(0));
            files.forceFailures.set(1);
            KvException failed = assertThrows(KvException.class, () -> engine.put(1, key(1), VERSION, value(1)));
            assertEquals(ErrorCode.STORAGE_FAILURE, failed.code());
            // the next fsync would succeed: the log must not take that as proof that the lost pages are on disk
            KvException refused = assertThrows(KvException.class, () -> engine.put(2, key(2), VERSION, value(2)));
            assertEquals(ErrorCode.STORAGE_FAILURE, refused.code());
            assertTrue(refused.getMessage().contains("fsync failed") && refused.getMessage().contains("restart"),
                refused.getMessage());
            assertNull(engine.get(2, key(2)), "a refused write changed nothing");
            assertArrayEquals(value(0), engine.get(0, key(0)).value(), "reads are still served");
            assertEquals(1L, engine.metrics().extra().get("commitlog_sync_failures"));
        }
    }

    @Test
    void aFailedFsyncWhenTheMemtableRollsRefusesLaterWrites() {
        FailingFiles files = new FailingFiles();
        try (LsmEngine engine = open(Map.of("sync", "periodic", "periodic-sync-ms", "600000",
            "memtable-bytes", "8k"), files)) {
            files.forceFailures.set(1);
            int written = 0;
            while (engine.metrics().extra().get("commitlog_sync_failures") == 0) {
                engine.put(written, key(written), VERSION, value(written));
                written++;
                assertTrue(written < 100, "the memtable never rolled");
            }
            int next = written;
            KvException refused = assertThrows(KvException.class,
                () -> engine.put(next, key(next), VERSION, value(next)));
            assertEquals(ErrorCode.STORAGE_FAILURE, refused.code());
        }
    }

    private interface Condition {
        boolean holds() throws IOException;
    }

    private static void awaitUntil(Condition condition, Object shown) throws IOException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
        while (!condition.holds()) {
            assertTrue(System.nanoTime() - deadline < 0, "not within 20 s: " + shown);
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    private long segments() throws IOException {
        try (Stream<Path> files = Files.list(data.resolve("store"))) {
            return files.filter(path -> CommitLog.segmentId(path.getFileName().toString()) >= 0).count();
        }
    }

    private static Key key(int i) {
        return Key.of(("key-" + i).getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] value(int i) {
        byte[] value = new byte[VALUE_BYTES];
        Arrays.fill(value, (byte) i);
        return value;
    }
}
