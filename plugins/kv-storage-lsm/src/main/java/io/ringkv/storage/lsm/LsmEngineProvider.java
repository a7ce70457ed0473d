package io.ringkv.storage.lsm;

import io.ringkv.storage.EngineConfig;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageEngineProvider;
import io.ringkv.storage.lsm.internal.LsmEngine;

/** The {@code lsm} engine: ringkv's own log-structured engine, the node's default. */
public final class LsmEngineProvider implements StorageEngineProvider {
    /** The name configuration uses. */
    public static final String NAME = "lsm";

    /** For {@link java.util.ServiceLoader}. */
    public LsmEngineProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "ringkv's log-structured engine: commit log, memtable, SSTables with bloom filters, compaction";
    }

    @Override
    public StorageEngine open(EngineConfig config) {
        return LsmEngine.open(config, LsmOptions.parse(config.options()), System::currentTimeMillis);
    }
}
