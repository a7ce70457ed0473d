package io.ringkv.benchmarks.storage;

import io.ringkv.api.Key;
import io.ringkv.ring.Partitioner;
import io.ringkv.storage.StorageEngine;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * The keys and values the storage benchmarks write: key {@code i} is {@code user:<i, 12 digits>} at its Murmur3
 * token, so keys spread over the ring as a node sees them; values are random bytes drawn once and reused at
 * rotating offsets, so no write costs a fresh random array.
 */
public final class StorageDataSet {
    private static final byte[] VERSION = {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

    private final int valueBytes;
    private final byte[] pool;

    /** @param valueBytes the size of every value */
    public StorageDataSet(int valueBytes) {
        this.valueBytes = valueBytes;
        this.pool = new byte[valueBytes * 64];
        new SplittableRandom(7).nextBytes(pool);
    }

    /**
     * @return key {@code index}: {@code user:} and the index in twelve digits, written by hand because
     *     String.format costs more than some of the operations measured
     */
    public static Key key(long index) {
        byte[] key = "user:000000000000".getBytes(StandardCharsets.US_ASCII);
        long rest = index;
        for (int at = key.length - 1; at >= 5 && rest > 0; at--) {
            key[at] = (byte) ('0' + rest % 10);
            rest /= 10;
        }
        return Key.of(key);
    }

    /** @return the token of {@link #key(long)} */
    public static long token(Key key) {
        return Partitioner.token(key);
    }

    /** @return a value for key {@code index}, {@code valueBytes} long */
    public byte[] value(long index) {
        byte[] value = new byte[valueBytes];
        int offset = (int) Math.floorMod(index * 131, pool.length - valueBytes);
        System.arraycopy(pool, offset, value, 0, valueBytes);
        return value;
    }

    /** Writes key {@code index} with its value. */
    public void put(StorageEngine engine, long index) {
        Key key = key(index);
        engine.put(token(key), key, VERSION, value(index));
    }
}
