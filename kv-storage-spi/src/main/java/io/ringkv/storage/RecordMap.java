package io.ringkv.storage;

import io.ringkv.api.Key;
import java.util.Collections;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Records sorted by (token, key) in memory, with the ring-order range scan of the {@link StorageEngine}
 * contract. The building block of the {@code memory} engine and of memtables and simulated disks; safe for
 * concurrent readers and writers.
 */
public final class RecordMap {
    // The empty key sorts before every other key with the same token, so (t, EMPTY) is where token t starts.
    private static final Key EMPTY = Key.of(new byte[0]);

    private final ConcurrentSkipListMap<StorageKey, StorageRecord> records = new ConcurrentSkipListMap<>();
    private final AtomicLong bytes = new AtomicLong();

    /** @return the record that was replaced, or null */
    public StorageRecord put(StorageRecord record) {
        StorageRecord replaced = records.put(record.storageKey(), record);
        bytes.addAndGet(record.sizeInBytes() - (replaced == null ? 0 : replaced.sizeInBytes()));
        return replaced;
    }

    /** @return the record under {@code key}, or null */
    public StorageRecord get(StorageKey key) {
        return records.get(key);
    }

    /** Removes the record under {@code key}; @return it, or null */
    public StorageRecord remove(StorageKey key) {
        StorageRecord removed = records.remove(key);
        if (removed != null) {
            bytes.addAndGet(-removed.sizeInBytes());
        }
        return removed;
    }

    /** @return how many records are held, tombstones included */
    public int size() {
        return records.size();
    }

    /** @return the {@link StorageRecord#sizeInBytes()} of the records held, summed */
    public long bytes() {
        return bytes.get();
    }

    /** Drops every record. */
    public void clear() {
        records.keySet().forEach(this::remove);
    }

    /**
     * Visits the records whose token lies in (startExclusive, endInclusive] in ring order, wrapping past
     * {@link Long#MAX_VALUE} when {@code startExclusive >= endInclusive}.
     *
     * @return how many records the visitor was handed
     */
    public long scan(long startExclusive, long endInclusive, RecordVisitor visitor) {
        long[] visited = {0};
        if (startExclusive < endInclusive) {
            visit(throughToken(afterToken(records, startExclusive), endInclusive), visitor, visited);
        } else if (visit(afterToken(records, startExclusive), visitor, visited)) {
            visit(throughToken(records, endInclusive), visitor, visited);
        }
        return visited[0];
    }

    /** The part of {@code map} whose tokens are greater than {@code token}. */
    private static NavigableMap<StorageKey, StorageRecord> afterToken(
        NavigableMap<StorageKey, StorageRecord> map, long token) {
        return token == Long.MAX_VALUE ? Collections.emptyNavigableMap() : map.tailMap(firstKeyOf(token + 1), true);
    }

    /** The part of {@code map} whose tokens are at most {@code token}. */
    private static NavigableMap<StorageKey, StorageRecord> throughToken(
        NavigableMap<StorageKey, StorageRecord> map, long token) {
        return token == Long.MAX_VALUE ? map : map.headMap(firstKeyOf(token + 1), false);
    }

    private static StorageKey firstKeyOf(long token) {
        return new StorageKey(token, EMPTY);
    }

    /** Hands the records of {@code part} to the visitor; false when the visitor asked to stop. */
    private static boolean visit(NavigableMap<StorageKey, StorageRecord> part, RecordVisitor visitor,
                                 long[] visited) {
        for (StorageRecord record : part.values()) {
            visited[0]++;
            if (!visitor.visit(record)) {
                return false;
            }
        }
        return true;
    }
}
