package io.ringkv.ring.internal;

import io.ringkv.api.Key;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * MurmurHash3 x64_128 with seed 0 (Austin Appleby's reference algorithm), reduced to its first 64-bit half
 * {@code h1}. Allocation-free. Agrees with the reference for every input, including tail bytes of 0x80 and up
 * (Cassandra's copy sign-extends those, so its tokens differ for such keys).
 */
public final class Murmur3 {
    private static final long C1 = 0x87c37b91114253d5L;
    private static final long C2 = 0x4cf5ad432745937fL;
    private static final int BLOCK = 16;
    private static final VarHandle LONG_LE =
        MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private Murmur3() {
    }

    /** @return {@code h1} of MurmurHash3 x64_128 (seed 0) over {@code bytes[offset, offset + length)} */
    public static long hash64(byte[] bytes, int offset, int length) {
        long h1 = 0;
        long h2 = 0;
        int blocksEnd = offset + (length & -BLOCK);
        for (int i = offset; i < blocksEnd; i += BLOCK) {
            h1 = mixH1(h1, h2, (long) LONG_LE.get(bytes, i));
            h2 = mixH2(h2, h1, (long) LONG_LE.get(bytes, i + 8));
        }
        int tail = length & (BLOCK - 1);
        h1 ^= mixK1(littleEndian(bytes, blocksEnd, Math.min(tail, 8)));
        h2 ^= mixK2(littleEndian(bytes, blocksEnd + 8, tail - 8));
        return finish(h1, h2, length);
    }

    /** @return {@code h1} of MurmurHash3 x64_128 (seed 0) over the key's bytes, without copying them */
    public static long hash64(Key key) {
        int length = key.length();
        long h1 = 0;
        long h2 = 0;
        int blocksEnd = length & -BLOCK;
        for (int i = 0; i < blocksEnd; i += BLOCK) {
            h1 = mixH1(h1, h2, littleEndian(key, i, 8));
            h2 = mixH2(h2, h1, littleEndian(key, i + 8, 8));
        }
        int tail = length & (BLOCK - 1);
        h1 ^= mixK1(littleEndian(key, blocksEnd, Math.min(tail, 8)));
        h2 ^= mixK2(littleEndian(key, blocksEnd + 8, tail - 8));
        return finish(h1, h2, length);
    }

    private static long mixH1(long h1, long h2, long k1) {
        long h = Long.rotateLeft(h1 ^ mixK1(k1), 27) + h2;
        return h * 5 + 0x52dce729;
    }

    private static long mixH2(long h2, long h1, long k2) {
        long h = Long.rotateLeft(h2 ^ mixK2(k2), 31) + h1;
        return h * 5 + 0x38495ab5;
    }

    // mixK1(0) == mixK2(0) == 0, so an absent tail half is mixed in harmlessly.
    private static long mixK1(long k1) {
        return Long.rotateLeft(k1 * C1, 31) * C2;
    }

    private static long mixK2(long k2) {
        return Long.rotateLeft(k2 * C2, 33) * C1;
    }

    private static long finish(long h1, long h2, int length) {
        long a = h1 ^ length;
        long b = h2 ^ length;
        a += b;
        b += a;
        return fmix64(a) + fmix64(b);
    }

    private static long fmix64(long k) {
        long h = (k ^ (k >>> 33)) * 0xff51afd7ed558ccdL;
        h = (h ^ (h >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return h ^ (h >>> 33);
    }

    private static long littleEndian(byte[] bytes, int from, int count) {
        long value = 0;
        for (int k = count - 1; k >= 0; k--) {
            value = (value << 8) | (bytes[from + k] & 0xFFL);
        }
        return value;
    }

    private static long littleEndian(Key key, int from, int count) {
        long value = 0;
        for (int k = count - 1; k >= 0; k--) {
            value = (value << 8) | (key.byteAt(from + k) & 0xFFL);
        }
        return value;
    }
}
