package io.ringkv.ring;

import io.ringkv.api.Key;
import io.ringkv.ring.internal.Murmur3;
import java.util.Objects;

/**
 * Maps keys to tokens on the signed 64-bit ring: the token is the first half ({@code h1}) of MurmurHash3
 * x64_128 with seed 0, the token space of Cassandra's Murmur3Partitioner. {@link #RING_START}
 * ({@code Long.MIN_VALUE}) is never a key's token (it maps to {@link #MAX_TOKEN}), so it can mark where the
 * ring begins.
 *
 * <p>Murmur3 is fast (a few ns for a 1 KiB key), well distributed and needs no state. It is not a
 * cryptographic hash: a client who chooses keys on purpose can pile them onto one range. That is accepted
 * because clients of a ringkv cluster are trusted; an untrusted front door would need a keyed hash instead.
 * Lookups are allocation-free and safe from any thread.
 */
public final class Partitioner {
    /** Where the ring starts; never the token of a key. */
    public static final long RING_START = Long.MIN_VALUE;
    /** The smallest token a key can have. */
    public static final long MIN_TOKEN = Long.MIN_VALUE + 1;
    /** The largest token a key can have. */
    public static final long MAX_TOKEN = Long.MAX_VALUE;

    private Partitioner() {
    }

    /** @return the key's token, in [{@link #MIN_TOKEN}, {@link #MAX_TOKEN}]; allocates nothing */
    public static long token(Key key) {
        return tokenOfHash(Murmur3.hash64(key));
    }

    /**
     * @return the token of {@code bytes[offset, offset + length)}, equal to {@link #token(Key)} of the same
     *     bytes; allocates nothing
     * @throws IndexOutOfBoundsException when the slice is outside {@code bytes}
     */
    public static long token(byte[] bytes, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        return tokenOfHash(Murmur3.hash64(bytes, offset, length));
    }

    static long tokenOfHash(long h1) {
        return h1 == RING_START ? MAX_TOKEN : h1;
    }
}
