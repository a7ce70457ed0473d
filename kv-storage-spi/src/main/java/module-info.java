import io.ringkv.storage.StorageEngineProvider;
import io.ringkv.storage.internal.MemoryEngineProvider;

/**
 * The storage SPI: a {@link io.ringkv.storage.StorageEngine} stores versioned records under (token, key) so a
 * token range is one ordered scan; engines are plugins found by name with {@link java.util.ServiceLoader}.
 * This module also holds the {@code memory} reference engine.
 */
module io.ringkv.storage {
    requires transitive io.ringkv.api;

    exports io.ringkv.storage;

    uses StorageEngineProvider;

    provides StorageEngineProvider with MemoryEngineProvider;
}
