package io.ringkv.sim;

import io.ringkv.storage.EngineConfig;
import io.ringkv.storage.RecordMapEngine;
import io.ringkv.storage.StorageRecord;
import java.util.Map;

/**
 * A storage engine on a {@link SimDisk}: durable once flushed, and a crash loses exactly the writes since the
 * last flush. Closed by a crash, so a dead incarnation cannot write.
 */
final class SimulatedDiskEngine extends RecordMapEngine {
    static final String NAME = "simulated-disk";

    private final SimulatedStore store;

    SimulatedDiskEngine(SimulatedStore store, EngineConfig config) {
        super(config, store.records());
        this.store = store;
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
        store.write(record);
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
