package io.ringkv.storage.lsm.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** The {@code lsm} engine's own counters, safe to bump from any thread; names are what operators read. */
final class LsmMetrics {
    final LongAdder userBytes = new LongAdder();
    final LongAdder commitLogBytes = new LongAdder();
    final LongAdder commitLogSyncs = new LongAdder();
    final LongAdder commitLogSyncFailures = new LongAdder();
    /** Writes to a commit log segment: one per append without a buffer, one per buffer written with one. */
    final LongAdder commitLogWrites = new LongAdder();
    /** Writes of the append buffer to a segment that failed (its records stayed buffered). */
    final LongAdder commitLogWriteFailures = new LongAdder();
    final LongAdder commitLogRollFailures = new LongAdder();
    final LongAdder commitLogReplayedRecords = new LongAdder();
    final LongAdder commitLogCorruptTails = new LongAdder();
    final LongAdder commitLogTruncatedBytes = new LongAdder();
    /** Segments other than the newest found with a bad record (damage on the disk), each copied aside. */
    final LongAdder commitLogCorruptSegments = new LongAdder();
    final LongAdder memtableFlushes = new LongAdder();
    final LongAdder flushBytesWritten = new LongAdder();
    final LongAdder compactions = new LongAdder();
    final LongAdder compactionBytesRead = new LongAdder();
    final LongAdder compactionBytesWritten = new LongAdder();
    /** Compaction writes made without the budget while the store held more tables than its backlog bound. */
    final LongAdder compactionBytesUnpaced = new LongAdder();
    final LongAdder tombstonesPurged = new LongAdder();
    /** Live records whose value had expired, kept as tombstones by a compaction. */
    final LongAdder expiredDropped = new LongAdder();
    /** Live records compaction kept as they were because their expiry could not be read from their version. */
    final LongAdder expiryUnreadable = new LongAdder();
    /** Tombstones past their grace that compaction kept because the purge gate (repair) did not allow them yet. */
    final LongAdder tombstonesHeld = new LongAdder();
    final LongAdder sstableBytesRead = new LongAdder();
    final LongAdder bloomNegatives = new LongAdder();
    final LongAdder bloomTruePositives = new LongAdder();
    final LongAdder bloomFalsePositives = new LongAdder();
    final LongAdder corruptBlocks = new LongAdder();
    /** SSTable reads that failed below the checksums: an I/O error, a fault under the mapping. */
    final LongAdder sstableReadFaults = new LongAdder();
    final LongAdder sstablesQuarantined = new LongAdder();
    final LongAdder writeStalls = new LongAdder();
    final LongAdder backgroundFailures = new LongAdder();
    /** Compactions put off because their inputs' size exceeded the free space beyond the reserve. */
    final LongAdder compactionsDeferredNoSpace = new LongAdder();
    final LongAdder writesRefusedDiskFull = new LongAdder();
    /** Writes refused because memtables waited for a flush whose last attempt failed (not for want of space). */
    final LongAdder writesRefusedFlushFailing = new LongAdder();

    /**
     * @param sstables SSTables open now
     * @param setAside those of them compaction leaves out (a corrupt block, or reads that keep failing)
     * @param memtableBytes bytes held by the active and frozen memtables
     * @param disk the store's free space as last seen
     * @param pointReadsMapped point reads go through the tables' mappings now (see {@link PointReads})
     * @return every counter by name, with write amplification in hundredths
     */
    Map<String, Long> snapshot(int sstables, int setAside, long memtableBytes, DiskSpace disk,
                               boolean pointReadsMapped) {
        Map<String, Long> out = new LinkedHashMap<>();
        long user = userBytes.sum();
        long flushed = flushBytesWritten.sum();
        long compacted = compactionBytesWritten.sum();
        long log = commitLogBytes.sum();
        out.put("bytes_written", log + flushed + compacted);
        out.put("bytes_read", sstableBytesRead.sum() + compactionBytesRead.sum());
        out.put("commitlog_bytes", log);
        out.put("commitlog_syncs", commitLogSyncs.sum());
        out.put("commitlog_sync_failures", commitLogSyncFailures.sum());
        out.put("commitlog_writes", commitLogWrites.sum());
        out.put("commitlog_write_failures", commitLogWriteFailures.sum());
        out.put("commitlog_roll_failures", commitLogRollFailures.sum());
        out.put("commitlog_replayed_records", commitLogReplayedRecords.sum());
        out.put("commitlog_corrupt_tails", commitLogCorruptTails.sum());
        out.put("commitlog_truncated_bytes", commitLogTruncatedBytes.sum());
        out.put("commitlog_corrupt_segments", commitLogCorruptSegments.sum());
        out.put("memtable_flushes", memtableFlushes.sum());
        out.put("flush_bytes_written", flushed);
        out.put("compactions", compactions.sum());
        out.put("compaction_bytes_read", compactionBytesRead.sum());
        out.put("compaction_bytes_written", compacted);
        out.put("compaction_bytes_unpaced", compactionBytesUnpaced.sum());
        out.put("tombstones_purged", tombstonesPurged.sum());
        out.put("expired_values_dropped", expiredDropped.sum());
        out.put("expiry_unreadable", expiryUnreadable.sum());
        out.put("tombstones_held_for_repair", tombstonesHeld.sum());
        out.put("sstable_bytes_read", sstableBytesRead.sum());
        out.put("bloom_negatives", bloomNegatives.sum());
        out.put("bloom_true_positives", bloomTruePositives.sum());
        out.put("bloom_false_positives", bloomFalsePositives.sum());
        out.put("corrupt_blocks", corruptBlocks.sum());
        out.put("sstable_read_faults", sstableReadFaults.sum());
        out.put("sstables_quarantined", sstablesQuarantined.sum());
        out.put("write_stalls", writeStalls.sum());
        out.put("background_failures", backgroundFailures.sum());
        out.put("compactions_deferred_no_space", compactionsDeferredNoSpace.sum());
        out.put("writes_refused_flush_failing", writesRefusedFlushFailing.sum());
        out.put(io.ringkv.storage.StorageMetrics.DISK_FULL, disk.isFull() ? 1L : 0L);
        out.put(io.ringkv.storage.StorageMetrics.DISK_FREE_BYTES, disk.freeBytes());
        out.put(io.ringkv.storage.StorageMetrics.DISK_MIN_FREE_BYTES, disk.reserve());
        out.put(io.ringkv.storage.StorageMetrics.WRITES_REFUSED_DISK_FULL, writesRefusedDiskFull.sum());
        out.put("sstables", (long) sstables);
        out.put("sstables_left_out_of_compaction", (long) setAside);
        out.put("point_reads_mapped", pointReadsMapped ? 1L : 0L);
        out.put("memtable_bytes", memtableBytes);
        // bytes the engine wrote to disk (commit log, flushes, compactions) per byte the caller wrote, ×100;
        // the SSTable part alone ((flushed + compacted) / user) is what LSM papers call write amplification
        out.put("write_amplification_x100", user == 0 ? 0 : (log + flushed + compacted) * 100 / user);
        out.put("sstable_write_amplification_x100", user == 0 ? 0 : (flushed + compacted) * 100 / user);
        return out;
    }
}
