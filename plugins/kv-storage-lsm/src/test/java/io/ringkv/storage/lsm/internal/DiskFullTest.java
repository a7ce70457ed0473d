package io.ringkv.storage.lsm.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.Key;
import io.ringkv.api.KvException;
import io.ringkv.storage.EngineConfig;
import io.ringkv.storage.StorageMetrics;
import io.ringkv.storage.StorageRecord;
import io.ringkv.storage.lsm.LsmOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk: writes are refused with {@code DISK_FULL} saying how much is free, reads go on, the store opens
 * again on the full disk, and writes resume once space is freed, without a restart.
 */
class DiskFullTest {
    private static final long MIB = 1 << 20;
    private static final byte[] VERSION = {1};

    @TempDir
    Path data;

    @Test
    void writesBelowTheReserveAreRefusedWithDiskFullAndResumeOnceSpaceIsFreed() {
        AtomicLong free = new AtomicLong(100 * MIB);
        DiskSpace.Probe probe = probe(free, 1000 * MIB);
        try (LsmEngine engine = LsmEngine.open(EngineConfig.of(data, "store"), LsmOptions.parse(Map.of()),
            System::currentTimeMillis, probe)) {
            engine.put(1, key(1), VERSION, value(1, 100));
        }
        free.set(10 * MIB);
        try (LsmEngine engine = LsmEngine.open(EngineConfig.of(data, "store"), LsmOptions.parse(Map.of()),
            System::currentTimeMillis, probe)) {
            // default reserve: the smaller of 64 MiB and 5 % of 1000 MiB = 50 MiB; 10 MiB free is below it
            KvException refused = assertThrows(KvException.class, () -> engine.put(2, key(2), VERSION, value(2, 100)));
            assertEquals(ErrorCode.DISK_FULL, refused.code());
            assertTrue(refused.getMessage().contains("10.0 MiB free") && refused.getMessage().contains("50.0 MiB"),
                refused.getMessage());
            assertEquals(ErrorCode.DISK_FULL, assertThrows(KvException.class,
                () -> engine.delete(1, key(1), VERSION)).code());
            assertArrayEquals(value(1, 100), engine.get(1, key(1)).value(), "reads are still served");
            Map<String, Long> extra = engine.metrics().extra();
            assertEquals(1L, extra.get(StorageMetrics.DISK_FULL));
            assertEquals(2L, extra.get(StorageMetrics.WRITES_REFUSED_DISK_FULL));
            assertEquals(10 * MIB, extra.get(StorageMetrics.DISK_FREE_BYTES));

            free.set(60 * MIB);
            engine.put(2, key(2), VERSION, value(2, 100));
            assertArrayEquals(value(2, 100), engine.get(2, key(2)).value());
            assertEquals(0L, engine.metrics().extra().get(StorageMetrics.DISK_FULL));
        }
    }

    @Test
    void theFileSystemIsAskedAgainBeforeTheWritesCouldReachTheReserve() {
        AtomicLong free = new AtomicLong(64 * MIB + 3 * MIB);
        try (LsmEngine engine = LsmEngine.open(EngineConfig.of(data, "store"), LsmOptions.parse(Map.of()),
            System::currentTimeMillis, probe(free, 100_000 * MIB))) {
            engine.put(0, key(0), VERSION, value(0, 1000));
            // space used elsewhere: the engine notices within its probe budget, long before 3 MiB are written
            free.set(64 * MIB - 1);
            int accepted = 0;
            try {
                while (accepted < 10_000) {
                    engine.put(accepted, key(accepted), VERSION, value(accepted, 1000));
                    accepted++;
                }
                fail("writes were never refused");
            } catch (KvException e) {
                assertEquals(ErrorCode.DISK_FULL, e.code());
            }
            assertTrue(accepted * 1000L <= 2 * DiskSpace.PROBE_EVERY_BYTES, accepted + " writes accepted");
        }
    }

    @Test
    void aFullDiskRefusesWritesServesReadsOpensAgainAndResumesWhenSpaceIsFreed() throws Exception {
        try (Tmpfs disk = Tmpfs.mount(data, 4 * MIB)) {
            // the default reserve (5 % of 4 MiB); the commit log alone holds the writes (large memtable)
            Map<String, String> options = Map.of("sync", "always");
            EngineConfig config = EngineConfig.of(data, "store");
            int written;
            try (LsmEngine engine = open(config, options)) {
                written = fill(engine);
                assertTrue(written > 100, "only " + written + " writes fitted");
                for (int i = 0; i < written; i += 7) {
                    assertArrayEquals(value(i, 3000), engine.get(i, key(i)).value(), "read of key " + i);
                }
            }
            // the log holds nearly the whole disk: replaying it must not need that much free space again
            try (LsmEngine engine = open(config, options)) {
                for (int i = 0; i < written; i++) {
                    StorageRecord record = engine.get(i, key(i));
                    assertNotNull(record, "acknowledged key " + i + " after the restart");
                    assertArrayEquals(value(i, 3000), record.value());
                }
                KvException refused = assertThrows(KvException.class,
                    () -> engine.put(written, key(written), VERSION, value(written, 3000)));
                assertEquals(ErrorCode.DISK_FULL, refused.code(), refused.toString());

                disk.resize(64 * MIB);
                engine.flushMemtables();
                engine.put(written, key(written), VERSION, value(written, 3000));
                assertArrayEquals(value(written, 3000), engine.get(written, key(written)).value());
            }
        }
    }

    @Test
    void aWriteCutShortByAFullDiskDoesNotHideTheWritesAfterIt() throws Exception {
        try (Tmpfs disk = Tmpfs.mount(data, 4 * MIB)) {
            Map<String, String> options = Map.of("min-free-bytes", "0", "sync", "always");
            EngineConfig config = EngineConfig.of(data, "store");
            int written;
            int more = 50;
            // the engine last looked at the disk when it had room, and another process took the rest since:
            // the writes run into the real ENOSPC, one of them (3000 bytes, not page aligned) cut short
            AtomicLong plenty = new AtomicLong(1L << 40);
            try (LsmEngine engine = LsmEngine.open(config, LsmOptions.parse(options), System::currentTimeMillis,
                probe(plenty, 1L << 41))) {
                written = fill(engine);
                disk.resize(64 * MIB);
                for (int i = written; i < written + more; i++) {
                    engine.put(i, key(i), VERSION, value(i, 3000));
                }
            }
            try (LsmEngine engine = open(config, options)) {
                for (int i = 0; i < written + more; i++) {
                    assertNotNull(engine.get(i, key(i)), "acknowledged key " + i + " of " + (written + more)
                        + " after the restart (" + written + " before the disk filled)");
                }
            }
        }
    }

    @Test
    void bufferedAppendsThatFindTheDiskFullStayBufferedUntilAFlushWritesThem() throws Exception {
        try (Tmpfs disk = Tmpfs.mount(data, 4 * MIB)) {
            Map<String, String> options = Map.of("min-free-bytes", "0", "log-buffer-bytes", "64k");
            EngineConfig config = EngineConfig.of(data, "store");
            int written;
            AtomicLong plenty = new AtomicLong(1L << 40);
            try (LsmEngine engine = LsmEngine.open(config, LsmOptions.parse(options), System::currentTimeMillis,
                probe(plenty, 1L << 41))) {
                // the put whose append finds the buffer full writes it, runs into ENOSPC and is refused
                written = fill(engine);
                assertTrue(engine.metrics().extra().get("commitlog_write_failures") >= 1);
                KvException unwritten = assertThrows(KvException.class, engine::flush);
                assertEquals(ErrorCode.DISK_FULL, unwritten.code(), unwritten.toString());
                assertTrue(unwritten.getMessage().contains("disk full") && unwritten.getMessage().contains("stay"
                    + " buffered"), unwritten.getMessage());
                disk.resize(64 * MIB);
                engine.flush();
                assertEquals(0L, engine.metrics().extra().get("commitlog_sync_failures"), "the log is not poisoned");
                engine.put(written, key(written), VERSION, value(written, 3000));
                engine.flush();
            }
            try (LsmEngine engine = open(config, options)) {
                for (int i = 0; i <= written; i++) {
                    StorageRecord record = engine.get(i, key(i));
                    assertNotNull(record, "flushed key " + i + " of " + written + " after the restart");
                    assertArrayEquals(value(i, 3000), record.value());
                }
            }
        }
    }

    /** Writes 3000-byte values (not page aligned, so one is cut short) until the disk refuses. @return how many */
    private static int fill(LsmEngine engine) {
        for (int i = 0; i < 100_000; i++) {
            try {
                engine.put(i, key(i), VERSION, value(i, 3000));
            } catch (KvException e) {
                assertEquals(ErrorCode.DISK_FULL, e.code(), e.toString());
                assertTrue(e.getMessage().contains("disk full"), e.getMessage());
                return i;
            }
        }
        throw new AssertionError("the disk never filled");
    }

    private static LsmEngine open(EngineConfig config, Map<String, String> options) {
        return LsmEngine.open(config, LsmOptions.parse(options), System::currentTimeMillis);
    }

    @Test
    @org.junit.jupiter.api.Timeout(60)
    void aCompactionThatWouldEatIntoTheReserveWaitsForSpaceAndACleanupDoesNotWaitForIt() throws Exception {
        // compaction never looked at free space: it wrote until the disk was full, every flush meanwhile failed and
        // refused writes, and a cleanup waited for that compaction to end, forever
        AtomicLong free = new AtomicLong(50 * MIB + 16 * 1024);
        try (LsmEngine engine = LsmEngine.open(EngineConfig.of(data, "store"),
            LsmOptions.parse(Map.of("compaction-min-tables", "4")), System::currentTimeMillis,
            probe(free, 1000 * MIB))) {
            // the reserve is 50 MiB; four tables of about 8 KiB need more than the 16 KiB beyond it
            for (int table = 0; table < 4; table++) {
                for (int i = 0; i < 8; i++) {
                    engine.put(table * 8 + i, key(table * 8 + i), VERSION, value(i, 1000));
                }
                engine.flushMemtables();
            }
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (engine.metrics().extra().get("compactions_deferred_no_space") == 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(engine.metrics().extra().get("compactions_deferred_no_space") > 0, "the compaction was deferred");
            assertEquals(4, engine.tableFiles().size(), "nothing was compacted");
            engine.put(100, key(100), VERSION, value(1, 100));
            // a cleanup does not wait for the deferred compaction: it rewrites every table itself
            assertEquals(0, engine.dropUnless(token -> true));
            assertEquals(1, engine.tableFiles().size());
            assertArrayEquals(value(1, 100), engine.get(100, key(100)).value());
        }
    }

    private static DiskSpace.Probe probe(AtomicLong free, long total) {
        return new DiskSpace.Probe() {
            @Override
            public long usableBytes() {
                return free.get();
            }

            @Override
            public long totalBytes() {
                return total;
            }
        };
    }

    private static Key key(int i) {
        return Key.of(("key-" + i).getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] value(int i, int size) {
        byte[] value = new byte[size];
        Arrays.fill(value, (byte) i);
        return value;
    }
}
