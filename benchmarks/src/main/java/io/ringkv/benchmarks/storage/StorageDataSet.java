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

    /** @return key {@code index} */
    public static Key key(long index) {
        return Key.of(String.format("user:%012d", index).getBytes(StandardCharsets.UTF_8));
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
