package io.ringkv.api;

/**
 * A hybrid logical timestamp (Kulkarni et al., 2014): wall-clock milliseconds plus a logical counter that orders
 * events within one millisecond and events whose sender's clock ran ahead. Ordered by physical time, then logical.
 *
 * @param physicalMillis the highest wall-clock time seen, in milliseconds since the epoch
 * @param logical orders events with the same {@code physicalMillis}, 0 and up
 */
public record HybridTimestamp(long physicalMillis, int logical) implements Comparable<HybridTimestamp> {
    /** Before every timestamp a clock issues. */
    public static final HybridTimestamp ZERO = new HybridTimestamp(0, 0);

    /** @throws KvException with {@link ErrorCode#INVALID_ARGUMENT} when a part is negative */
    public HybridTimestamp {
        if (physicalMillis < 0 || logical < 0) {
            throw new KvException(ErrorCode.INVALID_ARGUMENT,
                "hybrid timestamp parts must be at least 0, were " + physicalMillis + "/" + logical);
        }
    }

    @Override
    public int compareTo(HybridTimestamp other) {
        int byPhysical = Long.compare(physicalMillis, other.physicalMillis);
        return byPhysical != 0 ? byPhysical : Integer.compare(logical, other.logical);
    }

    /** @return true when this timestamp orders after {@code other} */
    public boolean isAfter(HybridTimestamp other) {
        return compareTo(other) > 0;
    }

    @Override
    public String toString() {
        return physicalMillis + "." + logical;
    }
}
