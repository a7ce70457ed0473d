package io.ringkv.node;

import io.ringkv.api.Counter;
import io.ringkv.api.CounterKind;
import io.ringkv.api.CounterRegistry;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageMetrics;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The storage engine's report ({@link StorageEngine#metrics()}) in the node's counter registry, under
 * {@code storage_<name>} in INFO's {@code storage} section. Engines are opened before the node and outside it (tests,
 * tools, the TCK), so they keep their own thread-safe accounting behind the SPI; the agent thread copies it here
 * ({@link #publish()}) and readers never call into the engine.
 *
 * <p>Engine-specific counters ({@link StorageMetrics#extra()}) are registered the first time they appear, as
 * gauges: the SPI does not say which of them only grow.
 */
final class StorageCounters {
    private static final String SECTION = "storage";

    private final CounterRegistry registry;
    private final StorageEngine engine;
    private final Counter diskFull;
    private final Counter records;
    private final Counter dataBytes;
    private final Counter puts;
    private final Counter deletes;
    private final Counter gets;
    private final Counter getHits;
    private final Counter scans;
    private final Counter scannedRecords;
    private final Counter flushes;
    private final Counter userBytesWritten;
    /** By the engine's name; null for a name the registry refused (not snake_case), which is left out. */
    private final Map<String, Counter> extra = new HashMap<>();

    /** Registers the counters every engine reports. */
    StorageCounters(CounterRegistry registry, StorageEngine engine) {
        this.registry = registry;
        this.engine = engine;
        diskFull = gauge(StorageMetrics.DISK_FULL, "1 while the engine refuses writes because its disk is full");
        records = gauge("records", "records held, tombstones included (an estimate for some engines)");
        dataBytes = gauge("data_bytes", "bytes the data held takes now (what the node announces as its load)");
        puts = counter("puts", "records written, tombstones excluded");
        deletes = counter("deletes", "tombstones written");
        gets = counter("gets", "point reads");
        getHits = counter("get_hits", "point reads that found a record, tombstones included");
        scans = counter("scans", "range scans started");
        scannedRecords = counter("scanned_records", "records handed to scan visitors");
        flushes = counter("flushes", "flushes completed");
        userBytesWritten = counter("user_bytes_written", "key, version and value bytes accepted by put and delete");
        extra.put(StorageMetrics.DISK_FULL, diskFull);
        // an engine's own counter of one of these names would hide the common one: the common one wins
        for (String common : new String[] {"records", "data_bytes", "puts", "deletes", "gets", "get_hits", "scans",
            "scanned_records", "flushes", "user_bytes_written"}) {
            extra.put(common, null);
        }
    }

    /** Agent thread (the one writer of these counters): copies the engine's report now. */
    void publish() {
        StorageMetrics metrics = engine.metrics();
        records.setRelease(metrics.liveRecords());
        dataBytes.setRelease(metrics.dataBytes());
        puts.setRelease(metrics.puts());
        deletes.setRelease(metrics.deletes());
        gets.setRelease(metrics.gets());
        getHits.setRelease(metrics.getHits());
        scans.setRelease(metrics.scans());
        scannedRecords.setRelease(metrics.scannedRecords());
        flushes.setRelease(metrics.flushes());
        userBytesWritten.setRelease(metrics.bytesWritten());
        if (!metrics.extra().containsKey(StorageMetrics.DISK_FULL)) {
            diskFull.setRelease(0);
        }
        new TreeMap<>(metrics.extra()).forEach((name, value) -> {
            Counter counter = extra(name);
            if (counter != null) {
                counter.setRelease(value);
            }
        });
    }

    private Counter extra(String name) {
        if (extra.containsKey(name)) {
            return extra.get(name);
        }
        Counter counter = null;
        try {
            counter = gauge(name, "reported by the " + engine.name() + " engine as " + name);
        } catch (IllegalArgumentException | IllegalStateException e) {
            // a name that is not snake_case, or a full registry: the engine's report must not stop the agent
        }
        extra.put(name, counter);
        return counter;
    }

    private Counter counter(String name, String help) {
        return registry.register("storage_" + name, help, CounterKind.COUNTER, SECTION);
    }

    private Counter gauge(String name, String help) {
        return registry.register("storage_" + name, help, CounterKind.GAUGE, SECTION);
    }
}
