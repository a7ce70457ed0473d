package io.ringkv.storage.lsm.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.Key;
import io.ringkv.api.KvException;
import io.ringkv.storage.EngineConfig;
import io.ringkv.storage.lsm.LsmOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class FlushFailureTest {
    private static final byte[] VERSION = {1};
    private static final int ATTEMPTS_BLOCKED = 200;

    @TempDir
    Path data;

    @Test
    // a writer waiting for room ignores interrupts: the old behaviour hung here, and a separate thread ends the test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void writesThatWouldWaitForAFailingFlushAreRefusedAndResumeOnceAFlushSucceeds() throws Exception {
        // a flush failing for another reason than space (here: a directory where its file goes) used to leave the
        // writer that waited for room waiting for good, and with it the storage stage's one applier thread
        EngineConfig config = EngineConfig.of(data, "store");
        Map<String, String> small = Map.of("memtable-bytes", "4096", "max-immutable-memtables", "1");
        try (LsmEngine engine = LsmEngine.open(config, LsmOptions.parse(small), System::currentTimeMillis)) {
            Path store = config.storeDirectory();
            for (long generation = 1; generation <= ATTEMPTS_BLOCKED; generation++) {
                Path table = TableFiles.path(store, generation);
                Files.createDirectories(table.resolveSibling(table.getFileName() + ".tmp"));
            }
            KvException refused = null;
            int written = 0;
            for (int i = 0; refused == null && i < 100; i++) {
                try {
                    engine.put(i, Key.utf8("k" + i), VERSION, value(i));
                    written++;
                } catch (KvException e) {
                    refused = e;
                }
            }
            assertTrue(refused != null, "every write was taken with the flush failing");
            assertEquals(ErrorCode.STORAGE_FAILURE, refused.code(), refused.getMessage());
            assertTrue(refused.getMessage().contains("the last attempt failed"), refused.getMessage());
            assertArrayEquals(value(0), engine.get(0, Key.utf8("k0")).value(), "reads are still served");
            Map<String, Long> extra = engine.metrics().extra();
            assertTrue(extra.get("writes_refused_flush_failing") >= 1, extra.toString());
            assertTrue(extra.get("background_failures") >= 1, extra.toString());

            try (var blocked = Files.list(store)) {
                for (Path path : blocked.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList()) {
                    Files.delete(path);
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            boolean resumed = false;
            while (!resumed && System.nanoTime() < deadline) {
                try {
                    engine.put(written, Key.utf8("k" + written), VERSION, value(written));
                    resumed = true;
                } catch (KvException e) {
                    assertEquals(ErrorCode.STORAGE_FAILURE, e.code(), e.getMessage());
                    Thread.sleep(50);
                }
            }
            assertTrue(resumed, "writes did not resume once the flush could succeed");
            engine.flushMemtables();
            for (int i = 0; i <= written; i++) {
                assertArrayEquals(value(i), engine.get(i, Key.utf8("k" + i)).value(), "k" + i);
            }
        }
    }

    private static byte[] value(int i) {
        byte[] value = new byte[1000];
        Arrays.fill(value, (byte) i);
        return value;
    }
}
