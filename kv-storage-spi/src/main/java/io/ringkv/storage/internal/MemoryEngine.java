package io.ringkv.storage.internal;

import io.ringkv.api.Key;
import io.ringkv.storage.EngineConfig;
import io.ringkv.storage.EngineCounters;
import io.ringkv.storage.RecordGuard;
import io.ringkv.storage.RecordVisitor;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageKey;
import io.ringkv.storage.StorageMetrics;
import io.ringkv.storage.StorageRecord;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The reference engine: a concurrent skip list ordered by (token, key). Readers never block; writers replace
 * whole records, so a reader sees either the old or the new record, never a mix.
 */
final class MemoryEngine implements StorageEngine {
    // The smallest key sorts before every other key with the same token, so (t, EMPTY) is where token t starts.
    private static final Key EMPTY = Key.of(new byte[0]);

    private final ConcurrentSkipListMap<StorageKey, StorageRecord> records = new ConcurrentSkipListMap<>();
    private final RecordGuard guard;
    private final EngineCounters counters = new EngineCounters();

    MemoryEngine(EngineConfig config) {
        this.guard = new RecordGuard(config);
    }

    @Override
    public String name() {
        return MemoryEngineProvider.NAME;
    }

    @Override
    public boolean isVolatile() {
        return true;
    }

    @Override
    public void put(long token, Key key, byte[] version, byte[] value) {
        guard.checkWrite(key, version, Objects.requireNonNull(value, "value"));
        StorageKey storageKey = new StorageKey(token, key);
        StorageRecord record = StorageRecord.live(storageKey, version, value);
        records.put(storageKey, record);
        counters.onPut(record.sizeInBytes());
    }

    @Override
    public void delete(long token, Key key, byte[] version) {
        guard.checkWrite(key, version, null);
        StorageKey storageKey = new StorageKey(token, key);
        StorageRecord tombstone = StorageRecord.tombstone(storageKey, version);
        records.put(storageKey, tombstone);
        counters.onDelete(tombstone.sizeInBytes());
    }

    @Override
    public StorageRecord get(long token, Key key) {
        guard.checkOpen();
        StorageRecord record = records.get(new StorageKey(token, key));
        counters.onGet(record != null);
        return record;
    }

    @Override
    public void scan(long startExclusive, long endInclusive, RecordVisitor visitor) {
        guard.checkOpen();
        ScanCount count = new ScanCount();
        if (startExclusive < endInclusive) {
            visit(throughToken(afterToken(records, startExclusive), endInclusive), visitor, count);
        } else if (visit(afterToken(records, startExclusive), visitor, count)) {
            visit(throughToken(records, endInclusive), visitor, count);
        }
        counters.onScan(count.visited);
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
                                 ScanCount count) {
        for (StorageRecord record : part.values()) {
            count.visited++;
            if (!visitor.visit(record)) {
                return false;
            }
        }
        return true;
    }

    private static final class ScanCount {
        long visited;
    }

    @Override
    public void flush() {
        guard.checkOpen();
        counters.onFlush();
    }

    @Override
    public StorageMetrics metrics() {
        return counters.snapshot(records.size(), Map.of());
    }

    @Override
    public void close() {
        if (guard.close()) {
            records.clear();
        }
    }
}
