package io.ringkv.storage.lsm;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import io.ringkv.storage.EngineConfig;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The {@code lsm} engine's settings, parsed from {@link io.ringkv.storage.EngineConfig#options()}. Every option
 * has a default; an unknown name or an out-of-range value is refused with an error naming it.
 *
 * @param sync when the commit log is forced ({@code sync}: always, batch or periodic)
 * @param batchWindowMillis how long a batch gathers writes before its fsync ({@code batch-window-ms})
 * @param periodicSyncMillis fsync interval under {@code periodic} ({@code periodic-sync-ms})
 * @param memtableBytes the memtable is frozen and flushed past this size ({@code memtable-bytes})
 * @param maxImmutableMemtables frozen memtables waiting to flush before writers stall
 *     ({@code max-immutable-memtables})
 * @param blockBytes target size of an SSTable data block ({@code block-bytes})
 * @param bloomFalsePositiveRate the bloom filters' target false-positive rate ({@code bloom-fp-rate})
 * @param tombstoneGraceSeconds tombstones are kept at least this long ({@code tombstone-grace-seconds})
 * @param compactionMinTables a tier compacts once it holds this many SSTables ({@code compaction-min-tables})
 * @param compactionMaxTables at most this many SSTables in one compaction ({@code compaction-max-tables})
 * @param compactionBytesPerSecond compaction I/O budget, 0 for unlimited ({@code compaction-mib-per-sec})
 * @param compactionBacklogTables while the store holds more SSTables than this, compaction writes without its budget
 *     (writes that outrun a paced compaction would otherwise pile up tables without bound, and a point read asks the
 *     bloom filter of every table newer than the one holding its key); 0 keeps the budget whatever the backlog ({@code compaction-backlog-tables}: 32,
 *     or {@code compaction-min-tables} when that is more, by default)
 * @param dataReads how point reads fetch data blocks ({@code data-reads}: {@code auto}, the default, through the
 *     tables' mappings while they fit in half the memory beside the heap and with {@code pread} beyond;
 *     {@code positional}; {@code mmap}), see {@link DataReads}
 * @param minFreeBytes writes are refused while the store's file system has less free space than the smaller of
 *     this and {@code minFreePercent} of its size ({@code min-free-bytes}; 0 turns the reserve off), so that
 *     flushes, compactions and a restart still find room
 * @param minFreePercent the reserve as a share of the file system's size ({@code min-free-percent}, 0–50)
 * @param logBufferBytes under {@code sync=periodic}, commit log appends kept in memory and written to the segment
 *     together, at the next {@link io.ringkv.storage.StorageEngine#flush()} or periodic sync or when this many bytes
 *     wait ({@code log-buffer-bytes}); 0 writes every append before the put returns, so a killed process loses
 *     nothing not yet forced either (as {@code always} and {@code batch} do, whose puts wait for their sync)
 */
public record LsmOptions(SyncPolicy sync, long batchWindowMillis, long periodicSyncMillis, long memtableBytes,
                         int maxImmutableMemtables, int blockBytes, double bloomFalsePositiveRate,
                         long tombstoneGraceSeconds, int compactionMinTables, int compactionMaxTables,
                         long compactionBytesPerSecond, int compactionBacklogTables, DataReads dataReads,
                         long minFreeBytes, int minFreePercent, long logBufferBytes) {
    private static final long MIB = 1024 * 1024;

    /**
     * The defaults: periodic sync every 10 s, 64 MiB memtables, 4 KiB blocks, 1 % bloom, 10 days' grace, compaction
     * paced to 64 MiB/s while the store holds at most 32 SSTables, writes refused below the smaller of 64 MiB and 5 %
     * of the file system free, appends written to the log together at each flush or per 256 KiB.
     */
    public static final LsmOptions DEFAULTS = new LsmOptions(SyncPolicy.PERIODIC, 2, 10_000, 64 * MIB, 2, 4096,
        0.01, EngineConfig.DEFAULT_TOMBSTONE_GRACE_SECONDS, 4, 32, 64 * MIB, 32, DataReads.AUTO, 64 * MIB, 5,
        256 * 1024);

    private static final Set<String> NAMES = Set.of("sync", "batch-window-ms", "periodic-sync-ms",
        "memtable-bytes", "max-immutable-memtables", "block-bytes", "bloom-fp-rate", "tombstone-grace-seconds",
        "compaction-min-tables", "compaction-max-tables", "compaction-mib-per-sec", "compaction-backlog-tables",
        "data-reads", "min-free-bytes", "min-free-percent", "log-buffer-bytes");

    /** @throws KvException with {@link ErrorCode#INVALID_CONFIGURATION} naming the setting out of range */
    public LsmOptions {
        check(sync != null, "sync", "one of always, batch, periodic");
        check(batchWindowMillis >= 1 && batchWindowMillis <= 1000, "batch-window-ms", "1–1000");
        check(periodicSyncMillis >= 1 && periodicSyncMillis <= 600_000, "periodic-sync-ms", "1–600000");
        check(memtableBytes >= 4096 && memtableBytes <= 4096 * MIB, "memtable-bytes", "4 KiB–4 GiB");
        check(maxImmutableMemtables >= 1 && maxImmutableMemtables <= 64, "max-immutable-memtables", "1–64");
        check(blockBytes >= 256 && blockBytes <= 1024 * 1024, "block-bytes", "256 B–1 MiB");
        check(bloomFalsePositiveRate > 0 && bloomFalsePositiveRate <= 0.5, "bloom-fp-rate", "(0, 0.5]");
        check(tombstoneGraceSeconds >= 0, "tombstone-grace-seconds", "0 or more");
        check(compactionMinTables >= 2 && compactionMinTables <= 64, "compaction-min-tables", "2–64");
        check(compactionMaxTables >= compactionMinTables && compactionMaxTables <= 256, "compaction-max-tables",
            "compaction-min-tables–256");
        check(compactionBytesPerSecond >= 0, "compaction-mib-per-sec", "0 (unlimited) or more");
        check(compactionBacklogTables == 0 || compactionBacklogTables >= compactionMinTables
            && compactionBacklogTables <= 4096, "compaction-backlog-tables",
            "0 (never unpaced) or " + compactionMinTables + "–4096 (at least compaction-min-tables)");
        check(dataReads != null, "data-reads", "auto, positional or mmap");
        check(minFreeBytes >= 0, "min-free-bytes", "0 (no reserve) or more");
        check(minFreePercent >= 0 && minFreePercent <= 50, "min-free-percent", "0–50");
        check(logBufferBytes == 0 || logBufferBytes >= 64 * 1024 && logBufferBytes <= 64 * MIB, "log-buffer-bytes",
            "0 (write every append at once) or 64 KiB–64 MiB");
    }

    /**
     * Parses engine options; missing names take their defaults.
     *
     * @throws KvException with {@link ErrorCode#INVALID_CONFIGURATION} for an unknown name or a bad value
     */
    public static LsmOptions parse(Map<String, String> options) {
        for (String name : options.keySet()) {
            if (!NAMES.contains(name)) {
                throw new KvException(ErrorCode.INVALID_CONFIGURATION, "unknown lsm engine option '" + name
                    + "'; known options: " + String.join(", ", new java.util.TreeSet<>(NAMES)));
            }
        }
        Map<String, String> given = new HashMap<>(options);
        LsmOptions d = DEFAULTS;
        int minTables = (int) number(given, "compaction-min-tables", d.compactionMinTables);
        return new LsmOptions(
            syncPolicy(given.getOrDefault("sync", d.sync.name())),
            number(given, "batch-window-ms", d.batchWindowMillis),
            number(given, "periodic-sync-ms", d.periodicSyncMillis),
            number(given, "memtable-bytes", d.memtableBytes),
            (int) number(given, "max-immutable-memtables", d.maxImmutableMemtables),
            (int) number(given, "block-bytes", d.blockBytes),
            fraction(given, "bloom-fp-rate", d.bloomFalsePositiveRate),
            number(given, "tombstone-grace-seconds", d.tombstoneGraceSeconds),
            minTables,
            (int) number(given, "compaction-max-tables", d.compactionMaxTables),
            number(given, "compaction-mib-per-sec", d.compactionBytesPerSecond / MIB) * MIB,
            // a bound below a tier would never let compaction be paced: the default rises with the tier
            (int) number(given, "compaction-backlog-tables", Math.max(d.compactionBacklogTables, minTables)),
            dataReads(given.getOrDefault("data-reads", d.dataReads.name())),
            number(given, "min-free-bytes", d.minFreeBytes),
            (int) number(given, "min-free-percent", d.minFreePercent),
            number(given, "log-buffer-bytes", d.logBufferBytes));
    }

    /**
     * @param fileSystemBytes the size of the file system the store lives on
     * @return the free space below which writes are refused
     */
    public long reserveBytes(long fileSystemBytes) {
        return Math.min(minFreeBytes, fileSystemBytes / 100 * minFreePercent);
    }

    private static SyncPolicy syncPolicy(String text) {
        try {
            return SyncPolicy.valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw invalid("sync", text, "one of always, batch, periodic");
        }
    }

    private static DataReads dataReads(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "auto" -> DataReads.AUTO;
            case "positional" -> DataReads.POSITIONAL;
            case "mmap" -> DataReads.MMAP;
            default -> throw invalid("data-reads", text, "auto, positional or mmap");
        };
    }

    /** A whole number, optionally with a k, m or g suffix (powers of 1024). */
    private static long number(Map<String, String> given, String name, long fallback) {
        String text = given.get(name);
        if (text == null) {
            return fallback;
        }
        String trimmed = text.trim().toLowerCase(Locale.ROOT);
        long unit = switch (trimmed.isEmpty() ? ' ' : trimmed.charAt(trimmed.length() - 1)) {
            case 'k' -> 1024;
            case 'm' -> MIB;
            case 'g' -> 1024 * MIB;
            default -> 1;
        };
        String digits = unit == 1 ? trimmed : trimmed.substring(0, trimmed.length() - 1);
        try {
            return Math.multiplyExact(Long.parseLong(digits), unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw invalid(name, text, "a whole number, optionally with a k, m or g suffix");
        }
    }

    private static double fraction(Map<String, String> given, String name, double fallback) {
        String text = given.get(name);
        if (text == null) {
            return fallback;
        }
        try {
            return Double.parseDouble(text.trim());
        } catch (NumberFormatException e) {
            throw invalid(name, text, "a decimal number such as 0.01");
        }
    }

    private static void check(boolean ok, String name, String range) {
        if (!ok) {
            throw new KvException(ErrorCode.INVALID_CONFIGURATION,
                "lsm engine option '" + name + "' is out of range; allowed: " + range);
        }
    }

    private static KvException invalid(String name, String value, String expected) {
        return new KvException(ErrorCode.INVALID_CONFIGURATION,
            "lsm engine option '" + name + "' has value '" + value + "'; expected " + expected);
    }
}
