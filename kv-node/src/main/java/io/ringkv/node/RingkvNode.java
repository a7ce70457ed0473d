package io.ringkv.node;

import io.ringkv.api.Consistency;
import io.ringkv.api.Limits;
import io.ringkv.api.NodeContext;
import io.ringkv.api.NodeId;
import io.ringkv.node.probe.PeerProbe;
import io.ringkv.node.resp.RespConfig;
import io.ringkv.node.resp.RespServer;
import io.ringkv.node.runtime.NodeAgent;
import io.ringkv.node.service.ReplicatedKeyValueService;
import io.ringkv.node.transport.AeronTransport;
import io.ringkv.replication.Replication;
import io.ringkv.replication.ReplicationConfig;
import io.ringkv.ring.Ring;
import io.ringkv.storage.StorageEngine;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentRunner;

/**
 * A running ringkv node: its agent thread with the transport, the peer probe and replication on it, the storage
 * engine, and the Redis-protocol front door on its own thread.
 */
public final class RingkvNode implements AutoCloseable {
    private static final int MAX_REQUEST_BYTES = 4 * 1024 * 1024;

    private final NodeConfig config;
    private final NodeContext context;
    private final NodeAgent agent;
    private final AeronTransport transport;
    private final Ring ring;
    private final Consistency consistency;
    private final ReplicationConfig replicationConfig;
    private final StorageEngine engine;
    private final Map<NodeId, String> peerStates = new ConcurrentHashMap<>();
    private AgentRunner runner;
    private Replication replication;
    private RespServer front;

    @Inject
    RingkvNode(NodeConfig config, NodeContext context, NodeAgent agent, AeronTransport transport, Ring ring,
               Consistency consistency, ReplicationConfig replicationConfig, StorageEngine engine) {
        this.config = config;
        this.context = context;
        this.agent = agent;
        this.transport = transport;
        this.ring = ring;
        this.consistency = consistency;
        this.replicationConfig = replicationConfig;
        this.engine = engine;
    }

    /**
     * Creates the data directory, starts the peer probe, replication, the agent thread and the front door.
     *
     * @param events receives one line per notable event (peer reachable, unreachable, agent errors)
     */
    public void start(Consumer<String> events) {
        try {
            Files.createDirectories(config.dataDirectory());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create data directory " + config.dataDirectory(), e);
        }
        PeerProbe probe = startProbe(events);
        // a replica counts as alive while the probe hears from it; this node always counts itself
        replication = new Replication(context, ring, engine,
            node -> node.equals(config.id()) || probe.isReachable(node), replicationConfig);
        ErrorHandler errors = error -> events.accept("agent error: " + error);
        runner = new AgentRunner(config.idle().newStrategy(), errors, null, agent);
        AgentRunner.startOnThread(runner);
        front = RespServer.start(new RespConfig(config.listen().host(), config.clientPort(), Limits.DEFAULT, consistency,
                10_000, 1024, MAX_REQUEST_BYTES, RespConfig.onPort(0).version()),
            new ReplicatedKeyValueService(agent, replication.coordinator()), this::info);
    }

    private PeerProbe startProbe(Consumer<String> events) {
        config.peers().keySet().forEach(peer -> peerStates.put(peer, "unknown"));
        PeerProbe probe = new PeerProbe(context, new ArrayList<>(config.peers().keySet()),
            TimeUnit.MILLISECONDS.toNanos(config.probeIntervalMillis()), config.probeMisses(),
            new PeerProbe.Listener() {
                @Override
                public void onReachable(NodeId peer, long roundTripNanos) {
                    peerStates.put(peer, "reachable");
                    events.accept(String.format("peer %s reachable (round trip %.3f ms)", peer, roundTripNanos / 1e6));
                }

                @Override
                public void onUnreachable(NodeId peer) {
                    peerStates.put(peer, "unreachable");
                    events.accept("peer " + peer + " unreachable");
                }
            });
        probe.start();
        return probe;
    }

    /** The node's own fields of {@code INFO}: ring and peers under replication. */
    private Map<String, String> info(String section) {
        Map<String, String> fields = new LinkedHashMap<>();
        if (section.equals("replication")) {
            fields.put("node_id", config.id().value());
            fields.put("cluster_nodes", Integer.toString(ring.size()));
            fields.put("vnodes_per_node", Integer.toString(config.cluster().vnodes()));
            fields.put("consistency", consistency.toString());
            fields.put("resolver", replicationConfig.resolver());
            fields.put("engine", engine.name());
            int i = 0;
            for (Map.Entry<NodeId, String> peer : new java.util.TreeMap<>(peerStates).entrySet()) {
                fields.put("peer" + i++, "id=" + peer.getKey() + ",address=" + config.peers().get(peer.getKey())
                    + ",state=" + peer.getValue());
            }
        }
        return fields;
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
