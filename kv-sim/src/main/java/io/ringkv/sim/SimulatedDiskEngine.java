package io.ringkv.sim;

import io.ringkv.api.Key;
import io.ringkv.storage.EngineConfig;
import io.ringkv.storage.EngineCounters;
import io.ringkv.storage.RecordGuard;
import io.ringkv.storage.RecordVisitor;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageKey;
import io.ringkv.storage.StorageMetrics;
import io.ringkv.storage.StorageRecord;
import java.util.Map;
import java.util.Objects;

/**
 * A storage engine on a {@link SimDisk}: durable once flushed, and a crash loses exactly the writes since the
 * last flush. Closed by a crash, so a dead incarnation cannot write.
 */
final class SimulatedDiskEngine implements StorageEngine {
    static final String NAME = "simulated-disk";

    private final SimulatedStore store;
    private final RecordGuard guard;
    private final EngineCounters counters = new EngineCounters();

    SimulatedDiskEngine(SimulatedStore store, EngineConfig config) {
        this.store = store;
        this.guard = new RecordGuard(config);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean isVolatile() {
        return false;
    }

    @Override
    public void put(long token, Key key, byte[] version, byte[] value) {
        guard.checkWrite(key, version, Objects.requireNonNull(value, "value"));
        StorageRecord record = StorageRecord.live(new StorageKey(token, key), version, value);
        store.write(record);
        counters.onPut(record.sizeInBytes());
    }

    @Override
    public void delete(long token, Key key, byte[] version) {
        guard.checkWrite(key, version, null);
        StorageRecord tombstone = StorageRecord.tombstone(new StorageKey(token, key), version);
        store.write(tombstone);
        counters.onDelete(tombstone.sizeInBytes());
    }

    @Override
    public StorageRecord get(long token, Key key) {
        guard.checkOpen();
        StorageRecord record = store.records().get(new StorageKey(token, key));
        counters.onGet(record != null);
        return record;
    }

    @Override
    public void scan(long startExclusive, long endInclusive, RecordVisitor visitor) {
        guard.checkOpen();
        counters.onScan(store.records().scan(startExclusive, endInclusive, visitor));
    }

    @Override
    public void flush() {
        guard.checkOpen();
        store.flush();
        counters.onFlush();
    }

    @Override
    public StorageMetrics metrics() {
        return counters.snapshot(store.records().size(), Map.of("unflushed_writes", (long) store.unflushedWrites()));
    }

    @Override
    public void close() {
        if (guard.close()) {
            store.flush();
        }
    }

    void closeAfterCrash() {
        guard.close();
    }
}
