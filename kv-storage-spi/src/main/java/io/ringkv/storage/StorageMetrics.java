package io.ringkv.storage;

/**
 * A point-in-time copy of an engine's counters. Engines with more to say (flushes, compactions, bloom filter
 * hits) extend the picture through {@link #extra()}.
 *
 * @param puts records written (tombstones excluded)
 * @param deletes tombstones written
 * @param gets point reads
 * @param getHits point reads that found a record (tombstones included)
 * @param scans range scans started
 * @param scannedRecords records handed to scan visitors
 * @param flushes flushes completed
 * @param liveRecords records currently held, tombstones included (an estimate for engines that cannot count)
 * @param dataBytes how much the data held takes now: table files plus memtables for engines on disk, record bytes for
 *     engines in memory (an estimate; what a node announces as its load)
 * @param bytesWritten key, version and value bytes accepted by put and delete
 * @param extra engine-specific counters by name; engines that watch their disk report it under {@link #DISK_FULL},
 *     {@link #DISK_FREE_BYTES}, {@link #DISK_MIN_FREE_BYTES} and {@link #WRITES_REFUSED_DISK_FULL}
 */
public record StorageMetrics(long puts, long deletes, long gets, long getHits, long scans, long scannedRecords,
                             long flushes, long liveRecords, long dataBytes, long bytesWritten,
                             java.util.Map<String, Long> extra) {
    /** In {@link #extra()}: 1 while the engine refuses writes because its disk is full, else 0. */
    public static final String DISK_FULL = "disk_full";
    /** In {@link #extra()}: free bytes on the engine's file system, as last seen. */
    public static final String DISK_FREE_BYTES = "disk_free_bytes";
    /** In {@link #extra()}: the free space below which the engine refuses writes. */
    public static final String DISK_MIN_FREE_BYTES = "disk_min_free_bytes";
    /** In {@link #extra()}: writes refused with {@code DISK_FULL} since the engine opened. */
    public static final String WRITES_REFUSED_DISK_FULL = "writes_refused_disk_full";

    /** Copies {@code extra}. */
    public StorageMetrics {
        extra = java.util.Map.copyOf(extra);
    }
}
