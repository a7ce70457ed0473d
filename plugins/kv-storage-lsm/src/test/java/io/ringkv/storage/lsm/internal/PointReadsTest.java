package io.ringkv.storage.lsm.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.Key;
import io.ringkv.storage.EngineConfig;
import io.ringkv.storage.lsm.DataReads;
import io.ringkv.storage.lsm.LsmOptions;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Point reads go through the tables' mappings while the tables fit the limit ({@code data-reads=auto}), with
 * {@code pread} once they outgrow it, and back when compaction shrinks them; {@code mmap} and {@code positional}
 * hold whatever the size; reads answer the same either way, and the engine's metrics say which is in use.
 */
class PointReadsTest {
    @TempDir
    Path directory;

    @Test
    void autoMapsWhileTheTablesFitTheLimitAndReadsPositionallyBeyond() {
        PointReads reads = new PointReads(DataReads.AUTO, 1000);
        reads.tablesChanged(0, "store");
        assertTrue(reads.mapped(), "no tables yet");
        reads.tablesChanged(1000, "store");
        assertTrue(reads.mapped(), "at the limit");
        reads.tablesChanged(1001, "store");
        assertFalse(reads.mapped(), "over the limit");
        reads.tablesChanged(1000, "store");
        assertFalse(reads.mapped(), "back at the limit: still positional, until a tenth under it");
        reads.tablesChanged(901, "store");
        assertFalse(reads.mapped());
        reads.tablesChanged(900, "store");
        assertTrue(reads.mapped(), "a compaction shrank them a tenth under the limit");
        reads.tablesChanged(1000, "store");
        assertTrue(reads.mapped(), "mapped again: up to the limit itself");
    }

    @Test
    void mmapAndPositionalHoldWhateverTheSize() {
        PointReads mapped = new PointReads(DataReads.MMAP, 0);
        PointReads positional = new PointReads(DataReads.POSITIONAL, Long.MAX_VALUE);
        for (long bytes : new long[] {0, 1L << 40}) {
            mapped.tablesChanged(bytes, "store");
            positional.tablesChanged(bytes, "store");
            assertTrue(mapped.mapped());
            assertFalse(positional.mapped());
        }
    }

    @Test
    void theDefaultLimitLeavesTheHeapOutAndIsHalfTheRest() {
        long limit = PointReads.defaultLimitBytes();
        com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        long expected = Math.max(0, (os.getTotalMemorySize() - Runtime.getRuntime().maxMemory()) / 2);
        assertEquals(expected, limit);
        assertTrue(limit > 0, "this machine's memory is larger than the test JVM's heap");
    }

    @Test
    void anEngineSwitchesToPreadOnceItsTablesOutgrowTheLimitAndReadsTheSameEitherWay() {
        EngineConfig config = EngineConfig.of(directory, "switching");
        LsmOptions options = LsmOptions.parse(Map.of("memtable-bytes", "64k", "compaction-min-tables", "64",
            "compaction-max-tables", "64"));
        byte[] value = new byte[1000];
        // the same engine, opened with a limit the first table fits and the second does not
        LsmEngine engine = LsmEngine.open(config, options, System::currentTimeMillis);
        try {
            assertEquals(1L, engine.metrics().extra().get("point_reads_mapped"), "a default engine on this machine");
            engine.put(1, Key.utf8("first"), "v".getBytes(), value);
            engine.flushMemtables();
            assertArrayEquals(value, engine.get(1, Key.utf8("first")).value());
        } finally {
            engine.close();
        }
        long oneTable = tableBytes(config);
        PointReads reads = new PointReads(DataReads.AUTO, oneTable);
        engine = LsmEngine.open(config, options, System::currentTimeMillis, null, CommitLog.SegmentFiles.REAL, reads);
        try {
            assertTrue(reads.mapped(), "one table: within the limit");
            assertArrayEquals(value, engine.get(1, Key.utf8("first")).value(), "read through the mapping");
            engine.put(2, Key.utf8("second"), "v".getBytes(), value);
            engine.flushMemtables();
            assertFalse(reads.mapped(), "two tables: over the limit");
            assertEquals(0L, engine.metrics().extra().get("point_reads_mapped"));
            assertArrayEquals(value, engine.get(1, Key.utf8("first")).value(), "read with pread");
            assertArrayEquals(value, engine.get(2, Key.utf8("second")).value());
        } finally {
            engine.close();
        }
    }

    private static long tableBytes(EngineConfig config) {
        try (var files = java.nio.file.Files.list(config.storeDirectory())) {
            return files.filter(file -> TableFiles.isTable(file.getFileName().toString()))
                .mapToLong(file -> file.toFile().length()).sum();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    /** In a child JVM under {@code -Xint} ({@link InterpretedChild}). */
    @Test
    void aFaultUnderTheMappingFailsTheReadWithAStorageFailureAndTheEngineReadsOn() throws Exception {
        String printed = InterpretedChild.run(MappedFaultReader.class, directory, 60);
        String table = printed.lines().filter(line -> line.startsWith("TABLE ")).findFirst()
            .orElseThrow(() -> new AssertionError(printed)).substring("TABLE ".length());
        String read = printed.lines().filter(line -> line.startsWith("FAILED ") || line.equals("READ"))
            .findFirst().orElseThrow(() -> new AssertionError(printed));
        assertTrue(read.startsWith("FAILED STORAGE_FAILURE "), printed);
        assertTrue(read.contains(table), printed);
        assertTrue(printed.lines().anyMatch("KEPT"::equals), "the engine still serves what it can read:\n"
            + printed);
    }
}
