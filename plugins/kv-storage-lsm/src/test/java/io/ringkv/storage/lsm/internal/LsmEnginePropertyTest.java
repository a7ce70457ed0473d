package io.ringkv.storage.lsm.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ringkv.api.Key;
import io.ringkv.storage.EngineConfig;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageEngines;
import io.ringkv.storage.StorageRecord;
import io.ringkv.storage.lsm.LsmOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random histories of puts, deletes, flushes, compactions and reopens leave the lsm engine in the same observable
 * state as the memory engine: every get and every scan agree. Seeded; a failure prints the seed and the command
 * that replays it.
 */
class LsmEnginePropertyTest {
    private static final int OPERATIONS = 400;
    private static final Map<String, String> OPTIONS = Map.of("memtable-bytes", "4k", "block-bytes", "256",
        "compaction-min-tables", "2", "compaction-max-tables", "4");
    private static final String[] DATA_READS = {"positional", "mmap"};

    @TempDir
    Path directory;

    @Test
    void randomHistoriesMatchTheMemoryEngine() {
        String fixed = System.getProperty("lsm.seed", "");
        int runs = Integer.getInteger("lsm.property.runs", 30);
        long first = fixed.isBlank() ? new SplittableRandom().nextLong() : Long.parseLong(fixed);
        for (int run = 0; run < (fixed.isBlank() ? runs : 1); run++) {
            long seed = first + run;
            try {
                runHistory(seed, directory.resolve("run-" + run));
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("history with seed " + seed + " diverged; replay it with: bin/test -pl "
                    + "plugins/kv-storage-lsm -am -Dsurefire.failIfNoSpecifiedTests=false "
                    + "-Dtest=LsmEnginePropertyTest -Dlsm.seed=" + seed, e);
            }
        }
    }

    private static void runHistory(long seed, Path data) {
        SplittableRandom random = new SplittableRandom(seed);
        EngineConfig config = EngineConfig.of(data, "property");
        StorageEngine model = StorageEngines.open("memory", EngineConfig.of(data, "model"));
        Map<String, String> options = new java.util.HashMap<>(OPTIONS);
        options.put("data-reads", DATA_READS[(int) Math.floorMod(seed, 2L)]);
        LsmEngine engine = open(config, options);
        try {
            for (int op = 0; op < OPERATIONS; op++) {
                int choice = random.nextInt(100);
                long token = random.nextInt(12) - 6L;
                Key key = Key.utf8("k" + random.nextInt(40));
                byte[] version = ("v" + op).getBytes();
                if (choice < 60) {
                    byte[] value = new byte[random.nextInt(300)];
                    random.nextBytes(value);
                    engine.put(token, key, version, value);
                    model.put(token, key, version, value);
                } else if (choice < 80) {
                    engine.delete(token, key, version);
                    model.delete(token, key, version);
                } else if (choice < 87) {
                    engine.flushMemtables();
                } else if (choice < 92) {
                    engine.compactAll();
                } else if (choice < 96) {
                    engine.awaitCompactions();
                } else {
                    engine.close();
                    engine = open(config, options);
                }
                if (op % 50 == 49) {
                    assertSameState(model, engine, op);
                }
            }
            assertSameState(model, engine, OPERATIONS);
            engine.close();
            engine = open(config, options);
            assertSameState(model, engine, OPERATIONS);
        } finally {
            engine.close();
            model.close();
        }
    }

    private static LsmEngine open(EngineConfig config, Map<String, String> options) {
        return LsmEngine.open(config, LsmOptions.parse(options), System::currentTimeMillis);
    }

    private static void assertSameState(StorageEngine model, StorageEngine engine, int op) {
        assertEquals(all(model), all(engine), "full scans differ after operation " + op);
        for (long token = -6; token < 6; token++) {
            for (int k = 0; k < 40; k++) {
                Key key = Key.utf8("k" + k);
                assertEquals(model.get(token, key), engine.get(token, key),
                    "get(" + token + ", k" + k + ") differs after operation " + op);
            }
        }
        assertEquals(range(model, -3, 2), range(engine, -3, 2), "scan (-3, 2] differs after operation " + op);
        assertEquals(range(model, 3, -2), range(engine, 3, -2), "wrapping scan differs after operation " + op);
    }

    private static List<StorageRecord> all(StorageEngine engine) {
        return range(engine, Long.MAX_VALUE, Long.MAX_VALUE);
    }

    private static List<StorageRecord> range(StorageEngine engine, long start, long end) {
        List<StorageRecord> seen = new ArrayList<>();
        engine.scan(start, end, seen::add);
        return seen;
    }
}
