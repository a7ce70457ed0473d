package io.ringkv.storage.lsm.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.Key;
import io.ringkv.api.KvException;
import io.ringkv.storage.EngineConfig;
import io.ringkv.storage.StorageRecord;
import io.ringkv.storage.lsm.LsmOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What compaction keeps, drops and chooses. */
class CompactionTest {
    private static final long DAY = 86_400_000L;

    @TempDir
    Path data;

    private final AtomicLong now = new AtomicLong(1_000 * DAY);

    private LsmEngine open() {
        return LsmEngine.open(EngineConfig.of(data, "store"),
            LsmOptions.parse(Map.of("tombstone-grace-seconds", "86400")), now::get);
    }

    @Test
    void tombstonesSurviveCompactionWithinTheirGraceAndArePurgedAfterIt() {
        try (LsmEngine engine = open()) {
            engine.put(1, Key.utf8("a"), "v1".getBytes(), "x".getBytes());
            engine.flushMemtables();
            engine.delete(1, Key.utf8("a"), "v2".getBytes());
            engine.compactAll();
            assertTrue(engine.get(1, Key.utf8("a")).isTombstone(), "within grace the tombstone stays");
            now.addAndGet(DAY + 1);
            engine.compactAll();
            assertNull(engine.get(1, Key.utf8("a")), "past grace the tombstone and what it deleted are gone");
            assertEquals(1L, engine.metrics().extra().get("tombstones_purged"));
        }
    }

    @Test
    @Timeout(60)
    void tablesAScanHeldOpenThroughTwoCompactionsDoNotComeBackAfterACrash() throws Exception {
        // a scan kept the first compaction's input (the value's table) on disk; the second compaction purged the
        // tombstone with the value and deleted the first one's output; after a crash, the inputs list of the newest
        // table named only that output, so the value's table loaded again and the deleted value came back
        Path copy = Files.createDirectories(data.resolve("crashed"));
        try (LsmEngine engine = open()) {
            engine.put(1, Key.utf8("a"), "v1".getBytes(), "x".getBytes());
            engine.flushMemtables();
            java.util.concurrent.CountDownLatch scanning = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
            Thread scan = Thread.ofPlatform().start(() -> engine.scan(Long.MIN_VALUE, Long.MAX_VALUE, record -> {
                scanning.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return false;
            }));
            try {
                // the scan holds the table of the value; the delete comes after
                scanning.await();
                engine.delete(1, Key.utf8("a"), "v2".getBytes());
                engine.flushMemtables();
                engine.compactAll();
                now.addAndGet(DAY + 1);
                engine.put(2, Key.utf8("b"), "v3".getBytes(), "y".getBytes());
                engine.flushMemtables();
                engine.compactAll();
                assertNull(engine.get(1, Key.utf8("a")), "the second compaction purged the delete and the value");
                // the files as a crash now would leave them
                try (Stream<Path> files = Files.list(data.resolve("store"))) {
                    for (Path file : files.toList()) {
                        Files.copy(file, copy.resolve(file.getFileName()));
                    }
                }
            } finally {
                release.countDown();
                scan.join();
            }
        }
        try (LsmEngine reopened = LsmEngine.open(EngineConfig.of(data, "crashed"),
            LsmOptions.parse(Map.of("tombstone-grace-seconds", "86400")), now::get)) {
            assertNull(reopened.get(1, Key.utf8("a")), "a purged delete's value came back");
            assertArrayEquals("y".getBytes(), reopened.get(2, Key.utf8("b")).value());
            assertEquals(1, reopened.tableFiles().size(), reopened.tableFiles().toString());
        }
    }

    @Test
    void aTombstonePastItsGraceStaysUntilThePurgeGateAllowsIt() {
        long[] repairedBefore = {0};
        List<Long> asked = new java.util.ArrayList<>();
        EngineConfig config = EngineConfig.of(data, "store").withPurgeGate((token, writeMillis) -> {
            asked.add(token);
            return writeMillis < repairedBefore[0];
        });
        try (LsmEngine engine = LsmEngine.open(config, LsmOptions.parse(Map.of("tombstone-grace-seconds", "86400")),
                now::get)) {
            engine.put(7, Key.utf8("a"), "v1".getBytes(), "x".getBytes());
            engine.flushMemtables();
            long deletedAt = now.get();
            engine.delete(7, Key.utf8("a"), "v2".getBytes());
            now.addAndGet(DAY + 1);
            engine.compactAll();
            assertTrue(engine.get(7, Key.utf8("a")).isTombstone(), "past grace, but no repair since the delete");
            assertEquals(List.of(7L), asked, "the gate is asked with the tombstone's token");
            assertEquals(1L, engine.metrics().extra().get("tombstones_held_for_repair"));
            repairedBefore[0] = deletedAt + 1;
            engine.compactAll();
            assertNull(engine.get(7, Key.utf8("a")), "a repair began after the delete: the tombstone goes");
            assertEquals(1L, engine.metrics().extra().get("tombstones_purged"));
        }
    }

    /** Test blobs: "e" + the expiry in decimal expires then; "dead" is what an expired one is kept as. */
    private static final io.ringkv.storage.RecordExpiry BLOB_EXPIRY = new io.ringkv.storage.RecordExpiry() {
        @Override
        public long expiresAtMillis(byte[] version) {
            String text = new String(version, java.nio.charset.StandardCharsets.US_ASCII);
            return text.startsWith("e") ? Long.parseLong(text.substring(1)) : 0;
        }

        @Override
        public byte[] expiredVersion(byte[] version) {
            return "dead".getBytes();
        }
    };

    @Test
    void anExpiredValueIsKeptAsATombstoneAtItsExpiryAndPurgedByTheTombstoneRule() {
        long[] repairedBefore = {0};
        EngineConfig config = EngineConfig.of(data, "store")
            .withPurgeGate((token, writeMillis) -> writeMillis < repairedBefore[0]).withExpiry(BLOB_EXPIRY);
        try (LsmEngine engine = LsmEngine.open(config, LsmOptions.parse(Map.of("tombstone-grace-seconds", "86400")),
                now::get)) {
            engine.put(3, Key.utf8("old"), "v0".getBytes(), "older value".getBytes());
            engine.flushMemtables();
            long expiresAt = now.get() + 60_000;
            engine.put(3, Key.utf8("old"), ("e" + expiresAt).getBytes(), "expiring".getBytes());
            engine.put(4, Key.utf8("kept"), ("e" + (expiresAt + DAY)).getBytes(), "later".getBytes());
            engine.put(5, Key.utf8("plain"), "v".getBytes(), "forever".getBytes());
            engine.flushMemtables();
            engine.compactAll();
            assertArrayEquals("expiring".getBytes(), engine.get(3, Key.utf8("old")).value(), "not expired yet");

            now.addAndGet(60_000);
            engine.compactAll();
            StorageRecord expired = engine.get(3, Key.utf8("old"));
            assertTrue(expired.isTombstone(), "at its expiry the value's bytes are gone");
            assertArrayEquals("dead".getBytes(), expired.version(), "kept with the writing layer's tombstone blob");
            assertArrayEquals("later".getBytes(), engine.get(4, Key.utf8("kept")).value());
            assertArrayEquals("forever".getBytes(), engine.get(5, Key.utf8("plain")).value());
            assertEquals(1L, engine.metrics().extra().get("expired_values_dropped"));

            now.addAndGet(DAY + 1);
            repairedBefore[0] = expiresAt;
            engine.compactAll();
            assertTrue(engine.get(3, Key.utf8("old")).isTombstone(),
                "grace counts from the expiry; the gate is asked with the expiry, and no repair began after it");
            repairedBefore[0] = expiresAt + 1;
            engine.compactAll();
            assertNull(engine.get(3, Key.utf8("old")), "a repair began after the expiry: the tombstone goes, and"
                + " the older value it shadowed does not come back");
        }
    }

    @Test
    void aRecordWhoseExpiryCannotBeReadStaysAsItIsAndTheCompactionGoesOn() {
        io.ringkv.storage.RecordExpiry unreadable = new io.ringkv.storage.RecordExpiry() {
            @Override
            public long expiresAtMillis(byte[] version) {
                return BLOB_EXPIRY.expiresAtMillis(version);
            }

            @Override
            public byte[] expiredVersion(byte[] version) {
                if (new String(version, java.nio.charset.StandardCharsets.US_ASCII).endsWith("7")) {
                    throw new IllegalStateException("a blob the writing layer cannot read");
                }
                return BLOB_EXPIRY.expiredVersion(version);
            }
        };
        EngineConfig config = EngineConfig.of(data, "store").withExpiry(unreadable);
        try (LsmEngine engine = LsmEngine.open(config, LsmOptions.parse(Map.of("tombstone-grace-seconds", "86400")),
                now::get)) {
            long past = now.get() - 1_000;
            engine.put(1, Key.utf8("odd"), ("e" + (past - past % 10 + 7)).getBytes(), "kept".getBytes());
            engine.put(2, Key.utf8("even"), ("e" + (past - past % 10)).getBytes(), "expired".getBytes());
            engine.flushMemtables();
            engine.compactAll();
            assertTrue(engine.get(2, Key.utf8("even")).isTombstone(), "the compaction went on past the odd record");
            assertArrayEquals("kept".getBytes(), engine.get(1, Key.utf8("odd")).value(), "kept as it was");
            assertEquals(1L, engine.metrics().extra().get("expiry_unreadable"));
            assertEquals(0L, engine.metrics().extra().get("background_failures"));
        }
    }

    @Test
    void compactionKeepsTheNewestEntryOfEachKey() {
        try (LsmEngine engine = open()) {
            for (int round = 0; round < 5; round++) {
                for (int k = 0; k < 20; k++) {
                    engine.put(k, Key.utf8("k" + k), ("r" + round).getBytes(), ("value " + round).getBytes());
                }
                engine.flushMemtables();
            }
            engine.compactAll();
            assertEquals(1, engine.tableFiles().size());
            for (int k = 0; k < 20; k++) {
                assertArrayEquals("value 4".getBytes(), engine.get(k, Key.utf8("k" + k)).value());
            }
            assertEquals(20, engine.metrics().liveRecords());
        }
    }

    @Test
    void flushesOfSimilarSizeAreMergedInTheBackground() {
        try (LsmEngine engine = open()) {
            flushedTables(engine, 4, 50, 100);
            engine.awaitCompactions();
            assertEquals(1, engine.tableFiles().size(), "four similar tables make one tier");
            assertTrue(engine.metrics().extra().get("compactions") >= 1);
        }
    }

    @Test
    @Timeout(120)
    void closeStopsARunningCompactionLeavesNoPartialTableAndKeepsTheData() throws Exception {
        Map<String, String> slow = Map.of("compaction-mib-per-sec", "1", "memtable-bytes", "1m");
        try (LsmEngine engine = LsmEngine.open(EngineConfig.of(data, "store"), LsmOptions.parse(slow), now::get)) {
            flushedTables(engine, 4, 1000, 1000);
        }
        try (Stream<Path> files = Files.list(data.resolve("store"))) {
            assertEquals(List.of(), files.filter(p -> p.toString().endsWith(".tmp")).toList());
        }
        try (LsmEngine engine = open()) {
            for (int round = 0; round < 4; round++) {
                for (int k = 0; k < 1000; k += 99) {
                    assertEquals(1000, engine.get(k, Key.utf8("k" + round + "-" + k)).valueLength());
                }
            }
        }
    }

    @Test
    @Timeout(60)
    void aCleanupStoppedByTheStoreClosingSaysSoInsteadOfReportingWhatItDropped() throws Exception {
        // a cleanup told "N dropped" by a compaction the close stopped half way would report a success that left
        // every table as it was
        LsmEngine engine = LsmEngine.open(EngineConfig.of(data, "store"),
            LsmOptions.parse(Map.of("compaction-min-tables", "64", "compaction-max-tables", "64")), now::get);
        flushedTables(engine, 2, 50, 100);
        Thread[] closer = new Thread[1];
        KvException stopped = assertThrows(KvException.class, () -> engine.dropUnless(token -> {
            if (closer[0] == null) {
                // the store closes under the running compaction (close waits only for the background threads)
                closer[0] = Thread.ofPlatform().start(engine::close);
                try {
                    closer[0].join();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            }
            return false;
        }));
        assertTrue(stopped.getMessage().contains("closing"), stopped.getMessage());
        try (LsmEngine reopened = open()) {
            assertEquals(100, reopened.get(0, Key.utf8("k1-0")).valueLength(), "nothing was dropped");
        }
    }

    @Test
    @Timeout(60)
    void aCleanupKeepsTheTablesFlushedWhileItWaitedForAnotherCompaction() throws Exception {
        // a cleanup waiting for another compaction to end then compacted every table, the ones flushed meanwhile
        // too: writes made after it began were dropped, against "records written while it runs are kept"
        try (LsmEngine engine = LsmEngine.open(EngineConfig.of(data, "store"),
            LsmOptions.parse(Map.of("compaction-min-tables", "64", "compaction-max-tables", "64")), now::get)) {
            flushedTables(engine, 2, 50, 100);
            java.util.concurrent.CountDownLatch firstRunning = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CountDownLatch releaseFirst = new java.util.concurrent.CountDownLatch(1);
            Thread first = Thread.ofPlatform().start(() -> engine.dropUnless(token -> {
                firstRunning.countDown();
                try {
                    releaseFirst.await();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
                return true;
            }));
            firstRunning.await();
            long[] dropped = {-1};
            Thread second = Thread.ofPlatform().start(() -> dropped[0] = engine.dropUnless(token -> false));
            // the second waits for the first compaction to end
            while (java.util.Arrays.stream(second.getStackTrace())
                .noneMatch(frame -> frame.getMethodName().equals("awaitNoCompaction"))) {
                Thread.sleep(5);
            }
            engine.put(7, Key.utf8("later"), "v".getBytes(), "made after the cleanup began".getBytes());
            engine.flushMemtables();
            releaseFirst.countDown();
            first.join();
            second.join();
            assertEquals(100, dropped[0], "the tables from before the call");
            assertNull(engine.get(0, Key.utf8("k0-0")));
            assertEquals("made after the cleanup began".length(), engine.get(7, Key.utf8("later")).valueLength());
        }
    }

    @Test
    void compactionWritesWithoutItsBudgetOnlyWhileTheTablesArePastTheBacklogBound() {
        Map<String, Long> backlogged = compactTenTablesWithBacklogBound(data.resolve("bound-8"), "8");
        assertTrue(backlogged.get("compaction_bytes_unpaced") > 0, "ten tables against a bound of eight: " + backlogged);
        assertTrue(backlogged.get("compaction_bytes_unpaced") < backlogged.get("compaction_bytes_written"),
            "the second compaction, of seven tables, is paced again: " + backlogged);
        Map<String, Long> within = compactTenTablesWithBacklogBound(data.resolve("bound-16"), "16");
        assertEquals(0L, within.get("compaction_bytes_unpaced"), "ten tables within a bound of sixteen: " + within);
        assertTrue(within.get("compaction_bytes_written") > 0);
    }

    /**
     * Writes ten tables of similar size with compaction held back (a tier of 64 tables), then opens the store
     * again with four tables a compaction, a budget of 1 MiB/s and {@code bound} tables as the backlog bound, and
     * waits for its compactions.
     *
     * @return the engine's counters afterwards
     */
    private Map<String, Long> compactTenTablesWithBacklogBound(Path dir, String bound) {
        Map<String, String> heldBack = Map.of("compaction-min-tables", "64", "compaction-max-tables", "64");
        try (LsmEngine engine = LsmEngine.open(EngineConfig.of(dir, "store"), LsmOptions.parse(heldBack), now::get)) {
            flushedTables(engine, 10, 50, 100);
            assertEquals(10, engine.tableFiles().size());
        }
        Map<String, String> paced = Map.of("compaction-min-tables", "4", "compaction-max-tables", "4",
            "compaction-mib-per-sec", "1", "compaction-backlog-tables", bound);
        try (LsmEngine engine = LsmEngine.open(EngineConfig.of(dir, "store"), LsmOptions.parse(paced), now::get)) {
            engine.awaitCompactions();
            assertTrue(engine.tableFiles().size() < 10, "nothing was compacted");
            return engine.metrics().extra();
        }
    }

    /** Writes {@code tables} rounds of {@code keys} new keys of {@code valueBytes} each, flushing after each round. */
    private static void flushedTables(LsmEngine engine, int tables, int keys, int valueBytes) {
        for (int round = 0; round < tables; round++) {
            for (int k = 0; k < keys; k++) {
                engine.put(k, Key.utf8("k" + round + "-" + k), "v".getBytes(), new byte[valueBytes]);
            }
            engine.flushMemtables();
        }
    }

    @Test
    void thePickerChoosesAFullTierOfAdjacentSimilarTables() {
        long[] sizes = {10, 11, 9, 10, 100, 400};
        assertArrayEquals(new int[] {0, 4}, CompactionPicker.pick(sizes, 4, 32));
        assertNull(CompactionPicker.pick(new long[] {10, 11, 100, 400}, 4, 32), "no tier is full");
        assertArrayEquals(new int[] {1, 5}, CompactionPicker.pick(new long[] {1, 100, 90, 110, 100, 5000}, 4, 32));
        assertArrayEquals(new int[] {0, 2}, CompactionPicker.pick(new long[] {10, 10, 10}, 2, 2), "capped");
    }
}
