package io.ringkv.storage.lsm.internal;

import io.ringkv.storage.PurgeGate;
import io.ringkv.storage.RecordExpiry;
import io.ringkv.storage.StorageRecord;
import io.ringkv.storage.lsm.LsmOptions;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * Merges a run of adjacent SSTables into one: the entry with the highest sequence number of each key survives
 * (the engine never resolves versions; the replica already wrote its resolved record), and a tombstone older
 * than the grace period is dropped when the store's {@link PurgeGate} allows it (the node's rule: a repair of every
 * replica of its range has begun since) and no older table might still hold the key it deletes. A live record
 * whose value has expired ({@link RecordExpiry}) is kept as a tombstone written at its expiry, so its value's space
 * is freed now and the tombstone goes by the same rule later. Writes are paced by the engine's compaction limiter
 * (the configured throughput, lifted while the store's tables are past their backlog bound).
 */
final class Compaction {
    private final TableBuilder builder;
    private final LsmOptions options;
    private final PurgeGate gate;
    private final RecordExpiry expiry;
    private final LsmMetrics metrics;
    private final LongSupplier clock;
    private final RateLimiter limiter;
    private final BooleanSupplier cancelled;
    private final java.util.function.LongPredicate keep;
    private final long keepAfterSeq;
    private long dropped;

    /**
     * @param limiter paces the output's writes
     * @param cancelled true once the engine is closing: a running compaction stops and leaves its inputs
     * @param keep the tokens whose entries stay; the others are dropped, tombstones and all (a cleanup)
     * @param keepAfterSeq entries written after this sequence number stay whatever {@code keep} says: a cleanup
     *     drops only what was written before it began
     */
    Compaction(TableBuilder builder, LsmOptions options, PurgeGate gate, RecordExpiry expiry, LsmMetrics metrics,
               LongSupplier clock, RateLimiter limiter, BooleanSupplier cancelled,
               java.util.function.LongPredicate keep, long keepAfterSeq) {
        this.keep = keep;
        this.keepAfterSeq = keepAfterSeq;
        this.gate = gate;
        this.expiry = expiry;
        this.cancelled = cancelled;
        this.builder = builder;
        this.options = options;
        this.metrics = metrics;
        this.clock = clock;
        this.limiter = limiter;
    }

    /**
     * @param inputs adjacent tables, newest first
     * @param older every table older than the inputs, which a purged tombstone must not shadow anything in
     * @return the merged table, open and unreferenced
     * @throws CancellationException when the engine closed meanwhile; the partial output is deleted
     */
    SSTable run(List<SSTable> inputs, List<SSTable> older) throws IOException {
        List<EntryCursor> sources = new ArrayList<>(inputs.size());
        long records = 0;
        long bytes = 0;
        long[] generations = new long[inputs.size()];
        long minSeq = Long.MAX_VALUE;
        long maxSeq = Long.MIN_VALUE;
        for (int i = 0; i < inputs.size(); i++) {
            SSTable input = inputs.get(i);
            sources.add(input.cursor(new io.ringkv.storage.StorageKey(Long.MIN_VALUE, io.ringkv.api.Key.of(new byte[0]))));
            records += input.meta().records();
            bytes += input.sizeInBytes();
            generations[i] = input.meta().generation();
            minSeq = Math.min(minSeq, input.meta().minSeq());
            maxSeq = Math.max(maxSeq, input.meta().maxSeq());
        }
        EntryCursor merged = new MergeCursor(sources);
        long now = clock.getAsLong();
        long purgeBefore = now - options.tombstoneGraceSeconds() * 1000;
        EntryCursor kept = () -> {
            for (Entry next = merged.next(); next != null; next = merged.next()) {
                if (cancelled.getAsBoolean()) {
                    throw new CancellationException("the engine is closing");
                }
                if (next.seq() <= keepAfterSeq && !keep.test(next.key().token())) {
                    dropped++;
                    continue;
                }
                Entry entry = expired(next, now);
                if (!purgeable(entry, purgeBefore, older)) {
                    return entry;
                }
                metrics.tombstonesPurged.increment();
            }
            return null;
        };
        SSTable output = builder.build(kept, records, generations, minSeq, maxSeq, limiter);
        metrics.compactions.increment();
        metrics.compactionBytesRead.add(bytes);
        metrics.compactionBytesWritten.add(output.sizeInBytes());
        return output;
    }

    /** @return entries dropped because {@code keep} rejected their token */
    long dropped() {
        return dropped;
    }

    /** @return {@code entry}, or the tombstone it became when its value expired by {@code now} */
    private Entry expired(Entry entry, long now) {
        StorageRecord record = entry.record();
        if (record.isTombstone()) {
            return entry;
        }
        byte[] version = record.version();
        long expiresAt;
        byte[] tombstone;
        try {
            expiresAt = expiry.expiresAtMillis(version);
            if (expiresAt == 0 || expiresAt > now) {
                return entry;
            }
            tombstone = expiry.expiredVersion(version);
        } catch (RuntimeException e) {
            // a blob the writing layer cannot read is kept as it is: failing here would fail every compaction of
            // its table, retried forever, for a value that still reads (or fails to) as it did
            metrics.expiryUnreadable.increment();
            return entry;
        }
        metrics.expiredDropped.increment();
        return new Entry(StorageRecord.tombstone(record.storageKey(), tombstone), entry.seq(),
            Math.max(entry.writeMillis(), expiresAt));
    }

    private boolean purgeable(Entry entry, long purgeBefore, List<SSTable> older) {
        if (!entry.record().isTombstone() || entry.writeMillis() > purgeBefore) {
            return false;
        }
        if (!gate.mayPurge(entry.key().token(), entry.writeMillis())) {
            metrics.tombstonesHeld.increment();
            return false;
        }
        if (older.isEmpty()) {
            return true;
        }
        long hash = BloomFilter.hash(entry.key().token(), entry.key().key().toByteArray());
        for (SSTable table : older) {
            if (table.mightContain(hash)) {
                return false;
            }
        }
        return true;
    }
}
