package io.ringkv.storage.lsm.internal;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A bloom filter over (token, key): {@code k} probes derived from one 64-bit hash by double hashing (Kirsch and
 * Mitzenmacher, "Less hashing, same performance", 2006). Built in memory while an SSTable is written, then read
 * in place from the mapped file. Stored as {@code hashes i32, words i32, words × i64} (little-endian).
 */
final class BloomFilter {
    private static final long C1 = 0x87c37b91114253d5L;
    private static final long C2 = 0x4cf5ad432745937fL;
    private static final double LN2 = Math.log(2);
    /**
     * The largest filter, 128 MiB (2^30 bits): built on the heap while a table is written, and serialised in one
     * buffer. At the default 1 % false-positive rate it serves about 110 million keys; a table holding more gets
     * this filter with fewer bits per key, so its false-positive rate rises (about 8 % at 200 million keys) instead
     * of its compaction failing.
     */
    static final int MAX_WORDS = 1 << 24;

    private final int hashes;
    private final long[] words;

    private BloomFilter(int hashes, long[] words) {
        this.hashes = hashes;
        this.words = words;
    }

    /** A filter sized for {@code expectedKeys} at {@code falsePositiveRate}. */
    static BloomFilter create(long expectedKeys, double falsePositiveRate) {
        long keys = Math.max(1, expectedKeys);
        int wordCount = words(keys, falsePositiveRate);
        return new BloomFilter(hashes(keys, wordCount), new long[wordCount]);
    }

    /** @return the 64-bit words of a filter for {@code keys} at {@code falsePositiveRate}, at most {@link #MAX_WORDS} */
    static int words(long keys, double falsePositiveRate) {
        double bits = -Math.max(1, keys) * Math.log(falsePositiveRate) / (LN2 * LN2);
        return (int) Math.min(MAX_WORDS, Math.max(1, (long) Math.ceil(bits / 64)));
    }

    /** @return the probes that give the fewest false positives for {@code keys} in {@code words} words */
    static int hashes(long keys, int words) {
        return (int) Math.max(1, Math.min(30, Math.round(words * 64.0 / Math.max(1, keys) * LN2)));
    }

    /** @return the 64-bit hash of (token, key) that every probe derives from */
    static long hash(long token, byte[] key) {
        long h = fmix(token * C1 + key.length);
        int i = 0;
        for (; i + Long.BYTES <= key.length; i += Long.BYTES) {
            h = Long.rotateLeft(h ^ fmix(littleEndianLong(key, i) * C2), 27) * 5 + 0x52dce729;
        }
        long tail = 0;
        for (int shift = 0; i < key.length; i++, shift += 8) {
            tail |= (key[i] & 0xFFL) << shift;
        }
        return fmix(h ^ fmix(tail * C1 + 1));
    }

    private static long littleEndianLong(byte[] bytes, int offset) {
        long value = 0;
        for (int b = Long.BYTES - 1; b >= 0; b--) {
            value = value << 8 | bytes[offset + b] & 0xFFL;
        }
        return value;
    }

    /** MurmurHash3's 64-bit finaliser: every input bit affects every output bit. */
    private static long fmix(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        return k ^ k >>> 33;
    }

    void add(long hash) {
        long bits = (long) words.length * 64;
        long step = Long.rotateLeft(hash, 32) | 1;
        long probe = hash;
        for (int i = 0; i < hashes; i++) {
            long bit = Long.remainderUnsigned(probe, bits);
            words[(int) (bit >>> 6)] |= 1L << bit;
            probe += step;
        }
    }

    /** @return bytes {@link #writeTo} writes */
    int serializedBytes() {
        return 8 + words.length * Long.BYTES;
    }

    void writeTo(ByteBuffer out) {
        ByteBuffer buffer = out.order(ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(hashes).putInt(words.length);
        for (long word : words) {
            buffer.putLong(word);
        }
    }

    /**
     * @param filter the mapped file
     * @param offset where the serialised filter starts
     * @return false when (token, key) is certainly absent
     */
    static boolean mightContain(MemorySegment filter, long offset, long hash) {
        int hashes = filter.get(RecordCodec.INT, offset);
        long bits = (long) filter.get(RecordCodec.INT, offset + 4) * 64;
        long words = offset + 8;
        long step = Long.rotateLeft(hash, 32) | 1;
        long probe = hash;
        for (int i = 0; i < hashes; i++) {
            long bit = Long.remainderUnsigned(probe, bits);
            if ((filter.get(RecordCodec.LONG, words + (bit >>> 6) * Long.BYTES) & 1L << bit) == 0) {
                return false;
            }
            probe += step;
        }
        return true;
    }
}
