package io.ringkv.storage.internal;

import io.ringkv.api.Key;
import io.ringkv.storage.EngineConfig;
import io.ringkv.storage.EngineCounters;
import io.ringkv.storage.RecordGuard;
import io.ringkv.storage.RecordMap;
import io.ringkv.storage.RecordVisitor;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageKey;
import io.ringkv.storage.StorageMetrics;
import io.ringkv.storage.StorageRecord;
import java.util.Map;
import java.util.Objects;

/**
 * The reference engine: a concurrent skip list ordered by (token, key). Readers never block; writers replace
 * whole records, so a reader sees either the old or the new record, never a mix.
 */
final class MemoryEngine implements StorageEngine {
    private final RecordMap records = new RecordMap();
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
        StorageRecord record = StorageRecord.live(new StorageKey(token, key), version, value);
        records.put(record);
        counters.onPut(record.sizeInBytes());
    }

    @Override
    public void delete(long token, Key key, byte[] version) {
        guard.checkWrite(key, version, null);
        StorageRecord tombstone = StorageRecord.tombstone(new StorageKey(token, key), version);
        records.put(tombstone);
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
        counters.onScan(records.scan(startExclusive, endInclusive, visitor));
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
