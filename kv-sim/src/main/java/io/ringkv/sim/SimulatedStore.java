package io.ringkv.sim;

import io.ringkv.storage.PurgeGate;
import io.ringkv.storage.RecordMap;
import io.ringkv.storage.StorageKey;
import io.ringkv.storage.StorageRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A store's records on a simulated disk, with an undo journal of the writes since the last flush: a crash
 * replays the journal backwards, leaving exactly what was flushed. Tombstones remember when they were written, so
 * that a compaction can purge them after their grace, as the {@code lsm} engine's does.
 */
final class SimulatedStore {
    private final RecordMap records = new RecordMap();
    private final Map<StorageKey, Long> tombstoneWrites = new HashMap<>();
    private final List<Undo> unflushed = new ArrayList<>();

    private record Undo(StorageKey key, StorageRecord previous, Long previousTombstoneWrite) {
    }

    RecordMap records() {
        return records;
    }

    void write(StorageRecord record, long wallMillis) {
        StorageKey key = record.storageKey();
        Long previousWrite = record.isTombstone() ? tombstoneWrites.put(key, wallMillis) : tombstoneWrites.remove(key);
        unflushed.add(new Undo(key, records.put(record), previousWrite));
    }

    /**
     * Flushes, then drops every tombstone written at or before {@code purgeBeforeMillis} that {@code gate} allows.
     *
     * @return how many were dropped
     */
    int purgeTombstones(long purgeBeforeMillis, PurgeGate gate) {
        return purgeTombstones(purgeBeforeMillis, gate, io.ringkv.storage.RecordExpiry.NEVER, Long.MIN_VALUE);
    }

    /**
     * As {@link #purgeTombstones(long, PurgeGate)}, after keeping each live record whose value expired by
     * {@code nowMillis} as the tombstone {@code expiry} names, written at its expiry (as the {@code lsm} engine's
     * compaction does).
     */
    int purgeTombstones(long purgeBeforeMillis, PurgeGate gate, io.ringkv.storage.RecordExpiry expiry,
                        long nowMillis) {
        flush();
        List<StorageRecord> expired = new ArrayList<>();
        // start equal to end: the whole ring
        records.scan(0, 0, record -> {
            if (!record.isTombstone()) {
                long expiresAt = expiry.expiresAtMillis(record.version());
                if (expiresAt != 0 && expiresAt <= nowMillis) {
                    expired.add(record);
                }
            }
            return true;
        });
        for (StorageRecord record : expired) {
            long expiresAt = expiry.expiresAtMillis(record.version());
            records.put(StorageRecord.tombstone(record.storageKey(), expiry.expiredVersion(record.version())));
            tombstoneWrites.put(record.storageKey(), expiresAt);
        }
        List<StorageKey> purged = new ArrayList<>();
        for (Map.Entry<StorageKey, Long> tombstone : tombstoneWrites.entrySet()) {
            long written = tombstone.getValue();
            if (written <= purgeBeforeMillis && gate.mayPurge(tombstone.getKey().token(), written)) {
                purged.add(tombstone.getKey());
            }
        }
        for (StorageKey key : purged) {
            records.remove(key);
            tombstoneWrites.remove(key);
        }
        return purged.size();
    }

    /** Removes the key's record for good (a cleanup, made durable at once like a compaction's output). */
    void drop(StorageKey key) {
        records.remove(key);
        tombstoneWrites.remove(key);
    }

    void flush() {
        unflushed.clear();
    }

    int unflushedWrites() {
        return unflushed.size();
    }

    void revertUnflushed() {
        for (int i = unflushed.size() - 1; i >= 0; i--) {
            Undo undo = unflushed.get(i);
            if (undo.previousTombstoneWrite() == null) {
                tombstoneWrites.remove(undo.key());
            } else {
                tombstoneWrites.put(undo.key(), undo.previousTombstoneWrite());
            }
            if (undo.previous() == null) {
                records.remove(undo.key());
            } else {
                records.put(undo.previous());
            }
        }
        unflushed.clear();
    }
}
