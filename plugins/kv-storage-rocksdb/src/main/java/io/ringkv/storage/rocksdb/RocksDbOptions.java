package io.ringkv.storage.rocksdb;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The {@code rocksdb} engine's settings, parsed from {@link io.ringkv.storage.EngineConfig#options()}.
 *
 * @param syncEveryWrite {@code sync}: {@code always} forces the write-ahead log before each write returns;
 *     {@code none} (default) leaves it in the operating system, which survives a killed process
 * @param blockCacheBytes {@code block-cache-bytes}: the LRU cache of uncompressed blocks (default 64 MiB)
 * @param writeBufferBytes {@code write-buffer-bytes}: memtable size (default 64 MiB)
 * @param blockBytes {@code block-bytes}: data block size (default 4 KiB)
 * @param bloomBitsPerKey {@code bloom-bits-per-key}: 10 gives about a 1 % false-positive rate
 * @param lz4 {@code compression}: {@code lz4} (default) or {@code none}
 * @param backgroundJobs {@code max-background-jobs}: flush and compaction threads (default 2)
 */
public record RocksDbOptions(boolean syncEveryWrite, long blockCacheBytes, long writeBufferBytes, long blockBytes,
                             double bloomBitsPerKey, boolean lz4, int backgroundJobs) {
    private static final long MIB = 1024 * 1024;
    /** The defaults. */
    public static final RocksDbOptions DEFAULTS = new RocksDbOptions(false, 64 * MIB, 64 * MIB, 4096, 10, true, 2);
    private static final Set<String> NAMES = Set.of("sync", "block-cache-bytes", "write-buffer-bytes",
        "block-bytes", "bloom-bits-per-key", "compression", "max-background-jobs");

    /**
     * @throws KvException with {@link ErrorCode#INVALID_CONFIGURATION} for an unknown name or a bad value
     */
    public static RocksDbOptions parse(Map<String, String> options) {
        for (String name : options.keySet()) {
            if (!NAMES.contains(name)) {
                throw invalid("unknown rocksdb engine option '" + name + "'; known options: "
                    + String.join(", ", new TreeSet<>(NAMES)));
            }
        }
        RocksDbOptions d = DEFAULTS;
        return new RocksDbOptions(
            choice(options, "sync", "always", "none", d.syncEveryWrite),
            size(options, "block-cache-bytes", d.blockCacheBytes, 0),
            size(options, "write-buffer-bytes", d.writeBufferBytes, 64 * 1024),
            size(options, "block-bytes", d.blockBytes, 256),
            bitsPerKey(options.getOrDefault("bloom-bits-per-key", Double.toString(d.bloomBitsPerKey))),
            choice(options, "compression", "lz4", "none", d.lz4),
            (int) size(options, "max-background-jobs", d.backgroundJobs, 1));
    }

    private static double bitsPerKey(String text) {
        try {
            double bits = Double.parseDouble(text.trim());
            if (bits >= 1 && bits <= 64) {
                return bits;
            }
        } catch (NumberFormatException e) {
            // reported below with the allowed range
        }
        throw invalid("rocksdb engine option 'bloom-bits-per-key' has value '" + text + "'; expected 1–64");
    }

    private static boolean choice(Map<String, String> options, String name, String yes, String no, boolean fallback) {
        String text = options.get(name);
        if (text == null) {
            return fallback;
        }
        String value = text.trim().toLowerCase(Locale.ROOT);
        if (value.equals(yes) || value.equals(no)) {
            return value.equals(yes);
        }
        throw invalid("rocksdb engine option '" + name + "' has value '" + text + "'; expected " + yes + " or " + no);
    }

    private static long size(Map<String, String> options, String name, long fallback, long minimum) {
        String text = options.get(name);
        if (text == null) {
            return fallback;
        }
        String value = text.trim().toLowerCase(Locale.ROOT);
        long unit = value.endsWith("k") ? 1024 : value.endsWith("m") ? MIB : value.endsWith("g") ? 1024 * MIB : 1;
        try {
            long parsed = Long.parseLong(unit == 1 ? value : value.substring(0, value.length() - 1)) * unit;
            if (parsed < minimum) {
                throw invalid("rocksdb engine option '" + name + "' must be at least " + minimum + ", was " + text);
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw invalid("rocksdb engine option '" + name + "' has value '" + text + "'; expected a whole number, "
                + "optionally with a k, m or g suffix");
        }
    }

    private static KvException invalid(String message) {
        return new KvException(ErrorCode.INVALID_CONFIGURATION, message);
    }
}
