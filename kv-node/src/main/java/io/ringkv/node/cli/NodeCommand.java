package io.ringkv.node.cli;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import io.ringkv.api.NodeId;
import io.ringkv.api.Node;
import io.ringkv.gossip.ScalingPolicy;
import io.ringkv.node.ClientSettings;
import io.ringkv.node.ClusterSettings;
import io.ringkv.node.GossipSettings;
import io.ringkv.node.NodeComponent;
import io.ringkv.node.NodeConfig;
import io.ringkv.node.RingkvNode;
import io.ringkv.node.runtime.IdlePreset;
import io.ringkv.replication.HintConfig;
import io.ringkv.node.transport.PeerAddress;
import io.ringkv.node.transport.ClusterKey;
import io.ringkv.node.transport.TransportConfig;
import jakarta.inject.Inject;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;

/**
 * {@code ringkv node}: starts one node and runs it until SIGINT or SIGTERM, or until the node can no longer serve,
 * when it exits with status {@value #NODE_FAILED} so that a supervisor restarts it. Every setting is one option
 * field below (picocli sets it from the command line, else from the {@code --config} file, else its initial value)
 * and one argument in {@link #config()}.
 */
@CommandLine.Command(name = "node",
    description = {"Start a node (a single-node cluster unless --seeds names a cluster to join).",
        "Starts one node and runs it until interrupted (Ctrl-C) or sent SIGTERM. With no options it starts a"
            + " single-node cluster listening on 127.0.0.1:7400 with its data in ./data/node1. With --seeds it joins"
            + " (or forms) the cluster those nodes belong to: it gossips with them, picks its tokens, and from then on"
            + " learns every member and its liveness by gossip. Give every node of a cluster the same seed list.",
        "Every option can also be set in a properties file named with --config, as name = value (for example"
            + " listen = 127.0.0.1:7400); options on the command line win over the file."},
    footer = {"", "Exit status: 0 after SIGINT or SIGTERM, 1 when the node cannot start, 2 for a wrong option, 3 when"
        + " it stopped because it could no longer serve."})
final class NodeCommand implements Command {
    /** The exit status of a node that stopped because it could no longer serve (its transport failed). */
    static final int NODE_FAILED = 3;
    /** How long a node stopped while starting waits for it to be built, so as to close it. */
    private static final int BUILD_WAIT_SECONDS = 30;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Option(names = "--config", paramLabel = "FILE",
        description = "properties file with any of the options below, without their dashes (default: none)")
    Path configFile;

    @CommandLine.Option(names = "--id", paramLabel = "ID", description = "node id")
    String id = NodeConfig.DEFAULT_ID;

    @CommandLine.Option(names = "--listen", paramLabel = "HOST:PORT", description = "UDP address peers reach this"
        + " node on")
    String listen = NodeConfig.DEFAULT_LISTEN;

    @CommandLine.Option(names = "--seeds", paramLabel = "HOST:PORT,...", description = "peer addresses of nodes to"
        + " join through; may include this node's own --listen address (default: none, standalone)")
    String seeds;

    @CommandLine.Option(names = "--data-dir", paramLabel = "DIR", description = "data directory (default ./data/ID)")
    Path dataDirectory;

    @CommandLine.Option(names = "--idle", paramLabel = "PRESET", description = "adaptive, backoff, sleeping or"
        + " busy-spin")
    String idle = IdlePreset.ADAPTIVE.optionName();

    @CommandLine.Option(names = "--client-port", paramLabel = "P", description = "Redis-protocol port on the listen"
        + " host, 0-65535 (0: any free port)")
    int clientPort = NodeConfig.DEFAULT_CLIENT_PORT;

    @CommandLine.Option(names = "--http-port", paramLabel = "P", description = "HTTP port on the listen host for"
        + " the key-value API (/kv/KEY), /metrics, /health and the dashboard, 0-65535 (0: any free port), or -1 for none (default: the client"
        + " port + 2000, so " + NodeConfig.DEFAULT_HTTP_PORT + "; any free port when the client port is 0)")
    Integer httpPort;

    @CommandLine.Option(names = "--users-file", paramLabel = "PATH", description = "the users who may log in (AUTH,"
        + " HELLO AUTH, HTTP basic auth) and their permissions, one a line, readable by the node's user only; add"
        + " users with 'ringkv user add' (default: none, every client may do everything)")
    Path usersFile;

    @CommandLine.Option(names = "--allow-unauthenticated", description = "serve clients without a users file even"
        + " when --listen is not a loopback address (protected mode off): only on a network you trust")
    boolean allowUnauthenticated;

    @CommandLine.Option(names = "--zone", paramLabel = "Z", description = "the node's zone (failure domain)")
    String zone = Node.DEFAULT_ZONE;

    @CommandLine.Option(names = "--rack", paramLabel = "R", description = "the node's rack within its zone; replicas"
        + " spread over distinct racks")
    String rack = Node.DEFAULT_RACK;

    @CommandLine.Option(names = "--cluster-name", paramLabel = "NAME", description = "nodes gossip only within one"
        + " cluster name")
    String clusterName = GossipSettings.DEFAULT.clusterName();

    @CommandLine.Option(names = "--gossip-interval-ms", paramLabel = "MS", description = "time between gossip"
        + " rounds, 10-60000")
    int gossipIntervalMillis = (int) GossipSettings.DEFAULT.intervalMillis();

    @CommandLine.Option(names = "--suspect-after-ms", paramLabel = "MS", description = "silence before a peer is"
        + " SUSPECT (default 15 gossip intervals)")
    Long suspectAfterMillis;

    @CommandLine.Option(names = "--down-after-ms", paramLabel = "MS", description = "silence before a peer is DOWN"
        + " (default 30 gossip intervals)")
    Long downAfterMillis;

    @CommandLine.Option(names = "--failure-detector", paramLabel = "NAME", description = "fixed (the two timeouts"
        + " above) or phi (phi accrual)")
    String failureDetector = GossipSettings.DEFAULT.detector();

    @CommandLine.Option(names = "--phi-suspect", paramLabel = "X", description = "phi threshold of SUSPECT (phi"
        + " detector)")
    double phiSuspect = GossipSettings.DEFAULT.phiSuspect();

    @CommandLine.Option(names = "--phi-down", paramLabel = "Y", description = "phi threshold of DOWN (phi detector)")
    double phiDown = GossipSettings.DEFAULT.phiDown();

    @CommandLine.Option(names = "--quarantine-ms", paramLabel = "MS", description = "how long a removed node's state"
        + " spreads before it is forgotten")
    long quarantineMillis = GossipSettings.DEFAULT.quarantineMillis();

    @CommandLine.Option(names = "--ready-after-rounds", paramLabel = "R", description = "a starting node answers"
        + " clients LOADING until it has exchanged gossip with a peer, or for at most R gossip rounds, 0-100000")
    int readyAfterRounds = GossipSettings.DEFAULT.readyAfterRounds();

    @CommandLine.Option(names = "--n", paramLabel = "N", description = "replication factor, 0-16 (default 0: 3 with"
        + " seeds, 1 without); clients override it per connection")
    int n;

    @CommandLine.Option(names = "--r", paramLabel = "R", description = "default read quorum, 0-16 (default 0: a"
        + " majority of N)")
    int r;

    @CommandLine.Option(names = "--w", paramLabel = "W", description = "default write quorum, 0-16 (default 0: a"
        + " majority of N)")
    int w;

    @CommandLine.Option(names = "--resolver", paramLabel = "NAME", description = "vector-clock (siblings) or lww"
        + " (last write wins), or a plugin's resolver")
    String resolver = ClusterSettings.DEFAULT.resolver();

    @CommandLine.Option(names = "--engine", paramLabel = "NAME", description = "storage engine: lsm, rocksdb or"
        + " memory (keeps nothing across restarts), or a plugin's engine")
    String engine = ClusterSettings.DEFAULT.engine();

    @CommandLine.Option(names = "--engine-options", paramLabel = "K=V,...", description = "engine settings, e.g."
        + " sync=always,memtable-bytes=16777216 for lsm (see the README's storage section; default: none)")
    String engineOptions;

    @CommandLine.Option(names = "--vnodes", paramLabel = "T", description = "virtual nodes per node, 1-4096; the"
        + " same on every node")
    int vnodes = ClusterSettings.DEFAULT.vnodes();

    @CommandLine.Option(names = "--timeout-ms", paramLabel = "MS", description = "how long a coordinator waits for"
        + " replies, 1-600000; the same on every node (a replica remembers writes handed to it for as long as the"
        + " sender may send them again, by its own timeout)")
    int timeoutMillis = 1000;

    @CommandLine.Option(names = "--client-idle-timeout", paramLabel = "S", description = "close a client connection"
        + " silent this many seconds (0: never, as Redis' timeout)")
    int clientIdleTimeout = ClientSettings.DEFAULT.idleTimeoutSeconds();

    @CommandLine.Option(names = "--client-request-timeout", paramLabel = "S", description = "close a connection whose"
        + " request is still incomplete this many seconds after its first bytes (0: never)")
    int clientRequestTimeout = ClientSettings.DEFAULT.requestTimeoutSeconds();

    @CommandLine.Option(names = "--client-max-pending-replies", paramLabel = "N", description = "a connection's"
        + " requests in flight before the node stops reading from it until they are answered and read")
    int clientMaxPendingReplies = ClientSettings.DEFAULT.maxPendingReplies();

    @CommandLine.Option(names = "--client-max-unsent-bytes", paramLabel = "B", description = "reply bytes a client"
        + " has not read before the node stops reading from it")
    int clientMaxUnsentBytes = ClientSettings.DEFAULT.maxUnsentReplyBytes();

    @CommandLine.Option(names = "--front-door-thread", paramLabel = "T", description = "where the Redis-protocol"
        + " port is served: own (a thread of its own, the default) or agent (the node's protocol thread: no hand-off"
        + " between threads per request); with TLS it always has its own")
    String frontDoorThread = "own";

    @CommandLine.Option(names = "--tls-keystore", paramLabel = "FILE", description = "PKCS#12 keystore with this"
        + " node's key and certificate: the client port then speaks TLS 1.3 only and the HTTP port HTTPS only; the"
        + " certificate is reloaded when the file changes (default: none, plaintext)")
    Path tlsKeystore;

    @CommandLine.Option(names = "--tls-keystore-password-file", paramLabel = "FILE", description = "file whose first"
        + " line is the keystore's (and truststore's) password (default: none)")
    Path tlsPasswordFile;

    @CommandLine.Option(names = "--tls-truststore", paramLabel = "FILE", description = "PKCS#12 file of the"
        + " authorities whose client certificates are accepted (default: none)")
    Path tlsTruststore;

    @CommandLine.Option(names = "--tls-client-auth", paramLabel = "none|want|need", description = "whether clients"
        + " present certificates (default none)")
    String tlsClientAuth = "none";

    @CommandLine.Option(names = "--sloppy-quorum", paramLabel = "on|off", description = "a write's DOWN replicas are"
        + " replaced by the next healthy nodes, which keep hints for them")
    String sloppyQuorum = "on";

    @CommandLine.Option(names = "--hinted-writes", paramLabel = "MODE", description = "count (a substitute's durable"
        + " hint counts toward W, Dynamo's sloppy quorum) or strict (only the key's own replicas count)")
    String hintedWrites = HintConfig.DEFAULT.hintedWrites().configName();

    @CommandLine.Option(names = "--hint-window-ms", paramLabel = "MS", description = "a replica down longer gets no"
        + " new hints")
    long hintWindowMillis = TimeUnit.NANOSECONDS.toMillis(HintConfig.DEFAULT.windowNanos());

    @CommandLine.Option(names = "--hint-max-bytes-per-node", paramLabel = "B", description = "hint bytes kept for one"
        + " replica")
    long hintMaxBytesPerNode = HintConfig.DEFAULT.maxBytesPerTarget();

    @CommandLine.Option(names = "--hint-max-bytes", paramLabel = "B", description = "hint bytes kept in all")
    long hintMaxBytes = HintConfig.DEFAULT.maxBytesTotal();

    @CommandLine.Option(names = "--hint-delivery-bytes-per-second", paramLabel = "B", description = "pace of handing"
        + " hints to a returning replica")
    long hintDeliveryBytesPerSecond = HintConfig.DEFAULT.deliveryBytesPerSecond();

    @CommandLine.Option(names = "--repair-period-hours", paramLabel = "H", description = "hours from the end of one"
        + " background repair pass to the start of the next (0: only on demand, ringkv repair)")
    int repairPeriodHours = (int) NodeConfig.DEFAULT_REPAIR_PERIOD_HOURS;

    @CommandLine.Option(names = "--replace", paramLabel = "ID", description = "join in place of node ID, which must"
        + " be DOWN: take its tokens, stream its ranges from the other replicas, then remove it from the ring"
        + " (default: none)")
    String replace;

    @CommandLine.Option(names = "--scale-target-rps", paramLabel = "R", description = "autoscaling: client requests"
        + " per second one node should serve on average; INFO autoscale recommends a node count")
    double scaleTargetRps = ScalingPolicy.Config.DEFAULT.targetPerNode();

    @CommandLine.Option(names = "--scale-max-bytes", paramLabel = "B", description = "autoscaling: data one node"
        + " should hold at most (0: no limit)")
    long scaleMaxBytes = ScalingPolicy.Config.DEFAULT.maxBytesPerNode();

    @CommandLine.Option(names = "--scale-nodes", paramLabel = "MIN,MAX", description = "autoscaling: bounds of the"
        + " recommended node count")
    String scaleNodes = ScalingPolicy.Config.DEFAULT.minNodes() + "," + ScalingPolicy.Config.DEFAULT.maxNodes();

    @CommandLine.Option(names = "--scale-up-after-s", paramLabel = "S", description = "recommend more nodes after"
        + " traffic stayed above target S seconds")
    int scaleUpAfterSeconds = (int) TimeUnit.NANOSECONDS.toSeconds(ScalingPolicy.Config.DEFAULT.upAfterNanos());

    @CommandLine.Option(names = "--scale-down-after-s", paramLabel = "S", description = "recommend fewer after it"
        + " stayed low S seconds, leaving the remaining nodes at 70 %% of the target at most")
    int scaleDownAfterSeconds = (int) TimeUnit.NANOSECONDS.toSeconds(ScalingPolicy.Config.DEFAULT.downAfterNanos());

    @CommandLine.Option(names = "--scale-cooldown-s", paramLabel = "S", description = "hold for S seconds after the"
        + " membership changed")
    int scaleCooldownSeconds = (int) TimeUnit.NANOSECONDS.toSeconds(ScalingPolicy.Config.DEFAULT.coolDownNanos());

    @CommandLine.Option(names = "--transport-timeout-ms", paramLabel = "MS", description = "how long the node may be"
        + " stopped (a long GC pause, SIGSTOP, a frozen VM or container) and serve on when it resumes,"
        + " 2000-86400000; a node stopped longer exits with status 3 and a message saying so, for its supervisor to"
        + " restart it (its data stays on disk)")
    int transportTimeoutMillis = (int) NodeConfig.DEFAULT_TRANSPORT_TIMEOUT_MILLIS;

    @CommandLine.Option(names = "--cluster-key-file", paramLabel = "FILE", description = "the cluster key (ringkv"
        + " cluster-key generate makes one), the same file on every node: every datagram between nodes is tagged"
        + " with it and checked, so a node without it cannot join, gossip, write or make a node look DOWN. One base64"
        + " key per line, at most two: the node signs with the first and accepts either (a rotation); the file must be"
        + " private to the node's user (chmod 600). (default: none, and the node warns that its peer port is open"
        + " to anyone)")
    Path clusterKeyFile;

    @CommandLine.Option(names = "--peer-encryption", description = "also encrypt every datagram between nodes"
        + " (AES-256-GCM under keys made from the cluster key), so that values and keys cannot be read on the way;"
        + " needs --cluster-key-file, and every node of the cluster must agree")
    boolean peerEncryption;

    @Inject
    NodeCommand() {
    }

    @Override
    public int run(PrintStream out, PrintStream err) {
        NodeConfig config = withConfigFile().config();
        // before the engine opens the data directory: a node refused for its users leaves nothing behind
        RingkvNode.checkClientAccess(config);
        CompletableFuture<Integer> status = new CompletableFuture<>();
        CompletableFuture<RingkvNode> built = new CompletableFuture<>();
        boolean[] stopping = {false};
        // SIGINT and SIGTERM run the shutdown hooks: stop the agent, close the transport, then let the JVM exit.
        // Registered before the node is built, which launches the media driver: a node stopped while starting
        // still closes it, and so deletes the driver's directory (tens of MB in /dev/shm) instead of leaving it
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            out.println("ringkv " + config.id() + ": stopping");
            RingkvNode building = awaitBuilt(built, config, out);
            synchronized (stopping) {
                stopping[0] = true;
                if (building != null) {
                    building.close();
                }
            }
            out.println("ringkv " + config.id() + ": stopped");
            out.flush();
            status.complete(Launcher.OK);
        }, "ringkv-shutdown"));
        RingkvNode node;
        try {
            node = NodeComponent.of(config).node();
        } catch (RuntimeException | Error e) {
            built.completeExceptionally(e);
            throw e;
        }
        built.complete(node);
        // a node that cannot serve must not look alive: the process exits (running the hook above, which closes
        // the engine cleanly) and its supervisor starts a new one, which rejoins with its data
        node.failure().thenAccept(reason -> {
            out.println("ringkv " + config.id() + ": " + reason + "; exiting with status " + NODE_FAILED
                + " so that a supervisor restarts it (its data stays on disk)");
            out.flush();
            status.complete(NODE_FAILED);
        });
        // a decommissioned node's ranges are with the others, which know it left: its process exits
        node.left().thenAccept(message -> {
            out.println("ringkv " + config.id() + ": " + message + "; exiting");
            out.flush();
            status.complete(Launcher.OK);
        });
        synchronized (stopping) {
            if (stopping[0]) {
                // stopped while it was being built: the hook closed it, and the JVM exits once the hook returns
                return awaitUninterruptibly(status);
            }
            node.start(line -> {
                out.println("ringkv " + config.id() + ": " + line);
                out.flush();
            });
        }
        out.printf("ringkv %s: peers on %s, clients on %s:%d (redis-cli -p %d), data in %s (engine %s), %s, %s,"
                + " idle strategy %s%n", config.id(), config.listen(), config.listen().host(), node.clientPort(),
            node.clientPort(), config.dataDirectory().toAbsolutePath(), config.cluster().engine(),
            config.standalone() ? "standalone" : "seeds " + config.seeds(),
            config.cluster().consistency(config.standalone()), config.idle().optionName());
        if (node.httpPort() != NodeConfig.HTTP_OFF) {
            out.printf("ringkv %s: HTTP on %s:%d: the key-value API at /kv/KEY, metrics at /metrics, health at"
                + " /health/ready, the dashboard at http://%s:%d/dashboard/%n", config.id(), config.listen().host(), node.httpPort(),
                config.listen().host(), node.httpPort());
        }
        out.flush();
        return awaitUninterruptibly(status);
    }

    /**
     * @return the node once it is built, or null when building it failed or takes longer than
     *     {@link #BUILD_WAIT_SECONDS} (an engine replaying a long commit log): the process then exits without closing
     *     it, and says what it leaves
     */
    private static RingkvNode awaitBuilt(CompletableFuture<RingkvNode> built, NodeConfig config, PrintStream out) {
        try {
            return built.get(BUILD_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return null;
        } catch (java.util.concurrent.TimeoutException e) {
            out.println("ringkv " + config.id() + ": still starting after " + BUILD_WAIT_SECONDS + " s; exiting"
                + " without closing the engine (the next start replays its commit log) or the media driver (the next"
                + " start with this id and port deletes its directory)");
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static int awaitUninterruptibly(CompletableFuture<Integer> status) {
        boolean interrupted = false;
        while (true) {
            try {
                int result = status.get();
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
                return result;
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (ExecutionException e) {
                throw new IllegalStateException("the node's status cannot fail", e);
            }
        }
    }

    /**
     * Parses a node's command line as the launcher does, with its {@code --config} file.
     *
     * @param args the options after {@code ringkv node}
     * @return the node's settings
     * @throws UsageException when an option or a setting of the file is wrong
     */
    static NodeConfig config(List<String> args) {
        NodeCommand command = new NodeCommand();
        try {
            new CommandLine(command).parseArgs(args.toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
            throw new UsageException(e.getMessage());
        }
        return command.withConfigFile().config();
    }

    /**
     * @return these options over the {@code --config} file's settings: a new command parsed from this one's
     *     command line, with the file's settings as the defaults of the options the command line left out
     * @throws UsageException when the file cannot be read, names an unknown setting or holds a wrong value
     */
    NodeCommand withConfigFile() {
        if (configFile == null) {
            return this;
        }
        Properties file = ConfigFile.load(configFile);
        NodeCommand merged = new NodeCommand();
        CommandLine parser = new CommandLine(merged);
        ConfigFile.rejectUnknown(configFile, file, parser.getCommandSpec());
        parser.setDefaultValueProvider(ConfigFile.defaults(file));
        try {
            parser.parseArgs(ConfigFile.givenOptions(spec.commandLine().getParseResult()).toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
            throw new UsageException("config file " + configFile + ": " + e.getMessage());
        }
        return merged;
    }

    /**
     * @return the node's settings from the options
     * @throws UsageException naming an option whose value is out of its range
     * @throws KvException naming a setting the node refuses
     */
    NodeConfig config() {
        NodeId nodeId = NodeId.of(id);
        int interval = Bounds.check("--gossip-interval-ms", gossipIntervalMillis, 10, 60_000);
        GossipSettings gossip = new GossipSettings(clusterName, interval,
            suspectAfterMillis == null ? 15L * interval : suspectAfterMillis,
            downAfterMillis == null ? 30L * interval : downAfterMillis, failureDetector,
            Bounds.finite("--phi-suspect", phiSuspect), Bounds.finite("--phi-down", phiDown), quarantineMillis,
            Bounds.check("--ready-after-rounds", readyAfterRounds, 0, 100_000));
        return new NodeConfig(nodeId, PeerAddress.parse(listen), NodeConfig.parseSeeds(seeds == null ? "" : seeds),
            dataDirectory == null ? Path.of("data/" + nodeId) : dataDirectory, IdlePreset.parse(idle),
            Bounds.check("--client-port", clientPort, 0, 65_535), zone, rack, gossip,
            new ClusterSettings(Bounds.check("--n", n, 0, 16), Bounds.check("--r", r, 0, 16),
                Bounds.check("--w", w, 0, 16), resolver, engine, Bounds.check("--vnodes", vnodes, 1, 4096),
                Bounds.check("--timeout-ms", timeoutMillis, 1, 600_000)),
            NodeConfig.parseEngineOptions(engineOptions == null ? "" : engineOptions), clientSettings(),
            Bounds.check("--transport-timeout-ms", transportTimeoutMillis,
                (int) TimeUnit.NANOSECONDS.toMillis(TransportConfig.MIN_TIMEOUT_NANOS),
                (int) TimeUnit.NANOSECONDS.toMillis(TransportConfig.MAX_TIMEOUT_NANOS)),
            hintSettings(), Bounds.check("--repair-period-hours", repairPeriodHours, 0, 24 * 365), replaced(replace),
            scalingSettings(), httpPort(), clusterKey());
    }

    private ClusterKey clusterKey() {
        if (clusterKeyFile == null) {
            if (peerEncryption) {
                throw new UsageException("--peer-encryption needs --cluster-key-file: the peer keys are made from it");
            }
            return null;
        }
        ClusterKey key = ClusterKey.load(clusterKeyFile);
        return peerEncryption ? key.encrypting() : key;
    }

    /** @return the HTTP port: as given, or the client port + 2000 (a free one when that is not a port) */
    private int httpPort() {
        if (httpPort != null) {
            return Bounds.check("--http-port", httpPort, NodeConfig.HTTP_OFF, 65_535);
        }
        int derived = clientPort + (NodeConfig.DEFAULT_HTTP_PORT - NodeConfig.DEFAULT_CLIENT_PORT);
        return clientPort == 0 || derived > 65_535 ? 0 : derived;
    }

    private ScalingPolicy.Config scalingSettings() {
        ScalingPolicy.Config defaults = ScalingPolicy.Config.DEFAULT;
        String[] bounds = scaleNodes.split(",", -1);
        if (bounds.length != 2) {
            throw new KvException(ErrorCode.INVALID_CONFIGURATION, "--scale-nodes takes MIN,MAX, was " + scaleNodes);
        }
        int maxSeconds = 7 * 24 * 3600;
        try {
            return new ScalingPolicy.Config(scaleTargetRps, scaleMaxBytes,
                Bounds.check("--scale-nodes", Bounds.integer("--scale-nodes", bounds[0]), 1, 4096),
                Bounds.check("--scale-nodes", Bounds.integer("--scale-nodes", bounds[1]), 1, 4096),
                TimeUnit.SECONDS.toNanos(Bounds.check("--scale-up-after-s", scaleUpAfterSeconds, 0, maxSeconds)),
                TimeUnit.SECONDS.toNanos(Bounds.check("--scale-down-after-s", scaleDownAfterSeconds, 0, maxSeconds)),
                TimeUnit.SECONDS.toNanos(Bounds.check("--scale-cooldown-s", scaleCooldownSeconds, 0, maxSeconds)),
                defaults.headroom());
        } catch (IllegalArgumentException e) {
            throw new KvException(ErrorCode.INVALID_CONFIGURATION, e.getMessage());
        }
    }

    private static NodeId replaced(String id) {
        if (id == null || id.isEmpty()) {
            return null;
        }
        if (!NodeId.isValid(id)) {
            throw new KvException(ErrorCode.INVALID_CONFIGURATION, "--replace takes a node id, not '" + id + "'");
        }
        return NodeId.of(id);
    }

    private HintConfig hintSettings() {
        HintConfig defaults = HintConfig.DEFAULT;
        if (!sloppyQuorum.equals("on") && !sloppyQuorum.equals("off")) {
            throw new KvException(ErrorCode.INVALID_CONFIGURATION, "--sloppy-quorum must be on or off, was "
                + sloppyQuorum);
        }
        return new HintConfig(sloppyQuorum.equals("on"), HintConfig.HintedWrites.named(hintedWrites),
            TimeUnit.MILLISECONDS.toNanos(hintWindowMillis), hintMaxBytesPerNode, hintMaxBytes,
            hintDeliveryBytesPerSecond, defaults.maxInFlight(), defaults.deliveryIntervalNanos());
    }

    private ClientSettings clientSettings() {
        return new ClientSettings(
            Bounds.check("--client-idle-timeout", clientIdleTimeout, 0, ClientSettings.MAX_TIMEOUT_SECONDS),
            Bounds.check("--client-request-timeout", clientRequestTimeout, 0, ClientSettings.MAX_TIMEOUT_SECONDS),
            Bounds.check("--client-max-pending-replies", clientMaxPendingReplies, 1, 1_000_000),
            Bounds.check("--client-max-unsent-bytes", clientMaxUnsentBytes, 16 * 1024, 1024 * 1024 * 1024),
            usersFile, allowUnauthenticated,
            new io.ringkv.node.security.TlsSettings(tlsKeystore, tlsPasswordFile, tlsTruststore,
                io.ringkv.node.security.TlsSettings.ClientAuth.parse(tlsClientAuth)),
            frontDoorOnAgent());
    }

    private boolean frontDoorOnAgent() {
        return switch (frontDoorThread) {
            case "agent" -> true;
            case "own" -> false;
            default -> throw new KvException(ErrorCode.INVALID_CONFIGURATION, "--front-door-thread must be agent or"
                + " own, was " + frontDoorThread);
        };
    }
}
