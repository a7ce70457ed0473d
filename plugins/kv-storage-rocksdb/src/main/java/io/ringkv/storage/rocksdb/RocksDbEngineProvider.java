package io.ringkv.storage.rocksdb;

import io.ringkv.storage.EngineConfig;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageEngineProvider;
import io.ringkv.storage.rocksdb.internal.RocksDbEngine;

/** The {@code rocksdb} engine: RocksDB through JNI. */
public final class RocksDbEngineProvider implements StorageEngineProvider {
    /** The name configuration uses. */
    public static final String NAME = "rocksdb";

    /** For {@link java.util.ServiceLoader}. */
    public RocksDbEngineProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "RocksDB over JNI with bloom filters, LZ4 and a configured block cache; the lsm engine's baseline";
    }

    @Override
    public StorageEngine open(EngineConfig config) {
        return RocksDbEngine.open(config, RocksDbOptions.parse(config.options()));
    }
}
