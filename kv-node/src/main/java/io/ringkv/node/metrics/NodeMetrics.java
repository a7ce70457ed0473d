package io.ringkv.node.metrics;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.ringkv.api.CounterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code /metrics} serves: the node's counter registry, its client requests ({@link RequestMetrics}) and the
 * JVM's own metrics (memory, GC, threads, CPU), in the Prometheus text format. One per node (the JVM metrics are
 * the process's); safe to scrape from any thread.
 */
public final class NodeMetrics {
    /** The media type of {@link #write}'s output. */
    public static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

    /**
     * The JVM's metrics, registered once per process and only at the first scrape: the collectors keep every registry
     * they are registered in for the life of the JVM (several nodes in one process, as in benchmarks and tests, share
     * one JVM anyway), and setting them up loads the management beans, which a node's start need not wait for.
     */
    private static final class Jvm {
        static final PrometheusRegistry REGISTRY = jvmRegistry();
    }

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final RequestMetrics requests;
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    /** @param counters the node's counters */
    public NodeMetrics(CounterRegistry counters) {
        registry.register(new CounterRegistryCollector(counters));
        requests = new RequestMetrics(registry);
    }

    private static PrometheusRegistry jvmRegistry() {
        PrometheusRegistry jvm = new PrometheusRegistry();
        JvmMetrics.builder().register(jvm);
        return jvm;
    }

    /** @return the client request metrics the front doors record into */
    public RequestMetrics requests() {
        return requests;
    }

    /** Writes every metric now, in the Prometheus text format (version 0.0.4). */
    public void write(OutputStream out) throws IOException {
        List<MetricSnapshot> all = new ArrayList<>();
        registry.scrape().forEach(all::add);
        Jvm.REGISTRY.scrape().forEach(all::add);
        writer.write(out, new MetricSnapshots(all));
    }
}
