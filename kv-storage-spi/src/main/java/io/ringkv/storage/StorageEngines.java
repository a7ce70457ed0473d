package io.ringkv.storage;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import java.util.ServiceLoader;
import java.util.SortedMap;
import java.util.TreeMap;

/** Finds storage engine plugins by name. */
public final class StorageEngines {
    private StorageEngines() {
    }

    /**
     * @param name the engine's name, e.g. {@code memory}
     * @return the provider registered under that name
     * @throws KvException with {@link ErrorCode#UNKNOWN_PLUGIN} listing the names found
     */
    public static StorageEngineProvider provider(String name) {
        SortedMap<String, StorageEngineProvider> found = available();
        StorageEngineProvider provider = found.get(name);
        if (provider == null) {
            throw new KvException(ErrorCode.UNKNOWN_PLUGIN,
                "no storage engine named '" + name + "'; engines found: " + String.join(", ", found.keySet()));
        }
        return provider;
    }

    /** Opens a store with the engine named {@code name}. */
    public static StorageEngine open(String name, EngineConfig config) {
        return provider(name).open(config);
    }

    /**
     * @return every provider visible to this module's layer and the context class loader, by name
     * @throws KvException with {@link ErrorCode#INVALID_CONFIGURATION} when two plugins claim one name
     */
    public static SortedMap<String, StorageEngineProvider> available() {
        SortedMap<String, StorageEngineProvider> byName = new TreeMap<>();
        for (StorageEngineProvider provider : ServiceLoader.load(StorageEngineProvider.class)) {
            StorageEngineProvider previous = byName.putIfAbsent(provider.name(), provider);
            if (previous != null && previous.getClass() != provider.getClass()) {
                throw new KvException(ErrorCode.INVALID_CONFIGURATION,
                    "two storage engines are named '" + provider.name() + "': " + previous.getClass().getName()
                        + " and " + provider.getClass().getName());
            }
        }
        return byName;
    }
}
