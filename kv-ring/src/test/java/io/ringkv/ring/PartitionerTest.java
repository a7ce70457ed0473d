package io.ringkv.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.common.hash.Hashing;
import io.ringkv.api.Key;
import io.ringkv.ring.internal.Murmur3;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PartitionerTest {

    @Test
    void murmur3AgreesWithGuavaForRandomInputsOfEveryTailLength() {
        long seed = Seeds.seed(20_240_601L);
        SplittableRandom random = Seeds.random(seed);
        for (int i = 0; i < 2_000; i++) {
            byte[] bytes = new byte[i % 101];
            random.nextBytes(bytes);
            long expected = Hashing.murmur3_128().hashBytes(bytes).asLong();
            String context = "input " + i + " of length " + bytes.length + ", "
                + Seeds.replay(seed, getClass(), "murmur3AgreesWithGuavaForRandomInputsOfEveryTailLength");
            assertEquals(expected, Murmur3.hash64(bytes, 0, bytes.length), context);
            assertEquals(expected, Murmur3.hash64(Key.of(bytes)), context);
        }
    }

    @Test
    void murmur3MatchesPublishedVectors() {
        assertEquals(0L, h1(""));
        // Reference digest 6c1b07bc7bbc4be347939ac4a93c437a; h1 is its first 8 bytes, little-endian.
        assertEquals(0xe34bbc7bbc071b6cL, h1("The quick brown fox jumps over the lazy dog"));
        assertEquals(0xcbd8a7b341bd9b02L, h1("hello"));
        assertEquals(0xcdebd2acb570d6f7L, h1("0123456789abcdefX"));
    }

    @Test
    void tailBytesOfHighValueAreReadUnsigned() {
        byte[] bytes = new byte[15];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (0x80 + i);
        }
        assertEquals(Hashing.murmur3_128().hashBytes(bytes).asLong(), Murmur3.hash64(bytes, 0, bytes.length));
    }

    @Test
    void tokenOfSliceEqualsTokenOfKeyWithTheSameBytes() {
        byte[] buffer = "xxhello worldyy".getBytes(StandardCharsets.UTF_8);
        long expected = Partitioner.token(Key.utf8("hello world"));
        assertEquals(expected, Partitioner.token(buffer, 2, 11));
        assertEquals(expected, Partitioner.token(Arrays.copyOfRange(buffer, 2, 13), 0, 11));
    }

    @Test
    void tokenIsTheFirstHashHalf() {
        byte[] bytes = "The quick brown fox jumps over the lazy dog".getBytes(StandardCharsets.UTF_8);
        assertEquals(0xe34bbc7bbc071b6cL, Partitioner.token(bytes, 0, bytes.length));
    }

    @Test
    void ringStartIsNeverAToken() {
        assertEquals(Partitioner.MAX_TOKEN, Partitioner.tokenOfHash(Long.MIN_VALUE));
        assertEquals(Partitioner.MIN_TOKEN, Partitioner.tokenOfHash(Long.MIN_VALUE + 1));
        assertEquals(42L, Partitioner.tokenOfHash(42L));
    }

    @Test
    void sliceOutsideTheArrayIsRejected() {
        byte[] bytes = new byte[4];
        assertThrows(IndexOutOfBoundsException.class, () -> Partitioner.token(bytes, 2, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> Partitioner.token(bytes, -1, 1));
    }

    private static long h1(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return Murmur3.hash64(bytes, 0, bytes.length);
    }
}
