package io.ringkv.api;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A value: an immutable byte sequence no longer than the configured {@link Limits#maxValueBytes()}.
 * Versions and sibling sets wrap values; they are not part of the value itself.
 */
public final class Value extends Bytes {
    private Value(byte[] bytes) {
        super(bytes);
    }

    /**
     * @param bytes the value's bytes (copied)
     * @param limits the limits to enforce
     * @throws KvException with {@link ErrorCode#VALUE_TOO_LARGE} when over the limit
     */
    public static Value of(byte[] bytes, Limits limits) {
        limits.checkValueLength(bytes.length);
        return new Value(bytes.clone());
    }

    /**
     * @param bytes a buffer whose remaining bytes are the value's (copied; the buffer's position is not moved)
     * @param limits the limits to enforce
     * @throws KvException with {@link ErrorCode#VALUE_TOO_LARGE} when over the limit
     */
    public static Value of(ByteBuffer bytes, Limits limits) {
        limits.checkValueLength(bytes.remaining());
        byte[] copy = new byte[bytes.remaining()];
        bytes.get(bytes.position(), copy);
        return new Value(copy);
    }

    /** A value with the {@link Limits#DEFAULT default limits}. */
    public static Value of(byte[] bytes) {
        return of(bytes, Limits.DEFAULT);
    }

    /** A value from the UTF-8 bytes of {@code text}, with the default limits. */
    public static Value utf8(String text) {
        return of(text.getBytes(StandardCharsets.UTF_8), Limits.DEFAULT);
    }

    /** @return the value decoded as UTF-8 */
    public String asUtf8() {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
