package io.ringkv.node;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import io.ringkv.api.NodeId;
import io.ringkv.node.runtime.IdlePreset;
import io.ringkv.node.transport.PeerAddress;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Everything a node is started with. Every setting has a default that starts a single-node cluster on a laptop.
 *
 * @param id the node's id (default {@code node1})
 * @param listen where peers reach this node (default {@code 127.0.0.1:7400})
 * @param peers the other nodes and their addresses (default none: a single-node cluster)
 * @param dataDirectory where the node keeps its data (default {@code ./data/<id>})
 * @param idle how the agent thread waits when idle (default {@link IdlePreset#ADAPTIVE})
 * @param probeIntervalMillis time between liveness pings to each peer (default 1000)
 * @param probeMisses intervals without an answer before a peer is reported unreachable (default 3)
 * @param clientPort TCP port of the Redis-protocol front door on the listen host (default 7379; 0 picks a free one)
 * @param cluster replication settings shared by every node of the cluster
 */
public record NodeConfig(NodeId id, PeerAddress listen, Map<NodeId, PeerAddress> peers, Path dataDirectory,
                         IdlePreset idle, long probeIntervalMillis, int probeMisses, int clientPort,
                         ClusterSettings cluster) {
    /** Default node id. */
    public static final String DEFAULT_ID = "node1";
    /** Default peer address. */
    public static final String DEFAULT_LISTEN = "127.0.0.1:7400";
    /** Default client port: Redis' 6379 plus 1000, so a local Redis and a ringkv node can run side by side. */
    public static final int DEFAULT_CLIENT_PORT = 7379;

    /** @throws KvException with {@code INVALID_CONFIGURATION} naming the bad setting */
    public NodeConfig {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(dataDirectory, "dataDirectory");
        Objects.requireNonNull(idle, "idle");
        Objects.requireNonNull(cluster, "cluster");
        if (clientPort < 0 || clientPort > 65_535) {
            throw new KvException(ErrorCode.INVALID_CONFIGURATION, "client port must be 0–65535, was " + clientPort);
        }
        peers = Map.copyOf(new LinkedHashMap<>(peers));
        if (peers.containsKey(id)) {
            throw new KvException(ErrorCode.INVALID_CONFIGURATION, "--peers must not list the node itself (" + id + ")");
        }
        if (probeIntervalMillis < 10 || probeIntervalMillis > 60_000) {
            throw new KvException(ErrorCode.INVALID_CONFIGURATION,
                "probe interval must be 10–60000 ms, was " + probeIntervalMillis);
        }
        if (probeMisses < 1 || probeMisses > 100) {
            throw new KvException(ErrorCode.INVALID_CONFIGURATION, "probe misses must be 1–100, was " + probeMisses);
        }
    }

    /** @return the number of nodes in the cluster: this one and its peers */
    public int clusterSize() {
        return peers.size() + 1;
    }

    /**
     * Parses {@code id=host:port,id=host:port}.
     *
     * @throws KvException with {@code INVALID_CONFIGURATION} naming the expected form
     */
    public static Map<NodeId, PeerAddress> parsePeers(String text) {
        Map<NodeId, PeerAddress> peers = new LinkedHashMap<>();
        if (text == null || text.isBlank()) {
            return peers;
        }
        for (String part : text.split(",")) {
            int equals = part.indexOf('=');
            if (equals <= 0) {
                throw new KvException(ErrorCode.INVALID_CONFIGURATION,
                    "--peers takes id=host:port[,id=host:port...], was '" + part + "'");
            }
            NodeId id = NodeId.of(part.substring(0, equals).trim());
            if (peers.put(id, PeerAddress.parse(part.substring(equals + 1).trim())) != null) {
                throw new KvException(ErrorCode.INVALID_CONFIGURATION, "--peers lists " + id + " twice");
            }
        }
        return peers;
    }
}
