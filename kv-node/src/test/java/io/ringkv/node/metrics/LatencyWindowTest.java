package io.ringkv.node.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.ringkv.gossip.NodeStats;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LatencyWindowTest {
    private static final double[] BOUNDS = {0.001, 0.01, 0.1};

    @Test
    void thePercentileIsTheBoundOfTheBucketWhere99PercentIsReached() {
        long[] before = {10, 0, 0, 0};
        // 99 fast requests and one slow one in the window: the 99th is still fast
        assertEquals(1000, LatencyWindow.p99Micros(before, new long[] {109, 0, 1, 0}, BOUNDS));
        // 98 fast and two slow: the 99th is slow
        assertEquals(100_000, LatencyWindow.p99Micros(before, new long[] {108, 0, 2, 0}, BOUNDS));
    }

    @Test
    void onlyTheWindowCountsNotWhatCameBefore() {
        // a thousand slow requests before the window, ten fast ones in it
        assertEquals(1000, LatencyWindow.p99Micros(new long[] {0, 0, 1000, 0}, new long[] {10, 0, 1000, 0}, BOUNDS));
        assertEquals(10, LatencyWindow.requests(new long[] {0, 0, 1000, 0}, new long[] {10, 0, 1000, 0}));
    }

    @Test
    void anEmptyWindowHasNoPercentileAndASlowOneIsBeyondRange() {
        long[] counts = {5, 5, 5, 5};
        assertEquals(NodeStats.NO_REQUESTS, LatencyWindow.p99Micros(counts, counts.clone(), BOUNDS));
        assertEquals(NodeStats.OVER_RANGE, LatencyWindow.p99Micros(counts, new long[] {5, 5, 5, 9}, BOUNDS));
    }

    @Test
    void mismatchedReadingsAreRefused() {
        assertThrows(IllegalArgumentException.class,
            () -> LatencyWindow.p99Micros(new long[3], new long[4], BOUNDS));
    }

    @Test
    void requestMetricsCountEveryRequestInItsBucket() {
        RequestMetrics metrics = new RequestMetrics(new PrometheusRegistry());
        double[] bounds = RequestMetrics.bucketBounds();
        long[] before = metrics.bucketCounts();
        assertEquals(bounds.length + 1, before.length);
        metrics.record("get", "quorum", TimeUnit.MICROSECONDS.toNanos(30), null);
        metrics.record("set", "one", TimeUnit.MICROSECONDS.toNanos(50), "TIMEOUT");
        metrics.record("get", "quorum", TimeUnit.MILLISECONDS.toNanos(3), null);
        metrics.record("get", "quorum", TimeUnit.SECONDS.toNanos(11), null);
        long[] after = metrics.bucketCounts();
        long[] expected = new long[after.length];
        expected[0] = 2; // 30 µs and 50 µs: a bound is its bucket's upper end, inclusive
        expected[6] = 1; // 3 ms is in (2.5 ms, 5 ms]
        expected[after.length - 1] = 1;
        assertEquals(0.005, bounds[6]);
        assertArrayEquals(expected, after);
        assertEquals(NodeStats.OVER_RANGE, LatencyWindow.p99Micros(before, after, bounds));
    }
}
