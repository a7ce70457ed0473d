package io.ringkv.storage.internal;

import io.ringkv.storage.EngineConfig;
import io.ringkv.storage.RecordMap;
import io.ringkv.storage.RecordMapEngine;

/**
 * The reference engine: a concurrent skip list ordered by (token, key). Readers never block; writers replace
 * whole records, so a reader sees either the old or the new record, never a mix. Keeps nothing across a restart.
 */
final class MemoryEngine extends RecordMapEngine {

    MemoryEngine(EngineConfig config) {
        super(config, new RecordMap());
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
    public void close() {
        if (markClosed()) {
            records().clear();
        }
    }
}
