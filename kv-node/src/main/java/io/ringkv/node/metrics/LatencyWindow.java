package io.ringkv.node.metrics;

import java.util.concurrent.TimeUnit;

/**
 * Request rate and 99th-percentile latency over a window, from two readings of {@link RequestMetrics#bucketCounts()}:
 * the difference of the bucket counts is the window's histogram. The percentile is the upper bound of the bucket where
 * 99 % of the window's requests is reached (what Prometheus' {@code histogram_quantile} would interpolate within), so
 * it errs high by at most one bucket's width. Pure functions.
 */
public final class LatencyWindow {
    private LatencyWindow() {
    }

    /**
     * @param before the counts at the window's start
     * @param after the counts at its end (never smaller, bucket by bucket)
     * @param bounds the buckets' upper bounds in seconds (one fewer than the counts: the last bucket has none)
     * @return the bound, in microseconds, of the bucket holding the window's 99th percentile;
     *     {@link io.ringkv.gossip.NodeStats#NO_REQUESTS} when the window holds none,
     *     {@link io.ringkv.gossip.NodeStats#OVER_RANGE} when it lies in the last, unbounded, bucket
     * @throws IllegalArgumentException when the arrays do not match the bounds
     */
    public static long p99Micros(long[] before, long[] after, double[] bounds) {
        if (before.length != after.length || after.length != bounds.length + 1) {
            throw new IllegalArgumentException("bucket counts " + before.length + " and " + after.length
                + " do not match " + bounds.length + " bounds");
        }
        long total = requests(before, after);
        if (total == 0) {
            return io.ringkv.gossip.NodeStats.NO_REQUESTS;
        }
        // the smallest count that holds 99 % of the window: ceil(0.99 * total), in integers
        long wanted = (total * 99 + 99) / 100;
        long seen = 0;
        for (int i = 0; i < bounds.length; i++) {
            seen += Math.max(0, after[i] - before[i]);
            if (seen >= wanted) {
                return Math.round(bounds[i] * TimeUnit.SECONDS.toMicros(1));
            }
        }
        return io.ringkv.gossip.NodeStats.OVER_RANGE;
    }

    /** @return the requests recorded between the two readings (a count that went back counts as none) */
    public static long requests(long[] before, long[] after) {
        long total = 0;
        for (int i = 0; i < Math.min(before.length, after.length); i++) {
            total += Math.max(0, after[i] - before[i]);
        }
        return total;
    }
}
