package io.ringkv.storage;

import io.ringkv.api.Key;
import java.util.Map;
import java.util.Objects;

/**
 * A {@link StorageEngine} over an in-memory {@link RecordMap}: the checks, counters, reads and scans every such
 * engine shares. Subclasses decide what a write and a flush mean ({@link #store}, {@link #flush()}), e.g. the
 * {@code memory} engine writes straight to the map and the simulator's disk journals writes until a flush.
 */
public abstract class RecordMapEngine implements StorageEngine {
    private final RecordMap records;
    private final RecordGuard guard;
    private final EngineCounters counters = new EngineCounters();

    /**
     * @param config the limits to enforce
     * @param records the map reads and scans see
     */
    protected RecordMapEngine(EngineConfig config, RecordMap records) {
        this.guard = new RecordGuard(config);
        this.records = Objects.requireNonNull(records, "records");
    }

    /** Makes {@code record} the key's record; by default writes it to the map. */
    protected void store(StorageRecord record) {
        records.put(record);
    }

    /** @return engine-specific counters for {@link #metrics()}; none by default */
    protected Map<String, Long> extraMetrics() {
        return Map.of();
    }

    /** @return the map reads and scans see */
    protected final RecordMap records() {
        return records;
    }

    /** Marks the engine closed so that every later use fails. @return true the first time */
    protected final boolean markClosed() {
        return guard.close();
    }

    @Override
    public final void put(long token, Key key, byte[] version, byte[] value) {
        guard.checkWrite(key, version, Objects.requireNonNull(value, "value"));
        StorageRecord record = StorageRecord.live(new StorageKey(token, key), version, value);
        store(record);
        counters.onPut(record.sizeInBytes());
    }

    @Override
    public final void delete(long token, Key key, byte[] version) {
        guard.checkWrite(key, version, null);
        StorageRecord tombstone = StorageRecord.tombstone(new StorageKey(token, key), version);
        store(tombstone);
        counters.onDelete(tombstone.sizeInBytes());
    }

    @Override
    public final StorageRecord get(long token, Key key) {
        guard.checkOpen();
        StorageRecord record = records.get(new StorageKey(token, key));
        counters.onGet(record != null);
        return record;
    }

    @Override
    public final void scan(long startExclusive, long endInclusive, RecordVisitor visitor) {
        guard.checkOpen();
        counters.onScan(records.scan(startExclusive, endInclusive, visitor));
    }

    @Override
    public long dropUnless(java.util.function.LongPredicate keep) {
        guard.checkOpen();
        java.util.List<StorageKey> dropped = new java.util.ArrayList<>();
        records.scan(0, 0, record -> {
            if (!keep.test(record.token())) {
                dropped.add(record.storageKey());
            }
            return true;
        });
        dropped.forEach(this::drop);
        return dropped.size();
    }

    /** Removes the key's record for good (no tombstone); by default from the map. */
    protected void drop(StorageKey key) {
        records.remove(key);
    }

    @Override
    public void flush() {
        guard.checkOpen();
        counters.onFlush();
    }

    @Override
    public final StorageMetrics metrics() {
        return counters.snapshot(records.size(), records.bytes(), extraMetrics());
    }
}
