package io.ringkv.node.metrics;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Client requests by command and consistency: how long each took from dispatch to answer (a histogram, from which
 * Prometheus derives p50, p99 and p99.9 with {@code histogram_quantile}) and which ended in an error, by the error's
 * code word (UNAVAILABLE, TIMEOUT, LOADING, ERR...). Safe to record from any thread; a front door records each
 * request once, when its answer is known.
 */
public final class RequestMetrics {
    /** Label of requests that name no key, so no consistency applies (PING, INFO...). */
    public static final String NO_CONSISTENCY = "none";
    /** Bucket bounds in seconds: 50 µs to 10 s, about three per decade. */
    private static final double[] BOUNDS = {
        0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
    };
    private static final int MAX_ERROR_WORD = 16;

    private final Histogram durations;
    private final Counter errors;
    private final ConcurrentHashMap<Labels, DistributionDataPoint> durationPoints = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<ErrorLabels, CounterDataPoint> errorPoints = new ConcurrentHashMap<>();
    /** Requests of every command and consistency by bucket (the last one above the largest bound), for windows. */
    private final AtomicLongArray allRequests = new AtomicLongArray(BOUNDS.length + 1);

    /** Registers the request metrics in {@code registry}. */
    public RequestMetrics(PrometheusRegistry registry) {
        durations = Histogram.builder()
            .name(CounterRegistryCollector.PREFIX + "request_duration_seconds")
            .help("client requests from dispatch to answer, by command and consistency (errors included)")
            .unit(Unit.SECONDS)
            .labelNames("command", "consistency")
            .classicOnly()
            .classicUpperBounds(BOUNDS)
            // exemplars would ask the tracer modules for a span on every request: no tracing here, and without
            // those modules on the module path the front door's thread died of a NoClassDefFoundError
            .withoutExemplars()
            .register(registry);
        errors = Counter.builder()
            .name(CounterRegistryCollector.PREFIX + "request_errors")
            .help("client requests answered with an error, by command, consistency and the error's code word")
            .labelNames("command", "consistency", "error")
            .withoutExemplars()
            .register(registry);
    }

    /**
     * Records one answered request.
     *
     * @param command the command's name, lower case ({@code unknown} for a command the node does not have)
     * @param consistency the consistency it ran at, or {@link #NO_CONSISTENCY}
     * @param nanos from dispatch to answer
     * @param error the error's message when it failed, or null
     */
    public void record(String command, String consistency, long nanos, String error) {
        double seconds = nanos / (double) TimeUnit.SECONDS.toNanos(1);
        durationPoints.computeIfAbsent(new Labels(command, consistency),
                labels -> durations.labelValues(labels.command, labels.consistency))
            .observe(seconds);
        allRequests.incrementAndGet(bucket(seconds));
        if (error != null) {
            errorPoints.computeIfAbsent(new ErrorLabels(command, consistency, codeWord(error)),
                    labels -> errors.labelValues(labels.command, labels.consistency, labels.error))
                .inc();
        }
    }

    /**
     * @return how many requests of every command and consistency each latency bucket holds since the node started,
     *     one count per bound of {@link #bucketBounds()} plus one last count for requests slower than them all; each
     *     count is read atomically (a request recorded meanwhile may be in or out), safe from any thread
     */
    public long[] bucketCounts() {
        long[] counts = new long[allRequests.length()];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = allRequests.get(i);
        }
        return counts;
    }

    /** @return the upper bounds of the latency buckets, in seconds, ascending (Prometheus' {@code le} labels) */
    public static double[] bucketBounds() {
        return BOUNDS.clone();
    }

    /** @return the index of the bucket that holds {@code seconds}: the first whose bound is not below it */
    static int bucket(double seconds) {
        int found = Arrays.binarySearch(BOUNDS, seconds);
        return found >= 0 ? found : -found - 1;
    }

    /** @return the error's leading code word when it is one (upper-case letters), otherwise {@code ERR} */
    static String codeWord(String error) {
        int end = 0;
        while (end < error.length() && end <= MAX_ERROR_WORD && error.charAt(end) >= 'A' && error.charAt(end) <= 'Z') {
            end++;
        }
        boolean word = end > 0 && end <= MAX_ERROR_WORD && (end == error.length() || error.charAt(end) == ' ');
        return word ? error.substring(0, end) : "ERR";
    }

    private record Labels(String command, String consistency) {
    }

    private record ErrorLabels(String command, String consistency, String error) {
    }
}
