/**
 * The ringkv node and its command line: Dagger wires configuration, storage, the Aeron transport, gossip
 * membership (which builds the ring), replication and the Redis-protocol front door.
 */
module io.ringkv.node {
    requires io.ringkv.ring;
    requires io.ringkv.storage;
    requires io.ringkv.replication;
    requires io.ringkv.antientropy;
    requires io.ringkv.gossip;
    requires io.aeron.client;
    requires io.aeron.driver;
    requires jakarta.inject;
    requires dagger;
    // Dagger's runtime still loads javax.inject.Provider; name it so the module system resolves it
    requires javax.inject;
    // the HTTP endpoint (/metrics, /health, the dashboard): the JDK's own server
    requires jdk.httpserver;
    // /metrics: the Prometheus text format, request histograms, the JVM's metrics
    requires io.prometheus.metrics.core;
    requires io.prometheus.metrics.model;
    requires io.prometheus.writer.text;
    requires io.prometheus.metrics.instrumentation.jvm;
    // automatic modules say nothing of what they need: name the ones the client loads, so they are resolved
    requires io.prometheus.metrics.config;
    requires io.prometheus.metrics.tracer.initializer;
    requires io.prometheus.metrics.tracer.common;
    // the command line
    requires info.picocli;

    exports io.ringkv.node;
    exports io.ringkv.node.transport to io.ringkv.benchmarks;
    exports io.ringkv.node.runtime to io.ringkv.benchmarks;
    exports io.ringkv.node.security to io.ringkv.benchmarks;
    // picocli sets the commands' annotated option fields and builds their help by reflection
    opens io.ringkv.node.cli to info.picocli;
}
