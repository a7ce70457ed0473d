package io.ringkv.storage.lsm.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.Key;
import io.ringkv.storage.EngineConfig;
import io.ringkv.storage.lsm.LsmOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every sync policy keeps concurrent writers' data, and the waiting policies share fsyncs between writers. */
class SyncPolicyTest {
    private static final int WRITERS = 4;
    private static final int WRITES = 200;

    @TempDir
    Path data;

    @ParameterizedTest
    @ValueSource(strings = {"always", "batch", "periodic"})
    void concurrentWritersKeepEveryWriteAcrossAReopen(String policy) throws Exception {
        Map<String, String> options = Map.of("sync", policy, "memtable-bytes", "64k");
        long syncs;
        try (LsmEngine engine = open(options)) {
            AtomicReference<Throwable> failure = new AtomicReference<>();
            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                int writer = w;
                writers.add(Thread.ofPlatform().start(() -> {
                    try {
                        for (int i = 0; i < WRITES; i++) {
                            engine.put(i, key(writer, i), "v".getBytes(), value(writer, i));
                        }
                    } catch (Throwable t) {
                        failure.compareAndSet(null, t);
                    }
                }));
            }
            for (Thread writer : writers) {
                writer.join();
            }
            if (failure.get() != null) {
                throw new AssertionError("a writer failed", failure.get());
            }
            syncs = engine.metrics().extra().get("commitlog_syncs");
        }
        if (!policy.equals("periodic")) {
            assertTrue(syncs > 0, policy + " must force the log");
            assertTrue(syncs < WRITERS * WRITES, policy + " must share fsyncs between writers, made " + syncs);
        }
        try (LsmEngine engine = open(options)) {
            for (int w = 0; w < WRITERS; w++) {
                for (int i = 0; i < WRITES; i++) {
                    assertNotNull(engine.get(i, key(w, i)), "write " + w + "/" + i + " under " + policy);
                    assertArrayEquals(value(w, i), engine.get(i, key(w, i)).value());
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "64k"})
    void periodicWritesBufferedAppendsToTheLogTogether(String buffer) {
        Map<String, String> options = Map.of("sync", "periodic", "log-buffer-bytes", buffer);
        int writes = 2_000;
        long segmentWrites;
        try (LsmEngine engine = open(options)) {
            for (int i = 0; i < writes; i++) {
                engine.put(i, key(0, i), "v".getBytes(), value(0, i));
            }
            engine.flush();
            segmentWrites = engine.metrics().extra().get("commitlog_writes");
        }
        if (buffer.equals("0")) {
            assertEquals(writes, segmentWrites, "one write per append");
        } else {
            // about 60 KiB of records: a write each time 64 KiB wait, and one at the flush
            assertTrue(segmentWrites >= 1 && segmentWrites <= 3, segmentWrites + " writes for " + writes + " appends");
        }
        try (LsmEngine engine = open(options)) {
            for (int i = 0; i < writes; i++) {
                assertArrayEquals(value(0, i), engine.get(i, key(0, i)).value(), "write " + i);
            }
        }
    }

    private LsmEngine open(Map<String, String> options) {
        return LsmEngine.open(EngineConfig.of(data, "sync"), LsmOptions.parse(options), System::currentTimeMillis);
    }

    private static Key key(int writer, int i) {
        return Key.utf8("w" + writer + "-" + i);
    }

    private static byte[] value(int writer, int i) {
        return ("value " + writer + " " + i).getBytes();
    }
}
