package io.ringkv.storage.lsm.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ringkv.api.Key;
import io.ringkv.api.Limits;
import io.ringkv.storage.EngineConfig;
import io.ringkv.storage.StorageRecord;
import io.ringkv.storage.lsm.LsmOptions;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Point reads that fetch SSTable blocks with {@code pread} reuse one buffer per thread: a record read before stays
 * intact when the next read overwrites that buffer, a block larger than the buffer (a large version blob and a
 * large value) is read whole, by a buffer grown for it, after which smaller blocks read right again, and a block
 * over the size a thread keeps (1 MiB: a large sibling set) is read whole too.
 */
class BlockReadTest {
    @TempDir
    Path directory;

    @Test
    void recordsReadThroughTheReusedBlockBufferStayIntactAndLargeBlocksReadWhole() {
        SplittableRandom random = new SplittableRandom(7);
        // over the 4 KiB block size, so each record closes a block of its own
        byte[] smallValue = bytes(random, 5 * 1024);
        byte[] largeVersion = bytes(random, 30 * 1024);
        byte[] largeValue = bytes(random, 10 * 1024);
        byte[] otherValue = bytes(random, 4500);
        EngineConfig config = new EngineConfig(directory, "blocks", new Limits(1024, Limits.VALUE_LIMIT_CEILING),
            256 * 1024, Map.of());
        LsmEngine engine = LsmEngine.open(config,
            LsmOptions.parse(Map.of("data-reads", "positional", "block-bytes", "4k")), System::currentTimeMillis);
        try {
            engine.put(1, Key.utf8("small"), "v1".getBytes(), smallValue);
            engine.put(2, Key.utf8("large"), largeVersion, largeValue);
            engine.put(3, Key.utf8("other"), "v3".getBytes(), otherValue);
            engine.flushMemtables();

            StorageRecord small = engine.get(1, Key.utf8("small"));
            StorageRecord large = engine.get(2, Key.utf8("large"));
            StorageRecord other = engine.get(3, Key.utf8("other"));
            StorageRecord smallAgain = engine.get(1, Key.utf8("small"));

            assertArrayEquals(smallValue, small.value(), "a record read before other blocks were read");
            assertArrayEquals("v1".getBytes(), small.version());
            assertArrayEquals(largeVersion, large.version(), "a block larger than the first buffer");
            assertArrayEquals(largeValue, large.value());
            assertArrayEquals(otherValue, other.value(), "a small block after the buffer grew");
            assertEquals(small, smallAgain);

            // a record as large as the limits let a sibling set be: its block is over the size a thread keeps
            byte[] hugeVersion = bytes(random, 128 * 1024);
            byte[] hugeValue = bytes(random, Limits.VALUE_LIMIT_CEILING);
            engine.put(100, Key.utf8("huge"), hugeVersion, hugeValue);
            engine.flushMemtables();
            StorageRecord huge = engine.get(100, Key.utf8("huge"));
            assertArrayEquals(hugeValue, huge.value(), "a block over the kept size");
            assertArrayEquals(hugeVersion, huge.version());
            assertArrayEquals(smallValue, engine.get(1, Key.utf8("small")).value(), "a small block after both");
        } finally {
            engine.close();
        }
    }

    private static byte[] bytes(SplittableRandom random, int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }
}
