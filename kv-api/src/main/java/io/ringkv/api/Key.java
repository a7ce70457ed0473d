package io.ringkv.api;

import java.nio.charset.StandardCharsets;

/**
 * A key: an immutable byte sequence no longer than the configured {@link Limits#maxKeyBytes()}.
 * Keys order as unsigned bytes, lexicographically.
 */
public final class Key extends Bytes implements Comparable<Key> {
    private Key(byte[] bytes) {
        super(bytes);
    }

    /**
     * @param bytes the key's bytes (copied)
     * @param limits the limits to enforce
     * @throws KvException with {@link ErrorCode#KEY_TOO_LARGE} when over the limit
     */
    public static Key of(byte[] bytes, Limits limits) {
        limits.checkKeyLength(bytes.length);
        return new Key(bytes.clone());
    }

    /** A key with the {@link Limits#DEFAULT default limits}. */
    public static Key of(byte[] bytes) {
        return of(bytes, Limits.DEFAULT);
    }

    /** A key from the UTF-8 bytes of {@code text}, with the default limits. */
    public static Key utf8(String text) {
        return of(text.getBytes(StandardCharsets.UTF_8), Limits.DEFAULT);
    }

    @Override
    public int compareTo(Key other) {
        return compareUnsigned(bytes, other.bytes);
    }
}
