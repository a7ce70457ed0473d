package io.ringkv.sim;

import io.ringkv.api.Limits;
import io.ringkv.storage.EngineConfig;
import io.ringkv.storage.StorageEngine;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Map.Entry;
import java.util.function.LongSupplier;

/**
 * A node's disk, which outlives the node's crashes. Storage engines opened on it and small files written to it
 * keep only what was made durable ({@link StorageEngine#flush()}, {@link #sync()}) when the node crashes.
 */
public final class SimDisk {
    private final Map<String, SimulatedStore> stores = new LinkedHashMap<>();
    private final List<SimulatedDiskEngine> openEngines = new ArrayList<>();
    private final Map<String, byte[]> durableFiles = new HashMap<>();
    private final Map<String, byte[]> pendingFiles = new HashMap<>();
    private final LongSupplier wallClock;

    /** @param wallClock the node's wall clock, which stamps tombstones for {@link #compact} */
    SimDisk(LongSupplier wallClock) {
        this.wallClock = wallClock;
    }

    /** Opens (creating if needed) a store with the default limits. */
    public StorageEngine open(String storeName) {
        return open(new EngineConfig(Path.of("sim"), storeName, Limits.DEFAULT,
            EngineConfig.DEFAULT_MAX_VERSION_BYTES, Map.of()));
    }

    /** Opens (creating if needed) the store {@code config} names; its data directory is ignored. */
    public StorageEngine open(EngineConfig config) {
        SimulatedStore store = stores.computeIfAbsent(config.storeName(), name -> new SimulatedStore());
        SimulatedDiskEngine engine = new SimulatedDiskEngine(store, config, wallClock);
        openEngines.add(engine);
        return engine;
    }

    /**
     * Runs a compaction of every open engine of the store: flushes it, then drops each tombstone written more than
     * {@code graceMillis} ago (by the node's wall clock) that the engine's {@link io.ringkv.storage.PurgeGate}
     * allows, as the {@code lsm} engine's compaction does.
     *
     * @return how many tombstones were dropped
     */
    public int compact(String storeName, long graceMillis) {
        int purged = 0;
        for (SimulatedDiskEngine engine : openEngines) {
            if (engine.storeName().equals(storeName)) {
                purged += engine.compact(graceMillis);
            }
        }
        return purged;
    }

    /** Writes a small file; it survives a crash only after {@link #sync()}. */
    public void write(String name, byte[] contents) {
        pendingFiles.put(name, contents.clone());
    }

    /** @return the file as the node sees it (unsynced writes included), or null */
    public byte[] read(String name) {
        byte[] contents = pendingFiles.containsKey(name) ? pendingFiles.get(name) : durableFiles.get(name);
        return contents == null ? null : contents.clone();
    }

    /** Makes every written file durable. */
    public void sync() {
        for (Entry<String, byte[]> file : pendingFiles.entrySet()) {
            durableFiles.put(file.getKey(), file.getValue());
        }
        pendingFiles.clear();
    }

    void crash() {
        pendingFiles.clear();
        for (SimulatedDiskEngine engine : openEngines) {
            engine.closeAfterCrash();
        }
        openEngines.clear();
        for (SimulatedStore store : stores.values()) {
            store.revertUnflushed();
        }
    }
}
