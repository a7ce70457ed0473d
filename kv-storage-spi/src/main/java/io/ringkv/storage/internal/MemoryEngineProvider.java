package io.ringkv.storage.internal;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import io.ringkv.storage.EngineConfig;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageEngineProvider;

/** The {@code memory} engine: a sorted in-memory map, for tests, the simulator and throw-away nodes. */
public final class MemoryEngineProvider implements StorageEngineProvider {
    /** The name configuration uses. */
    public static final String NAME = "memory";

    /** For {@link java.util.ServiceLoader}. */
    public MemoryEngineProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "in-memory sorted map; keeps nothing across restarts (tests, simulation, scratch nodes)";
    }

    @Override
    public StorageEngine open(EngineConfig config) {
        if (!config.options().isEmpty()) {
            throw new KvException(ErrorCode.INVALID_CONFIGURATION,
                "the memory engine takes no options, was given " + config.options().keySet());
        }
        return new MemoryEngine(config);
    }
}
