package io.ringkv.ring;

import io.ringkv.ring.internal.TokenMath;
import java.math.BigInteger;

/**
 * The tokens in {@code (start, end]}, walking clockwise (upwards in signed order) and wrapping from
 * {@code Long.MAX_VALUE} to {@code Long.MIN_VALUE}. When {@code start >= end} the range wraps; when
 * {@code start == end} it is the whole ring.
 *
 * @param start exclusive lower bound
 * @param end inclusive upper bound
 */
public record TokenRange(long start, long end) {
    private static final BigInteger RING_SIZE = BigInteger.ONE.shiftLeft(64);

    /** @return the range that holds every token */
    public static TokenRange wholeRing() {
        return new TokenRange(Partitioner.RING_START, Partitioner.RING_START);
    }

    /** @return whether {@code token} lies in {@code (start, end]} clockwise */
    public boolean contains(long token) {
        if (start < end) {
            return token > start && token <= end;
        }
        return start == end || token > start || token <= end;
    }

    /** @return whether the range passes {@code Long.MIN_VALUE} (true for the whole ring too) */
    public boolean wraps() {
        return start >= end;
    }

    /** @return whether the range holds every token */
    public boolean isWholeRing() {
        return start == end;
    }

    /** @return the exact number of tokens in the range, 1 to 2^64 */
    public BigInteger size() {
        return start == end ? RING_SIZE : new BigInteger(Long.toUnsignedString(end - start));
    }

    /** @return the share of the ring the range covers, in (0, 1] */
    public double fraction() {
        return TokenMath.fraction(start, end);
    }

    @Override
    public String toString() {
        return "(" + start + ", " + end + "]";
    }
}
