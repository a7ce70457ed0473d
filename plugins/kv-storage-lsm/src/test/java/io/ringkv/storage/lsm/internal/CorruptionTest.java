package io.ringkv.storage.lsm.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.Key;
import io.ringkv.api.KvException;
import io.ringkv.storage.EngineConfig;
import io.ringkv.storage.lsm.LsmOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Damaged files are detected by their checksums, reported, and never stop the engine serving what is intact. */
class CorruptionTest {
    private static final int KEYS = 200;
    private static final Map<String, String> OPTIONS = Map.of("block-bytes", "512", "sync", "always");

    @TempDir
    Path data;

    private LsmEngine open() {
        return open(OPTIONS);
    }

    private LsmEngine open(Map<String, String> options) {
        return LsmEngine.open(EngineConfig.of(data, "store"), LsmOptions.parse(options), System::currentTimeMillis);
    }

    private static void write(LsmEngine engine, int from, int to) {
        for (int i = from; i < to; i++) {
            engine.put(i, key(i), ("v" + i).getBytes(), value(i));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"positional", "mmap"})
    void aCorruptSSTableBlockFailsOnlyTheKeysItHoldsWithAClearError(String dataReads) throws IOException {
        Map<String, String> options = new java.util.HashMap<>(OPTIONS);
        options.put("data-reads", dataReads);
        Path table;
        try (LsmEngine engine = open(options)) {
            write(engine, 0, KEYS);
            engine.flushMemtables();
            table = engine.tableFiles().getFirst();
        }
        flipByte(table, 600);
        try (LsmEngine engine = open(options)) {
            List<Integer> failed = new ArrayList<>();
            for (int i = 0; i < KEYS; i++) {
                try {
                    assertArrayEquals(value(i), engine.get(i, key(i)).value(), "key " + i);
                } catch (KvException e) {
                    assertEquals(ErrorCode.STORAGE_FAILURE, e.code());
                    assertTrue(e.getMessage().contains(table.getFileName().toString()), e.getMessage());
                    assertTrue(e.getMessage().contains("checksum"), e.getMessage());
                    failed.add(i);
                }
            }
            assertTrue(!failed.isEmpty() && failed.size() < 10, "only one small block is unreadable: " + failed);
            assertTrue(engine.metrics().extra().get("corrupt_blocks") >= 1);
            engine.put(1000, key(1000), "v".getBytes(), value(1000));
            assertArrayEquals(value(1000), engine.get(1000, key(1000)).value(), "writes go on");
        }
    }

    @Test
    void aCorruptCommitLogTailIsTruncatedAtTheLastGoodRecordAndCounted() throws IOException {
        try (LsmEngine engine = open()) {
            write(engine, 0, 50);
        }
        Path segment = onlySegment();
        flipByte(segment, Files.size(segment) - 10);
        try (LsmEngine engine = open()) {
            for (int i = 0; i < 49; i++) {
                assertArrayEquals(value(i), engine.get(i, key(i)).value(), "key " + i);
            }
            assertNull(engine.get(49, key(49)), "the corrupt last record is dropped, not served");
            assertEquals(1L, engine.metrics().extra().get("commitlog_corrupt_tails"));
            assertTrue(engine.metrics().extra().get("commitlog_truncated_bytes") > 0);
        }
    }

    @Test
    void aCorruptRecordInASegmentBeforeTheNewestIsKeptAsideAndCountedApart() throws IOException {
        // a segment before the newest was forced whole when the log rolled: a bad record there is damage on the
        // disk, not a torn append, and what followed it was acknowledged; it was truncated as a torn tail, quietly
        Path first = twoSegmentsTheFirstDamagedAtItsTenthRecord();
        long at = Files.size(first);
        try (LsmEngine engine = open()) {
            for (int i = 0; i < 50; i++) {
                if (i < 10 || i >= 25) {
                    assertArrayEquals(value(i), engine.get(i, key(i)).value(), "key " + i);
                } else {
                    assertNull(engine.get(i, key(i)), "key " + i + " came after the damage");
                }
            }
            assertEquals(1L, engine.metrics().extra().get("commitlog_corrupt_segments"));
            assertEquals(1L, engine.metrics().extra().get("commitlog_corrupt_tails"));
        }
        Path aside = first.resolveSibling(first.getFileName() + ".corrupt");
        assertTrue(Files.exists(aside), "the damaged segment is kept for a look");
        assertEquals(at, Files.size(aside));
    }

    @Test
    void aDamagedSegmentThatCannotBeCopiedAsideIsLeftWholeAndKeptAfterItsRecordsAreFlushed() throws IOException {
        // without room for the copy the segment was cut at the damage and, once its records were flushed, deleted:
        // the acknowledged writes after the damage were gone with no copy anywhere
        Path first = twoSegmentsTheFirstDamagedAtItsTenthRecord();
        long size = Files.size(first);
        Path aside = first.resolveSibling(first.getFileName() + ".corrupt");
        // a copy cannot replace a directory that holds something: as a copy fails for want of room
        Files.createDirectories(aside);
        Files.writeString(aside.resolve("in-the-way"), "x");
        try (LsmEngine engine = open()) {
            assertArrayEquals(value(9), engine.get(9, key(9)).value());
            assertNull(engine.get(10, key(10)), "the damaged record and what follows it are not replayed");
            assertArrayEquals(value(30), engine.get(30, key(30)).value());
            assertEquals(1L, engine.metrics().extra().get("commitlog_corrupt_segments"));
            assertEquals(size, Files.size(first), "left whole");
            engine.flushMemtables();
            assertTrue(Files.exists(first), "kept after what was replayed from it was flushed");
            assertTrue(Files.exists(CommitLogReplay.damagedMark(first)), "marked as damage, not a torn tail");
        }
        // once a copy can be made, the next start makes it and the segment goes the usual way
        Files.delete(aside.resolve("in-the-way"));
        Files.delete(aside);
        try (LsmEngine engine = open()) {
            assertArrayEquals(value(9), engine.get(9, key(9)).value());
            assertArrayEquals(value(30), engine.get(30, key(30)).value());
            engine.flushMemtables();
            assertEquals(size, Files.size(aside), "the copy is whole");
            assertTrue(Files.notExists(first), "deleted once copied and flushed");
            assertTrue(Files.notExists(CommitLogReplay.damagedMark(first)));
        }
    }

    @Test
    void aCopyAsideThatCannotBeForcedLeavesTheSegmentWholeAndMarked() throws IOException {
        Path first = twoSegmentsTheFirstDamagedAtItsTenthRecord();
        long size = Files.size(first);
        CommitLog.SegmentFiles copyNotForced = new CommitLog.SegmentFiles() {
            @Override
            public void forceReplayed(Path path, FileChannel channel) throws IOException {
                if (path.getFileName().toString().endsWith(".corrupt")) {
                    throw new IOException("Input/output error");
                }
                channel.force(false);
            }
        };
        try (LsmEngine engine = LsmEngine.open(EngineConfig.of(data, "store"), LsmOptions.parse(OPTIONS),
            System::currentTimeMillis, null, copyNotForced)) {
            assertArrayEquals(value(30), engine.get(30, key(30)).value());
            engine.flushMemtables();
        }
        assertEquals(size, Files.size(first), "left whole");
        assertTrue(Files.exists(CommitLogReplay.damagedMark(first)));
        assertTrue(Files.exists(first.resolveSibling(first.getFileName() + ".corrupt")), "the copy made is kept");
    }

    @Test
    void everySegmentReplayedAndTheCopyAsideAreForcedBeforeTheEngineAnswers() throws IOException {
        // a killed process leaves records the OS held unforced: replayed and answered, a power loss could still
        // take them back, and the damaged copy could be lost while the cut of its segment was kept
        Path first = twoSegmentsTheFirstDamagedAtItsTenthRecord();
        Path second = CommitLog.segmentPath(first.getParent(), CommitLog.segmentId(first.getFileName().toString()) + 1);
        List<Path> forced = new ArrayList<>();
        CommitLog.SegmentFiles recording = new CommitLog.SegmentFiles() {
            @Override
            public void forceReplayed(Path path, FileChannel channel) throws IOException {
                forced.add(path.getFileName());
                channel.force(false);
            }
        };
        try (LsmEngine engine = LsmEngine.open(EngineConfig.of(data, "store"), LsmOptions.parse(OPTIONS),
            System::currentTimeMillis, null, recording)) {
            assertEquals(List.of(first.resolveSibling(first.getFileName() + ".corrupt").getFileName(),
                first.getFileName(), second.getFileName()), forced);
            assertArrayEquals(value(30), engine.get(30, key(30)).value());
        }
    }

    @Test
    void recordsStoredUnderALargerKeyLimitStayReadableScannableAndCompactableAfterItIsLowered() throws IOException {
        // the records were decoded against the configured limit: a start failed on such a key in the commit log,
        // and in a table every scan failed and no compaction of it could ever finish
        byte[] longKey = "k".repeat(2_000).getBytes();
        Key stored = Key.of(longKey, new io.ringkv.api.Limits(4096, 10 * 1024));
        long token = 7;
        EngineConfig larger = new EngineConfig(data, "store", new io.ringkv.api.Limits(4096, 10 * 1024),
            EngineConfig.DEFAULT_MAX_VERSION_BYTES, Map.of());
        EngineConfig smaller = new EngineConfig(data, "store", io.ringkv.api.Limits.DEFAULT,
            EngineConfig.DEFAULT_MAX_VERSION_BYTES, Map.of());
        try (LsmEngine engine = LsmEngine.open(larger, LsmOptions.parse(OPTIONS), System::currentTimeMillis)) {
            engine.put(token, stored, "v1".getBytes(), "first".getBytes());
        }
        try (LsmEngine engine = LsmEngine.open(smaller, LsmOptions.parse(OPTIONS), System::currentTimeMillis)) {
            assertArrayEquals("first".getBytes(), engine.get(token, stored).value(), "replayed from the log");
            engine.flushMemtables();
            write(engine, 0, 20);
            engine.flushMemtables();
        }
        try (LsmEngine engine = LsmEngine.open(smaller, LsmOptions.parse(OPTIONS), System::currentTimeMillis)) {
            assertArrayEquals("first".getBytes(), engine.get(token, stored).value(), "read from a table");
            List<Key> scanned = new ArrayList<>();
            engine.scan(0, 0, record -> scanned.add(record.key()));
            assertTrue(scanned.contains(stored), "scanned");
            assertTimeoutPreemptively(java.time.Duration.ofSeconds(20), engine::compactAll);
            assertEquals(1, engine.tableFiles().size(), "compacted into one table");
            assertArrayEquals("first".getBytes(), engine.get(token, stored).value(), "kept by the compaction");
        }
    }

    /**
     * @return the first of two segments of 50 records (0-24, then 25-49), the first with a flipped byte in its
     *     tenth record: damage on the disk, since the log rolled past it
     */
    private Path twoSegmentsTheFirstDamagedAtItsTenthRecord() throws IOException {
        try (LsmEngine engine = open()) {
            write(engine, 0, 50);
        }
        Path first = onlySegment();
        byte[] bytes = Files.readAllBytes(first);
        long at = 0;
        long tenth = -1;
        for (int record = 0; record < 25; record++) {
            if (record == 10) {
                tenth = at;
            }
            int length = java.nio.ByteBuffer.wrap(bytes, (int) at, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt();
            at += CommitLog.FRAME_BYTES + length;
        }
        long id = CommitLog.segmentId(first.getFileName().toString());
        Files.write(CommitLog.segmentPath(first.getParent(), id + 1),
            java.util.Arrays.copyOfRange(bytes, (int) at, bytes.length));
        Files.write(first, java.util.Arrays.copyOfRange(bytes, 0, (int) at));
        flipByte(first, tenth + CommitLog.FRAME_BYTES + 2);
        return first;
    }

    @Test
    void aSegmentTornWhileTheLogRolledIsATailWhenTheNextOneIsEmpty() throws IOException {
        // a roll creates the next segment before it forces the one before: a crash between leaves that one torn and
        // the next empty, which is no damage on the disk
        Path segment = logWithATornTail();
        Files.createFile(CommitLog.segmentPath(segment.getParent(),
            CommitLog.segmentId(segment.getFileName().toString()) + 1));
        try (LsmEngine engine = open()) {
            assertArrayEquals(value(28), engine.get(28, key(28)).value());
            assertEquals(1L, engine.metrics().extra().get("commitlog_corrupt_tails"));
            assertEquals(0L, engine.metrics().extra().get("commitlog_corrupt_segments"));
        }
        assertTrue(Files.notExists(segment.resolveSibling(segment.getFileName() + ".corrupt")));
    }

    @Test
    void aTornCommitLogTailIsTruncatedAndTheStoreOpens() throws IOException {
        logWithATornTail();
        try (LsmEngine engine = open()) {
            assertArrayEquals(value(28), engine.get(28, key(28)).value());
            assertNull(engine.get(29, key(29)));
            assertEquals(1L, engine.metrics().extra().get("commitlog_corrupt_tails"));
        }
    }

    @Test
    void aTableWithACorruptBlockIsLeftOutOfCompactionAndTheOthersStillCompact() throws IOException {
        // the compactor used to pick the corrupt table's tier again after every failure: no table of that tier was
        // compacted again, tables piled up, and a wait for compactions (a cleanup's) never ended
        Map<String, String> options = new java.util.HashMap<>(OPTIONS);
        options.put("compaction-min-tables", "2");
        Path corrupt;
        try (LsmEngine engine = open(options)) {
            write(engine, 0, KEYS);
            engine.flushMemtables();
            corrupt = engine.tableFiles().getFirst();
        }
        flipByte(corrupt, 600);
        try (LsmEngine engine = open(options)) {
            assertTimeoutPreemptively(java.time.Duration.ofSeconds(60), () -> {
                // the same sizes as the corrupt table: one tier with it
                write(engine, KEYS, 2 * KEYS);
                engine.flushMemtables();
                write(engine, 2 * KEYS, 3 * KEYS);
                engine.awaitCompactions();
            });
            List<Path> tables = engine.tableFiles();
            assertTrue(tables.contains(corrupt), "the corrupt table stays: " + tables);
            assertEquals(2, tables.size(), "the two others were compacted into one: " + tables);
            assertTrue(engine.metrics().extra().get("corrupt_blocks") >= 1);
            assertArrayEquals(value(KEYS + 7), engine.get(KEYS + 7, key(KEYS + 7)).value());
            // a compaction of every table (a cleanup's) says it failed, instead of reporting nothing dropped
            KvException failed = assertThrows(KvException.class, engine::compactAll);
            assertTrue(failed.getMessage().contains("checksum"), failed.getMessage());
        }
    }

    /**
     * A table whose reads keep failing below the checksums (a lasting disk error; here a file cut short under its
     * mapping, in a child JVM under {@code -Xint}) failed every compaction of its tier, and a wait for compactions
     * never returned: after {@value SSTable#READ_FAULTS_BEFORE_SET_ASIDE} faults it is left out and the others compact.
     */
    @Test
    void aTableWhoseReadsKeepFailingIsLeftOutOfCompactionAndTheOthersStillCompact() throws Exception {
        String printed = InterpretedChild.run(UnreadableTableCompaction.class, data, 60);
        assertTrue(printed.lines().anyMatch("TABLES 2 true"::equals),
            "the unreadable table stays and the two others were compacted into one:\n" + printed);
        long faults = printed.lines().filter(line -> line.startsWith("FAULTS ")).findFirst()
            .map(line -> Long.parseLong(line.substring("FAULTS ".length()))).orElseThrow(() -> new AssertionError(printed));
        assertTrue(faults >= SSTable.READ_FAULTS_BEFORE_SET_ASIDE, printed);
        assertTrue(printed.lines().anyMatch("LEFT_OUT 1"::equals), "the gauge of tables left out:\n" + printed);
    }

    @Test
    void anSSTableWithACorruptFooterIsSetAsideAndTheRestIsServed() throws IOException {
        Path first;
        try (LsmEngine engine = open()) {
            write(engine, 0, 20);
            engine.flushMemtables();
            first = engine.tableFiles().getFirst();
            write(engine, 20, 40);
            engine.flushMemtables();
        }
        flipByte(first, Files.size(first) - 20);
        try (LsmEngine engine = open()) {
            assertEquals(1L, engine.metrics().extra().get("sstables_quarantined"));
            assertTrue(Files.exists(TableFiles.quarantined(first)));
            assertNull(engine.get(5, key(5)));
            assertArrayEquals(value(25), engine.get(25, key(25)).value());
        }
    }

    /** @return the one segment of a store of 30 records whose last append a crash cut short */
    private Path logWithATornTail() throws IOException {
        try (LsmEngine engine = open()) {
            write(engine, 0, 30);
        }
        Path segment = onlySegment();
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            channel.truncate(Files.size(segment) - 3);
        }
        return segment;
    }

    private Path onlySegment() throws IOException {
        try (Stream<Path> files = Files.list(data.resolve("store"))) {
            List<Path> segments = files.filter(p -> CommitLog.segmentId(p.getFileName().toString()) >= 0).toList();
            assertEquals(1, segments.size(), segments.toString());
            return segments.getFirst();
        }
    }

    static void flipByte(Path file, long offset) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            channel.read(one, offset);
            one.put(0, (byte) (one.get(0) ^ 0x5A)).rewind();
            channel.write(one, offset);
        }
    }

    static Key key(int i) {
        return Key.utf8("key-" + i);
    }

    static byte[] value(int i) {
        return ("value-" + i + "-" + "x".repeat(i % 50)).getBytes();
    }
}
