package io.ringkv.api;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Immutable byte sequences shared by {@link Key} and {@link Value}: a defensive copy on the way in and out,
 * content equality, and unsigned lexicographic order.
 */
abstract sealed class Bytes permits Key, Value {
    private static final int PREVIEW_BYTES = 32;

    final byte[] bytes;
    /**
     * The content hash once asked for, 0 before (a value is created on every read and write and seldom hashed, so
     * hashing its bytes up front was wasted). Racy but safe, as {@link String}'s: every thread computes the same.
     */
    private int hash;
    private boolean hashIsZero;

    Bytes(byte[] bytes) {
        this.bytes = bytes;
    }

    /** @return the length in bytes */
    public final int length() {
        return bytes.length;
    }

    /** @return a copy of the bytes */
    public final byte[] toByteArray() {
        return bytes.clone();
    }

    /**
     * Puts the bytes at {@code out}'s position, advancing it: the hot paths' way to read a value without a copy of
     * their own (encoding a reply, a record, a message).
     *
     * @throws java.nio.BufferOverflowException when fewer than {@link #length()} bytes remain in {@code out}
     */
    public final void copyTo(ByteBuffer out) {
        out.put(bytes);
    }

    /** @return the bytes as a read-only buffer (position 0, limit {@link #length()}), without a copy */
    public final ByteBuffer asReadOnlyBuffer() {
        return ByteBuffer.wrap(bytes).asReadOnlyBuffer();
    }

    /** @return the byte at {@code index} */
    public final byte byteAt(int index) {
        return bytes[index];
    }

    /** Compares two byte arrays as unsigned, lexicographically (shorter first on a common prefix). */
    static int compareUnsigned(byte[] a, byte[] b) {
        return Arrays.compareUnsigned(a, b);
    }

    @Override
    public final boolean equals(Object other) {
        return other != null && other.getClass() == getClass() && Arrays.equals(bytes, ((Bytes) other).bytes);
    }

    @Override
    public final int hashCode() {
        int h = hash;
        if (h == 0 && !hashIsZero) {
            h = Arrays.hashCode(bytes);
            if (h == 0) {
                hashIsZero = true;
            } else {
                hash = h;
            }
        }
        return h;
    }

    @Override
    public final String toString() {
        int shown = Math.min(bytes.length, PREVIEW_BYTES);
        String hex = HexFormat.of().formatHex(bytes, 0, shown);
        return getClass().getSimpleName() + "[" + bytes.length + " bytes: " + hex
            + (shown < bytes.length ? "…" : "") + "]";
    }
}
