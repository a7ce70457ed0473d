package io.ringkv.ring.internal;

/**
 * Arithmetic on the 64-bit token circle. A clockwise distance is an unsigned 64-bit number; 0 stands for the
 * whole circle (2^64) because distinct tokens are never 0 apart.
 */
public final class TokenMath {
    /** The circle's circumference, 2^64, as a double. */
    public static final double RING = 0x1p64;
    private static final double HALF_RING = 0x1p63;

    private TokenMath() {
    }

    /** @return the clockwise distance from {@code start} to {@code end}, unsigned; 0 when they are equal */
    public static long distance(long start, long end) {
        return end - start;
    }

    /** @return the fraction of the circle in {@code (start, end]}; 1 when {@code start == end} */
    public static double fraction(long start, long end) {
        return start == end ? 1.0 : unsignedToDouble(end - start) / RING;
    }

    /** @return the unsigned 64-bit {@code value} as a double (rounded to 53 bits) */
    public static double unsignedToDouble(long value) {
        return value >= 0 ? value : ((value >>> 1) | (value & 1)) * 2.0;
    }

    /** @return {@code fraction} of the circle as an unsigned distance; {@code fraction} must be in [0, 1) */
    public static long fractionToDistance(double fraction) {
        double raw = fraction * RING;
        return raw < HALF_RING ? (long) raw : (long) (raw - HALF_RING) ^ Long.MIN_VALUE;
    }
}
