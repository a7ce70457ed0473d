package io.ringkv.storage.lsm.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import io.ringkv.storage.lsm.DataReads;
import io.ringkv.storage.lsm.LsmOptions;
import io.ringkv.storage.lsm.SyncPolicy;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Options parse with defaults, suffixes and errors that name the setting. */
class LsmOptionsTest {
    @Test
    void missingOptionsTakeTheirDefaults() {
        assertEquals(LsmOptions.DEFAULTS, LsmOptions.parse(Map.of()));
        assertEquals(SyncPolicy.PERIODIC, LsmOptions.DEFAULTS.sync());
        assertEquals(0.01, LsmOptions.DEFAULTS.bloomFalsePositiveRate());
        assertEquals(DataReads.AUTO, LsmOptions.DEFAULTS.dataReads());
    }

    @Test
    void dataReadsTakeEachModeAnyCaseAndRefuseOthersListingThem() {
        assertEquals(DataReads.AUTO, LsmOptions.parse(Map.of("data-reads", "Auto")).dataReads());
        assertEquals(DataReads.POSITIONAL, LsmOptions.parse(Map.of("data-reads", "positional")).dataReads());
        assertEquals(DataReads.MMAP, LsmOptions.parse(Map.of("data-reads", "MMAP")).dataReads());
        KvException bad = assertThrows(KvException.class, () -> LsmOptions.parse(Map.of("data-reads", "direct")));
        assertEquals(ErrorCode.INVALID_CONFIGURATION, bad.code());
        assertTrue(bad.getMessage().contains("data-reads") && bad.getMessage().contains("auto, positional or mmap"),
            bad.getMessage());
    }

    @Test
    void sizesTakeSuffixesAndPoliciesAnyCase() {
        LsmOptions options = LsmOptions.parse(Map.of("memtable-bytes", "8m", "sync", "Always",
            "compaction-mib-per-sec", "0"));
        assertEquals(8L << 20, options.memtableBytes());
        assertEquals(SyncPolicy.ALWAYS, options.sync());
        assertEquals(0, options.compactionBytesPerSecond());
    }

    @Test
    void theFreeSpaceReserveIsTheSmallerOfItsBytesAndItsShare() {
        assertEquals(64L << 20, LsmOptions.DEFAULTS.reserveBytes(10_000L << 20), "5 % of 10000 MiB is more");
        assertEquals(50L << 20, LsmOptions.DEFAULTS.reserveBytes(1000L << 20), "5 % of 1000 MiB");
        assertEquals(0, LsmOptions.parse(Map.of("min-free-bytes", "0")).reserveBytes(1000L << 20));
        assertEquals(200L << 20, LsmOptions.parse(Map.of("min-free-bytes", "1g", "min-free-percent", "20"))
            .reserveBytes(1000L << 20));
        KvException percent = assertThrows(KvException.class,
            () -> LsmOptions.parse(Map.of("min-free-percent", "80")));
        assertTrue(percent.getMessage().contains("min-free-percent"), percent.getMessage());
    }

    @Test
    void theBacklogBoundIsZeroOrAtLeastATier() {
        assertEquals(32, LsmOptions.DEFAULTS.compactionBacklogTables());
        assertEquals(0, LsmOptions.parse(Map.of("compaction-backlog-tables", "0")).compactionBacklogTables());
        assertEquals(4, LsmOptions.parse(Map.of("compaction-backlog-tables", "4")).compactionBacklogTables());
        assertEquals(40, LsmOptions.parse(Map.of("compaction-min-tables", "40", "compaction-max-tables", "64"))
            .compactionBacklogTables(), "the default rises to a tier");
        KvException belowATier = assertThrows(KvException.class,
            () -> LsmOptions.parse(Map.of("compaction-backlog-tables", "3")));
        assertTrue(belowATier.getMessage().contains("compaction-backlog-tables")
            && belowATier.getMessage().contains("compaction-min-tables"), belowATier.getMessage());
    }

    @Test
    void unknownNamesAndBadValuesAreRefusedByName() {
        KvException unknown = assertThrows(KvException.class, () -> LsmOptions.parse(Map.of("memtable", "1")));
        assertEquals(ErrorCode.INVALID_CONFIGURATION, unknown.code());
        assertTrue(unknown.getMessage().contains("memtable-bytes"), unknown.getMessage());
        KvException range = assertThrows(KvException.class, () -> LsmOptions.parse(Map.of("bloom-fp-rate", "2")));
        assertTrue(range.getMessage().contains("bloom-fp-rate"), range.getMessage());
        KvException policy = assertThrows(KvException.class, () -> LsmOptions.parse(Map.of("sync", "never")));
        assertTrue(policy.getMessage().contains("always, batch, periodic"), policy.getMessage());
    }
}
