package io.ringkv.api;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * Immutable byte sequences shared by {@link Key} and {@link Value}: a defensive copy on the way in and out,
 * content equality, and unsigned lexicographic order.
 */
abstract sealed class Bytes permits Key, Value {
    private static final int PREVIEW_BYTES = 32;

    final byte[] bytes;
    private final int hash;

    Bytes(byte[] bytes) {
        this.bytes = bytes;
        this.hash = Arrays.hashCode(bytes);
    }

    /** @return the length in bytes */
    public final int length() {
        return bytes.length;
    }

    /** @return a copy of the bytes */
    public final byte[] toByteArray() {
        return bytes.clone();
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
        return hash;
    }

    @Override
    public final String toString() {
        int shown = Math.min(bytes.length, PREVIEW_BYTES);
        String hex = HexFormat.of().formatHex(bytes, 0, shown);
        return getClass().getSimpleName() + "[" + bytes.length + " bytes: " + hex
            + (shown < bytes.length ? "…" : "") + "]";
    }
}
