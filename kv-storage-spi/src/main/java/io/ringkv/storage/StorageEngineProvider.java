package io.ringkv.storage;

/**
 * A storage engine plugin, found with {@link java.util.ServiceLoader}: declare it with {@code provides} in the
 * plugin's {@code module-info.java} and in {@code META-INF/services/io.ringkv.storage.StorageEngineProvider} so it
 * loads from the module path and the class path alike. Providers need a public no-argument constructor.
 */
public interface StorageEngineProvider {

    /** @return the name configuration uses to choose this engine, e.g. {@code memory} or {@code lsm} */
    String name();

    /** @return one line for operators: what the engine is and when to choose it */
    String description();

    /**
     * Opens (creating if needed) the store described by {@code config}.
     *
     * @throws io.ringkv.api.KvException with {@code INVALID_CONFIGURATION} for an unknown or bad option, or
     *     {@code STORAGE_FAILURE} when the store cannot be opened
     */
    StorageEngine open(EngineConfig config);
}
