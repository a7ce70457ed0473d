package io.ringkv.node;

import dagger.Binds;
import dagger.Module;
import dagger.Provides;
import io.ringkv.antientropy.RepairHistory;
import io.ringkv.api.Clock;
import io.ringkv.api.CounterRegistry;
import io.ringkv.api.NodeContext;
import io.ringkv.api.Timers;
import io.ringkv.api.Transport;
import io.ringkv.node.runtime.NodeAgent;
import io.ringkv.node.runtime.NodeHealth;
import io.ringkv.node.runtime.SystemClock;
import io.ringkv.node.runtime.WheelTimers;
import io.ringkv.node.transport.AeronTransport;
import io.ringkv.node.transport.TransportConfig;
import io.ringkv.replication.Replication;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import io.ringkv.api.Consistency;
import io.ringkv.replication.ReplicationConfig;
import io.ringkv.storage.EngineConfig;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageEngines;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/** Production wiring of a node's runtime: system clock, Aeron transport, timer wheel, one agent. */
@Module
interface NodeModule {
    @Binds
    Clock clock(SystemClock clock);

    @Binds
    Transport transport(AeronTransport transport);

    @Binds
    Timers timers(WheelTimers timers);

    @Provides
    @Singleton
    static SystemClock systemClock() {
        return new SystemClock();
    }

    @Provides
    @Singleton
    static AeronTransport aeronTransport(NodeConfig config, CounterRegistry counters) {
        return AeronTransport.start(TransportConfig.of(config.id(), config.listen(), Map.of(), config.dataDirectory())
            .withTimeoutNanos(TimeUnit.MILLISECONDS.toNanos(config.transportTimeoutMillis()))
            .withClusterKey(config.clusterKey()), counters);
    }

    /** The node's one counter registry: the transport counts into it before the context exists. */
    @Provides
    @Singleton
    static CounterRegistry counterRegistry() {
        return new CounterRegistry();
    }

    @Provides
    @Singleton
    static WheelTimers wheelTimers(Clock clock) {
        return new WheelTimers(clock);
    }

    @Provides
    @Singleton
    static NodeContext nodeContext(NodeConfig config, Transport transport, Clock clock, Timers timers,
                                   CounterRegistry counters) {
        return new NodeContext(config.id(), transport, clock, timers, new SplittableRandom(), counters);
    }

    @Provides
    @Singleton
    static Consistency consistency(NodeConfig config) {
        return config.cluster().consistency(config.standalone());
    }

    @Provides
    @Singleton
    static ReplicationConfig replicationConfig(NodeConfig config, Consistency consistency) {
        ReplicationConfig defaults = ReplicationConfig.DEFAULT;
        return new ReplicationConfig(config.cluster().resolver(), consistency, defaults.limits(),
            TimeUnit.MILLISECONDS.toNanos(config.cluster().requestTimeoutMillis()), defaults.retryIntervalNanos(),
            defaults.maxClockEntries(), defaults.maxSiblings(), defaults.maxPendingRequests(),
            defaults.catchUpWindowNanos(), config.tombstoneGraceSeconds() * 1000);
    }

    /** When each range was last repaired against all its replicas: the data store's tombstone purge rule. */
    @Provides
    @Singleton
    static RepairHistory repairHistory(NodeConfig config, Consistency consistency) {
        return new RepairHistory(config.standalone() || consistency.n() == 1);
    }

    /** The data store: its tombstones are purged only once a repair covered every replica since (the history). */
    @Provides
    @Singleton
    static StorageEngine storageEngine(NodeConfig config, ReplicationConfig replication, RepairHistory history) {
        return StorageEngines.open(config.cluster().engine(), new EngineConfig(config.dataDirectory(), "data",
            replication.storageLimits(), EngineConfig.DEFAULT_MAX_VERSION_BYTES, config.engineOptions(), history)
            .withExpiry(Replication.recordExpiry()));
    }

    /** The hint store: an engine of its own (same kind as the data engine) in the data directory's {@code hints}. */
    @Provides
    @Singleton
    @Named("hints")
    static StorageEngine hintEngine(NodeConfig config, ReplicationConfig replication) {
        Map<String, String> options = new java.util.HashMap<>(config.engineOptions());
        if (config.cluster().engine().equals("lsm")) {
            // a delivered hint's tombstone guards nothing once compaction may drop it (the engine still keeps it
            // while an older table may hold the hint): no grace period, so delivered hints do not pile up
            options.put("tombstone-grace-seconds", "0");
        }
        return StorageEngines.open(config.cluster().engine(), new EngineConfig(config.dataDirectory(), "hints",
            Replication.hintLimits(replication), EngineConfig.DEFAULT_MAX_VERSION_BYTES, options));
    }

    @Provides
    @Singleton
    static NodeAgent nodeAgent(NodeConfig config, AeronTransport transport, WheelTimers timers, NodeHealth health) {
        return new NodeAgent("ringkv-node-" + config.id(), transport, timers, health);
    }

    @Provides
    @Singleton
    static NodeHealth nodeHealth() {
        return new NodeHealth();
    }
}
