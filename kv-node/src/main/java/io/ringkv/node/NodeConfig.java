package io.ringkv.node;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import io.ringkv.api.Node;
import io.ringkv.api.NodeId;
import io.ringkv.gossip.ScalingPolicy;
import io.ringkv.replication.HintConfig;
import io.ringkv.node.runtime.IdlePreset;
import io.ringkv.node.transport.ClusterKey;
import io.ringkv.node.transport.PeerAddress;
import io.ringkv.node.transport.TransportConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Everything a node is started with. Every setting has a default that starts a single-node cluster on a laptop.
 *
 * @param id the node's id (default {@code node1})
 * @param listen where peers reach this node (default {@code 127.0.0.1:7400})
 * @param seeds peer addresses to contact when joining (default none: a standalone, single-node cluster); may list
 *     this node's own address, so every node of a cluster can share one list
 * @param dataDirectory where the node keeps its data (default {@code ./data/<id>})
 * @param idle how the agent thread waits when idle (default {@link IdlePreset#ADAPTIVE})
 * @param clientPort TCP port of the Redis-protocol front door on the listen host (default 7379; 0 picks a free one)
 * @param zone the node's zone (default {@value Node#DEFAULT_ZONE})
 * @param rack the node's rack (default {@value Node#DEFAULT_RACK}); replicas spread over distinct racks
 * @param gossip gossip and failure detection
 * @param cluster replication settings shared by every node of the cluster
 * @param engineOptions options of the storage engine, by name (default none: the engine's defaults)
 * @param clients the front door's bounds on each client: timeouts and back-pressure (default
 *     {@link ClientSettings#DEFAULT})
 * @param transportTimeoutMillis how long the node may be stopped (a long GC pause, SIGSTOP, a frozen VM or
 *     container) and still serve on when it resumes; a node stopped longer exits (default ten minutes, see
 *     {@link TransportConfig#DEFAULT_TIMEOUT_NANOS})
 * @param replace a dead node this one replaces, taking its tokens (null for none)
 * @param scaling the policy behind the autoscaling signals ({@code INFO autoscale}); default
 *     {@link ScalingPolicy.Config#DEFAULT}
 * @param httpPort TCP port of the HTTP endpoint ({@code /metrics}, {@code /health}, the dashboard) on the listen
 *     host; {@value #HTTP_OFF} serves none, 0 picks a free one ({@code ringkv node} defaults to
 *     {@value #DEFAULT_HTTP_PORT}; the constructors without it to {@value #HTTP_OFF})
 * @param clusterKey the key that tags and checks every datagram between nodes ({@code --cluster-key-file}); null
 *     for none: the peer port then takes anyone who can reach it for a peer (the constructors without it)
 */
public record NodeConfig(NodeId id, PeerAddress listen, List<PeerAddress> seeds, Path dataDirectory,
                         IdlePreset idle, int clientPort, String zone, String rack, GossipSettings gossip,
                         ClusterSettings cluster, Map<String, String> engineOptions, ClientSettings clients,
                         long transportTimeoutMillis, HintConfig hints, long repairPeriodHours, NodeId replace,
                         ScalingPolicy.Config scaling, int httpPort, ClusterKey clusterKey) {
    /** HTTP port that serves no HTTP endpoint. */
    public static final int HTTP_OFF = -1;
    /** Default HTTP port of {@code ringkv node}: the client port's 7379 plus 2000. */
    public static final int DEFAULT_HTTP_PORT = 9379;
    /** Default transport timeout: ten minutes. */
    public static final long DEFAULT_TRANSPORT_TIMEOUT_MILLIS =
        TimeUnit.NANOSECONDS.toMillis(TransportConfig.DEFAULT_TIMEOUT_NANOS);
    /** Default time between background repair passes: every range is repaired within about a day. */
    public static final long DEFAULT_REPAIR_PERIOD_HOURS = 24;
    /** Default node id. */
    public static final String DEFAULT_ID = "node1";
    /** Default peer address. */
    public static final String DEFAULT_LISTEN = "127.0.0.1:7400";
    /** Default client port: Redis' 6379 plus 1000, so a local Redis and a ringkv node can run side by side. */
    public static final int DEFAULT_CLIENT_PORT = 7379;
    private static final int MAX_LABEL = 64;

    /** @throws KvException with {@code INVALID_CONFIGURATION} naming the bad setting */
    public NodeConfig {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(dataDirectory, "dataDirectory");
        Objects.requireNonNull(idle, "idle");
        Objects.requireNonNull(gossip, "gossip");
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(clients, "clients");
        Objects.requireNonNull(hints, "hints");
        Objects.requireNonNull(scaling, "scaling");
        if (repairPeriodHours < 0 || repairPeriodHours > 24L * 365) {
            throw new KvException(ErrorCode.INVALID_CONFIGURATION, "repair period must be 0 (on demand only) to "
                + 24 * 365 + " hours, was " + repairPeriodHours);
        }
        if (id.equals(replace)) {
            throw new KvException(ErrorCode.INVALID_CONFIGURATION, "a node cannot replace itself (--replace " + replace
                + ")");
        }
        seeds = List.copyOf(seeds);
        engineOptions = Map.copyOf(engineOptions);
        if (clientPort < 0 || clientPort > 65_535) {
            throw new KvException(ErrorCode.INVALID_CONFIGURATION, "client port must be 0–65535, was " + clientPort);
        }
        if (httpPort < HTTP_OFF || httpPort > 65_535) {
            throw new KvException(ErrorCode.INVALID_CONFIGURATION, "HTTP port must be 0–65535, or " + HTTP_OFF
                + " for none, was " + httpPort);
        }
        requireLabel("zone", zone);
        requireLabel("rack", rack);
        long minimum = TimeUnit.NANOSECONDS.toMillis(TransportConfig.MIN_TIMEOUT_NANOS);
        long maximum = TimeUnit.NANOSECONDS.toMillis(TransportConfig.MAX_TIMEOUT_NANOS);
        if (transportTimeoutMillis < minimum || transportTimeoutMillis > maximum) {
            throw new KvException(ErrorCode.INVALID_CONFIGURATION, "transport timeout must be " + minimum + "–"
                + maximum + " ms, was " + transportTimeoutMillis);
        }
    }

    /** Settings without a cluster key: datagrams between nodes are neither tagged nor checked. */
    public NodeConfig(NodeId id, PeerAddress listen, List<PeerAddress> seeds, Path dataDirectory, IdlePreset idle,
                      int clientPort, String zone, String rack, GossipSettings gossip, ClusterSettings cluster,
                      Map<String, String> engineOptions, ClientSettings clients, long transportTimeoutMillis,
                      HintConfig hints, long repairPeriodHours, NodeId replace, ScalingPolicy.Config scaling,
                      int httpPort) {
        this(id, listen, seeds, dataDirectory, idle, clientPort, zone, rack, gossip, cluster, engineOptions, clients,
            transportTimeoutMillis, hints, repairPeriodHours, replace, scaling, httpPort, null);
    }

    /** Settings without an HTTP endpoint. */
    public NodeConfig(NodeId id, PeerAddress listen, List<PeerAddress> seeds, Path dataDirectory, IdlePreset idle,
                      int clientPort, String zone, String rack, GossipSettings gossip, ClusterSettings cluster,
                      Map<String, String> engineOptions, ClientSettings clients, long transportTimeoutMillis,
                      HintConfig hints, long repairPeriodHours, NodeId replace, ScalingPolicy.Config scaling) {
        this(id, listen, seeds, dataDirectory, idle, clientPort, zone, rack, gossip, cluster, engineOptions, clients,
            transportTimeoutMillis, hints, repairPeriodHours, replace, scaling, HTTP_OFF);
    }

    /** Settings with the default scaling policy. */
    public NodeConfig(NodeId id, PeerAddress listen, List<PeerAddress> seeds, Path dataDirectory, IdlePreset idle,
                      int clientPort, String zone, String rack, GossipSettings gossip, ClusterSettings cluster,
                      Map<String, String> engineOptions, ClientSettings clients, long transportTimeoutMillis,
                      HintConfig hints, long repairPeriodHours, NodeId replace) {
        this(id, listen, seeds, dataDirectory, idle, clientPort, zone, rack, gossip, cluster, engineOptions, clients,
            transportTimeoutMillis, hints, repairPeriodHours, replace, ScalingPolicy.Config.DEFAULT);
    }

    /** Settings with the default sloppy quorum and hinted handoff settings. */
    public NodeConfig(NodeId id, PeerAddress listen, List<PeerAddress> seeds, Path dataDirectory, IdlePreset idle,
                      int clientPort, String zone, String rack, GossipSettings gossip, ClusterSettings cluster,
                      Map<String, String> engineOptions, ClientSettings clients, long transportTimeoutMillis) {
        this(id, listen, seeds, dataDirectory, idle, clientPort, zone, rack, gossip, cluster, engineOptions, clients,
            transportTimeoutMillis, HintConfig.DEFAULT, DEFAULT_REPAIR_PERIOD_HOURS, null);
    }

    /** Settings with the default client bounds and the {@linkplain #DEFAULT_TRANSPORT_TIMEOUT_MILLIS default
     * transport timeout}. */
    public NodeConfig(NodeId id, PeerAddress listen, List<PeerAddress> seeds, Path dataDirectory, IdlePreset idle,
                      int clientPort, String zone, String rack, GossipSettings gossip, ClusterSettings cluster,
                      Map<String, String> engineOptions) {
        this(id, listen, seeds, dataDirectory, idle, clientPort, zone, rack, gossip, cluster, engineOptions,
            ClientSettings.DEFAULT, DEFAULT_TRANSPORT_TIMEOUT_MILLIS);
    }

    private static void requireLabel(String what, String label) {
        if (label == null || label.length() > MAX_LABEL || !Node.isLabel(label)) {
            throw new KvException(ErrorCode.INVALID_CONFIGURATION, what + " must be 1–" + MAX_LABEL
                + " characters without white space, control characters, ',' or '=', was '" + label + "'");
        }
    }

    /** @return true when the node has no seeds: a cluster of one */
    public boolean standalone() {
        return seeds.isEmpty();
    }

    /**
     * @return the engine option {@code tombstone-grace-seconds}, or the engines' default: replication needs it too
     *     (a repair does not hand back a tombstone older than this to a replica holding nothing for its key)
     * @throws KvException with {@code INVALID_CONFIGURATION} when the option is not a number of seconds
     */
    public long tombstoneGraceSeconds() {
        String given = engineOptions.get("tombstone-grace-seconds");
        if (given == null) {
            return io.ringkv.storage.EngineConfig.DEFAULT_TOMBSTONE_GRACE_SECONDS;
        }
        try {
            long seconds = Long.parseLong(given.trim());
            if (seconds >= 0 && seconds <= Long.MAX_VALUE / 1000) {
                return seconds;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new KvException(ErrorCode.INVALID_CONFIGURATION,
            "engine option tombstone-grace-seconds must be a number of seconds, 0 or more, was '" + given + "'");
    }

    /** @return the seeds other than this node's own listen address */
    public List<PeerAddress> otherSeeds() {
        return seeds.stream().filter(seed -> !seed.equals(listen)).toList();
    }

    /**
     * Parses {@code name=value,name=value}.
     *
     * @throws KvException with {@code INVALID_CONFIGURATION} naming the expected form
     */
    public static Map<String, String> parseEngineOptions(String text) {
        Map<String, String> options = new java.util.LinkedHashMap<>();
        if (text == null || text.isBlank()) {
            return options;
        }
        for (String part : text.split(",")) {
            int equals = part.indexOf('=');
            if (equals <= 0) {
                throw new KvException(ErrorCode.INVALID_CONFIGURATION,
                    "--engine-options takes name=value[,name=value...], was '" + part + "'");
            }
            options.put(part.substring(0, equals).trim(), part.substring(equals + 1).trim());
        }
        return options;
    }

    /**
     * Parses {@code host:port,host:port}.
     *
     * @throws KvException with {@code INVALID_CONFIGURATION} naming the expected form
     */
    public static List<PeerAddress> parseSeeds(String text) {
        List<PeerAddress> seeds = new ArrayList<>();
        if (text == null || text.isBlank()) {
            return seeds;
        }
        for (String part : text.split(",")) {
            PeerAddress seed = PeerAddress.parse(part.trim());
            if (seeds.contains(seed)) {
                throw new KvException(ErrorCode.INVALID_CONFIGURATION, "--seeds lists " + seed + " twice");
            }
            seeds.add(seed);
        }
        return seeds;
    }

    /** @return these settings with another client port (the one actually bound when the configured one was 0) */
    public NodeConfig withClientPort(int port) {
        return new NodeConfig(id, listen, seeds, dataDirectory, idle, port, zone, rack, gossip, cluster,
            engineOptions, clients, transportTimeoutMillis, hints, repairPeriodHours, replace, scaling, httpPort,
            clusterKey);
    }

    /** @return these settings with another HTTP port ({@value #HTTP_OFF} for none) */
    public NodeConfig withHttpPort(int port) {
        return new NodeConfig(id, listen, seeds, dataDirectory, idle, clientPort, zone, rack, gossip, cluster,
            engineOptions, clients, transportTimeoutMillis, hints, repairPeriodHours, replace, scaling, port,
            clusterKey);
    }

    /** @return these settings with datagrams between nodes tagged with {@code key} (null: untagged) */
    public NodeConfig withClusterKey(ClusterKey key) {
        return new NodeConfig(id, listen, seeds, dataDirectory, idle, clientPort, zone, rack, gossip, cluster,
            engineOptions, clients, transportTimeoutMillis, hints, repairPeriodHours, replace, scaling, httpPort, key);
    }
}
