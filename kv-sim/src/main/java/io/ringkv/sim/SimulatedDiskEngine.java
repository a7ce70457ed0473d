package io.ringkv.sim;

import io.ringkv.storage.EngineConfig;
import io.ringkv.storage.PurgeGate;
import io.ringkv.storage.RecordMapEngine;
import io.ringkv.storage.StorageRecord;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * A storage engine on a {@link SimDisk}: durable once flushed, and a crash loses exactly the writes since the
 * last flush. Closed by a crash, so a dead incarnation cannot write.
 */
final class SimulatedDiskEngine extends RecordMapEngine {
    static final String NAME = "simulated-disk";

    private final SimulatedStore store;
    private final LongSupplier wallClock;
    private final PurgeGate gate;
    private final io.ringkv.storage.RecordExpiry expiry;
    private final String storeName;

    SimulatedDiskEngine(SimulatedStore store, EngineConfig config, LongSupplier wallClock) {
        super(config, store.records());
        this.store = store;
        this.wallClock = wallClock;
        this.gate = config.purgeGate();
        this.expiry = config.expiry();
        this.storeName = config.storeName();
    }

    String storeName() {
        return storeName;
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
    protected void store(StorageRecord record) {
        store.write(record, wallClock.getAsLong());
    }

    @Override
    public long dropUnless(java.util.function.LongPredicate keep) {
        store.flush();
        return super.dropUnless(keep);
    }

    @Override
    protected void drop(io.ringkv.storage.StorageKey key) {
        store.drop(key);
    }

    /** A compaction: drops the tombstones older than {@code graceMillis} that the store's purge gate allows. */
    int compact(long graceMillis) {
        long now = wallClock.getAsLong();
        return store.purgeTombstones(now - graceMillis, gate, expiry, now);
    }

    @Override
    public void flush() {
        super.flush();
        store.flush();
    }

    @Override
    protected Map<String, Long> extraMetrics() {
        return Map.of("unflushed_writes", (long) store.unflushedWrites());
    }

    @Override
    public void close() {
        if (markClosed()) {
            store.flush();
        }
    }

    void closeAfterCrash() {
        markClosed();
    }
}
