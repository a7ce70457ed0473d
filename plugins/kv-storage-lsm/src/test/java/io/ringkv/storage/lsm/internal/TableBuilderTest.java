package io.ringkv.storage.lsm.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.Key;
import io.ringkv.api.Limits;
import io.ringkv.storage.StorageKey;
import io.ringkv.storage.StorageRecord;
import io.ringkv.storage.lsm.DataReads;
import io.ringkv.storage.lsm.LsmOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A table renamed into place and then failing (its directory's sync, or its opening: out of descriptors, a mapping
 * refused) is removed: the flush or compaction is tried again under a new generation, and the failed one, in no
 * view, used to stay on disk and be loaded at the next start, with values purged or dropped since.
 */
class TableBuilderTest {
    @TempDir
    Path directory;

    @Test
    void aTableThatFailsToOpenAfterItWasRenamedIntoPlaceIsRemoved() throws IOException {
        TableBuilder failing = builder((path, limits, metrics, reads) -> {
            throw new IOException("Map failed");
        });
        IOException failure = assertThrows(IOException.class, () -> failing.build(entries(), 2, new long[0], 1, 2,
            RateLimiter.UNLIMITED));
        assertEquals("Map failed", failure.getMessage());
        assertEquals(List.of(), tables(), "a table nobody uses was left on disk");
        // what the JVM throws for a fault under the new table's mapping while it is verified
        TableBuilder faulting = builder((path, limits, metrics, reads) -> {
            throw new InternalError("a fault occurred in an unsafe memory access operation");
        });
        assertThrows(InternalError.class, () -> faulting.build(entries(), 2, new long[0], 1, 2,
            RateLimiter.UNLIMITED));
        assertEquals(List.of(), tables(), "a table nobody uses was left on disk after a fault");
        // the same builder with the real opener leaves one table, open
        SSTable table = builder(SSTable::open).build(entries(), 2, new long[0], 1, 2, RateLimiter.UNLIMITED);
        assertEquals(1, tables().size());
        table.release();
    }

    @Test
    void aTableWhoseReadsFailedIsLeftOutOfCompactionOnlyUntilTheFaultsHaveStoppedForAWhile() throws IOException {
        SSTable table = builder(SSTable::open).build(entries(), 2, new long[0], 1, 2, RateLimiter.UNLIMITED);
        long start = 1_000_000_000L;
        for (int fault = 1; fault < SSTable.READ_FAULTS_BEFORE_SET_ASIDE; fault++) {
            table.countReadFault(start);
            assertFalse(table.leftOutOfCompaction(start), "left out after " + fault + " fault(s): a blip");
        }
        table.countReadFault(start);
        assertTrue(table.leftOutOfCompaction(start + SSTable.SET_ASIDE_NANOS - 1));
        assertFalse(table.leftOutOfCompaction(start + SSTable.SET_ASIDE_NANOS),
            "the faults stopped long ago: compaction tries the table again");
        // a fault that lasts fails that compaction's read, and sets the table aside again at once
        long later = start + 2 * SSTable.SET_ASIDE_NANOS;
        table.countReadFault(later);
        assertTrue(table.leftOutOfCompaction(later + 1));
        table.release();
    }

    private TableBuilder builder(TableBuilder.Opener opener) {
        return new TableBuilder(directory, LsmOptions.DEFAULTS, Limits.DEFAULT, new LsmMetrics(),
            System::currentTimeMillis, 1, new PointReads(DataReads.MMAP, 0), opener);
    }

    private static EntryCursor entries() {
        Iterator<Entry> all = List.of(entry(1, "a", 1), entry(2, "b", 2)).iterator();
        return () -> all.hasNext() ? all.next() : null;
    }

    private static Entry entry(long token, String key, long seq) {
        StorageKey storageKey = new StorageKey(token, Key.utf8(key));
        return new Entry(StorageRecord.live(storageKey, new byte[] {1}, key.getBytes(StandardCharsets.UTF_8)), seq,
            0);
    }

    private List<Path> tables() throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(file -> file.getFileName().toString().startsWith("sst-")).toList();
        }
    }
}
