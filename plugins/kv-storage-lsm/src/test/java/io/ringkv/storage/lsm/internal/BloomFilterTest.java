package io.ringkv.storage.lsm.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BloomFilterTest {
    @Test
    void aTableOfBillionsOfKeysGetsTheLargestFilterWhoseBytesFitOneBuffer() {
        for (long keys : new long[] {200_000_000L, 1_800_000_000L, 20_000_000_000L}) {
            int words = BloomFilter.words(keys, 0.01);
            assertEquals(BloomFilter.MAX_WORDS, words, "capped at " + keys + " keys");
            long serialized = 8 + (long) words * Long.BYTES;
            assertTrue(serialized <= Integer.MAX_VALUE, "one buffer holds the filter of " + keys + " keys");
            int hashes = BloomFilter.hashes(keys, words);
            assertTrue(hashes >= 1 && hashes <= 30, "probes at " + keys + " keys: " + hashes);
        }
        assertEquals(4, BloomFilter.hashes(200_000_000L, BloomFilter.MAX_WORDS), "the best probe count at 5.4 bits a key");
    }

    @Test
    void aSmallFilterHasTheBitsItsRateAsksFor() {
        int words = BloomFilter.words(1_000, 0.01);
        assertEquals(150, words, "9.6 bits for each of 1,000 keys");
        assertEquals(7, BloomFilter.hashes(1_000, words));
    }

    @Test
    void whatWasAddedIsFoundAndMostOfWhatWasNotIsRuledOut() {
        BloomFilter filter = BloomFilter.create(10_000, 0.01);
        for (int i = 0; i < 10_000; i++) {
            filter.add(BloomFilter.hash(i, ("key" + i).getBytes(StandardCharsets.UTF_8)));
        }
        ByteBuffer bytes = ByteBuffer.allocate(filter.serializedBytes());
        filter.writeTo(bytes);
        MemorySegment mapped = MemorySegment.ofArray(bytes.array());
        int falsePositives = 0;
        for (int i = 0; i < 10_000; i++) {
            assertTrue(BloomFilter.mightContain(mapped, 0, BloomFilter.hash(i, ("key" + i).getBytes(StandardCharsets.UTF_8))));
            if (BloomFilter.mightContain(mapped, 0, BloomFilter.hash(i, ("other" + i).getBytes(StandardCharsets.UTF_8)))) {
                falsePositives++;
            }
        }
        assertFalse(falsePositives > 300, "false positives at a 1 % rate: " + falsePositives + " of 10,000");
    }
}
