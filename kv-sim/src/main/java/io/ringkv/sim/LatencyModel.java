package io.ringkv.sim;

import java.util.random.RandomGenerator;

/** How long a simulated message takes from sender to receiver. */
@FunctionalInterface
public interface LatencyModel {
    /** @return a delay in virtual nanoseconds, at least 0 */
    long sampleNanos(RandomGenerator random);

    /** Every message takes exactly {@code nanos}: messages on one link never reorder. */
    static LatencyModel fixed(long nanos) {
        requireNonNegative(nanos);
        return random -> nanos;
    }

    /** Uniform in [{@code minNanos}, {@code maxNanos}]: messages on one link reorder when the range is wide. */
    static LatencyModel uniform(long minNanos, long maxNanos) {
        requireNonNegative(minNanos);
        if (maxNanos < minNanos) {
            throw new IllegalArgumentException("max latency " + maxNanos + " < min latency " + minNanos);
        }
        return random -> minNanos + random.nextLong(maxNanos - minNanos + 1);
    }

    /** {@code minNanos} plus an exponential tail of mean {@code meanExtraNanos}: a few slow messages. */
    static LatencyModel exponential(long minNanos, long meanExtraNanos) {
        requireNonNegative(minNanos);
        requireNonNegative(meanExtraNanos);
        return random -> minNanos + (long) (random.nextExponential() * meanExtraNanos);
    }

    private static void requireNonNegative(long nanos) {
        if (nanos < 0) {
            throw new IllegalArgumentException("latency must be at least 0 ns, was " + nanos);
        }
    }
}
