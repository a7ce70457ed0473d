package io.ringkv.node;

import io.ringkv.api.Consistency;
import io.ringkv.api.Limits;
import io.ringkv.api.NodeContext;
import io.ringkv.node.membership.ClusterMembership;
import io.ringkv.gossip.GossipCounters;
import io.ringkv.node.membership.ClusterSnapshot;
import io.ringkv.node.membership.NodeState;
import io.ringkv.node.resp.RespConfig;
import io.ringkv.node.resp.RespServer;
import io.ringkv.node.runtime.NodeAgent;
import io.ringkv.node.service.ReplicatedKeyValueService;
import io.ringkv.node.transport.AeronTransport;
import io.ringkv.replication.Replication;
import io.ringkv.replication.ReplicationConfig;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageMetrics;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentRunner;

/**
 * A running ringkv node: its agent thread with the transport, gossip membership and replication on it, the
 * storage engine, and the Redis-protocol front door on its own thread.
 */
public final class RingkvNode implements AutoCloseable {
    private static final int MAX_REQUEST_BYTES = 4 * 1024 * 1024;

    private final NodeConfig config;
    private final NodeContext context;
    private final NodeAgent agent;
    private final AeronTransport transport;
    private final Consistency consistency;
    private final ReplicationConfig replicationConfig;
    private final StorageEngine engine;
    private ClusterMembership membership;
    private AgentRunner runner;
    private Replication replication;
    private RespServer front;

    @Inject
    RingkvNode(NodeConfig config, NodeContext context, NodeAgent agent, AeronTransport transport,
               Consistency consistency, ReplicationConfig replicationConfig, StorageEngine engine) {
        this.config = config;
        this.context = context;
        this.agent = agent;
        this.transport = transport;
        this.consistency = consistency;
        this.replicationConfig = replicationConfig;
        this.engine = engine;
    }

    /**
     * Creates the data directory, takes a new generation, starts gossip (and the join), replication, the agent
     * thread and the front door.
     *
     * @param events receives one line per notable event (nodes learned, judged, restarted; agent errors)
     */
    public void start(Consumer<String> events) {
        try {
            Files.createDirectories(config.dataDirectory());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create data directory " + config.dataDirectory(), e);
        }
        NodeState state = NodeState.startNewGeneration(config.dataDirectory(), context.clock().wallClockMillis());
        // bound first, so that gossip announces the real client port when the configured one is 0
        RespServer.Listener frontDoor = RespServer.listen(new RespConfig(config.listen().host(), config.clientPort(),
            Limits.DEFAULT, consistency, 10_000, 1024, MAX_REQUEST_BYTES, RespConfig.onPort(0).version()));
        try {
            NodeConfig announced = config.withClientPort(frontDoor.port());
            membership = new ClusterMembership(context, announced, consistency, engine, state, events);
            replication = new Replication(context, membership.ring(), engine, membership::isAlive,
                replicationConfig);
            membership.onRing(replication::updateRing);
            membership.start();
            ErrorHandler errors = error -> events.accept("agent error: " + error);
            runner = new AgentRunner(config.idle().newStrategy(), errors, null, agent);
            AgentRunner.startOnThread(runner);
            ReplicatedKeyValueService service = new ReplicatedKeyValueService(agent, replication.coordinator(),
                membership::removeNode);
            front = RespServer.start(frontDoor, service, this::info);
        } catch (RuntimeException e) {
            frontDoor.close();
            throw e;
        }
    }

    /** The node's own fields of {@code INFO}: replication settings, and the cluster as this node sees it. */
    private Map<String, String> info(String section) {
        Map<String, String> fields = new LinkedHashMap<>();
        ClusterSnapshot view = membership.snapshot();
        if (section.equals("replication")) {
            fields.put("node_id", config.id().value());
            fields.put("cluster_nodes", Integer.toString(view.ringNodes()));
            fields.put("vnodes_per_node", Integer.toString(config.cluster().vnodes()));
            fields.put("consistency", consistency.toString());
            fields.put("resolver", replicationConfig.resolver());
            fields.put("engine", engine.name());
        } else if (section.equals("cluster")) {
            fields.put("cluster_name", config.gossip().clusterName());
            fields.put("cluster_self", view.self());
            fields.put("cluster_known_nodes", Integer.toString(view.members().size()));
            fields.put("cluster_ring_nodes", Integer.toString(view.ringNodes()));
            fields.put("cluster_failure_detector", config.gossip().detector());
            gossipFields(view.gossip(), fields);
            int i = 0;
            for (ClusterSnapshot.Member member : view.members()) {
                fields.put("node" + i++, "id=" + member.id() + ",state=" + member.state() + ",address="
                    + member.address() + ",client=" + member.clientAddress() + ",zone=" + member.zone() + ",rack="
                    + member.rack() + ",load=" + member.load() + ",keys=" + member.records() + ",disk=" + member.disk() + ",owns="
                    + String.format(Locale.ROOT, "%.4f", member.owns()) + ",tokens=" + member.tokens()
                    + ",generation=" + member.generation() + ",liveness=" + member.liveness());
            }
        } else if (section.equals("storage")) {
            storageFields(engine.metrics(), fields);
        }
        return fields;
    }

    /**
     * The engine's counters under {@code storage_}: whether writes are refused for a full disk, free and reserved
     * bytes, refused writes, then whatever else the engine reports, by the engine's own names.
     */
    private void storageFields(StorageMetrics metrics, Map<String, String> fields) {
        fields.put("storage_engine", engine.name());
        Map<String, Long> extra = metrics.extra();
        fields.put("storage_disk_full", Long.toString(extra.getOrDefault(StorageMetrics.DISK_FULL, 0L)));
        fields.put("storage_records", Long.toString(metrics.liveRecords()));
        fields.put("storage_data_bytes", Long.toString(metrics.dataBytes()));
        fields.put("storage_puts", Long.toString(metrics.puts()));
        fields.put("storage_deletes", Long.toString(metrics.deletes()));
        fields.put("storage_gets", Long.toString(metrics.gets()));
        new java.util.TreeMap<>(extra).forEach((name, value) -> fields.putIfAbsent("storage_" + name,
            Long.toString(value)));
    }

    /** Gossip's counters as of the last round, named for operators. */
    private static void gossipFields(GossipCounters gossip, Map<String, String> fields) {
        fields.put("gossip_rounds", Long.toString(gossip.rounds()));
        fields.put("gossip_syns_sent", Long.toString(gossip.synsSent()));
        fields.put("gossip_acks_sent", Long.toString(gossip.acksSent()));
        fields.put("gossip_bytes_sent", Long.toString(gossip.bytesSent()));
        fields.put("gossip_messages_received", Long.toString(gossip.messagesReceived()));
        fields.put("gossip_bytes_received", Long.toString(gossip.bytesReceived()));
        fields.put("gossip_states_applied", Long.toString(gossip.statesApplied()));
        fields.put("gossip_heartbeats_applied", Long.toString(gossip.heartbeatsApplied()));
        fields.put("gossip_dropped_wrong_cluster", Long.toString(gossip.droppedWrongCluster()));
        fields.put("gossip_dropped_malformed", Long.toString(gossip.droppedMalformed()));
        fields.put("gossip_dropped_implausible", Long.toString(gossip.droppedImplausible()));
        fields.put("gossip_send_failures", Long.toString(gossip.sendFailures()));
    }

    /** @return the node's settings */
    public NodeConfig config() {
        return config;
    }

    /** @return the front door's TCP port (useful when configured as 0) */
    public int clientPort() {
        return front.port();
    }

    /** @return the transport (its counters are safe to read approximately from any thread) */
    public AeronTransport transport() {
        return transport;
    }

    @Override
    public void close() {
        CloseHelper.quietClose(front);
        if (runner != null) {
            runner.close();
        } else {
            transport.close();
        }
        engine.close();
    }
}
