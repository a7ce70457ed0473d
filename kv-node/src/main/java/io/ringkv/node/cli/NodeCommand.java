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
import io.ringkv.node.transport.TransportConfig;
import jakarta.inject.Inject;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * {@code ringkv node}: starts one node and runs it until SIGINT or SIGTERM, or until the node can no longer serve,
 * when it exits with status {@value #NODE_FAILED} so that a supervisor restarts it.
 */
final class NodeCommand implements Command {
    private static final Set<String> SETTINGS =
        Set.of("config", "id", "listen", "seeds", "data-dir", "idle", "client-port", "zone", "rack", "cluster-name",
            "gossip-interval-ms", "suspect-after-ms", "down-after-ms", "failure-detector", "phi-suspect", "phi-down",
            "quarantine-ms", "ready-after-rounds", "n", "r", "w", "resolver", "engine", "engine-options", "vnodes",
            "timeout-ms", "client-idle-timeout", "client-request-timeout", "client-max-pending-replies",
            "client-max-unsent-bytes", "transport-timeout-ms", "sloppy-quorum", "hinted-writes", "hint-window-ms",
            "hint-max-bytes-per-node", "hint-max-bytes", "hint-delivery-bytes-per-second", "repair-period-hours",
            "replace", "scale-target-rps", "scale-max-bytes", "scale-nodes", "scale-up-after-s", "scale-down-after-s",
            "scale-cooldown-s", "http-port");
    /** The exit status of a node that stopped because it could no longer serve (its transport failed). */
    static final int NODE_FAILED = 3;

    @Inject
    NodeCommand() {
    }

    @Override
    public String summary() {
        return "start a node (a single-node cluster unless --seeds names a cluster to join)";
    }

    @Override
    public String usage() {
        return """
            usage: ringkv node [options]

            Starts one node and runs it until interrupted (Ctrl-C) or sent SIGTERM. With no options it starts a
            single-node cluster listening on 127.0.0.1:7400 with its data in ./data/node1. With --seeds it joins
            (or forms) the cluster those nodes belong to: it gossips with them, picks its tokens, and from then on
            learns every member and its liveness by gossip. Give every node of a cluster the same seed list.

            Every option can also be set in a properties file named with --config, as name = value (for example
            listen = 127.0.0.1:7400); options on the command line win over the file.

            options:
              --config FILE              properties file with any of the options below
              --id ID                    node id (default node1)
              --listen HOST:PORT         UDP address peers reach this node on (default 127.0.0.1:7400)
              --seeds HOST:PORT,...      peer addresses of nodes to join through (default none: standalone);
                                         may include this node's own --listen address
              --data-dir DIR             data directory (default ./data/<id>)
              --idle PRESET              adaptive, backoff, sleeping or busy-spin (default adaptive)
              --client-port P            Redis-protocol port on the listen host (default 7379)
              --http-port P              HTTP port on the listen host: the dashboard (/dashboard/), /metrics,
                                         /health, /api/cluster (default 9379; 0 picks a free port, -1: none)
              --zone Z / --rack R        the node's failure domain (default zone1 / rack1); replicas spread
                                         over distinct racks
              --cluster-name NAME        nodes gossip only within one cluster name (default ringkv)
              --gossip-interval-ms MS    time between gossip rounds, 10-60000 (default 1000)
              --suspect-after-ms MS      silence before a peer is SUSPECT (default 15 gossip intervals)
              --down-after-ms MS         silence before a peer is DOWN (default 30 gossip intervals)
              --failure-detector NAME    fixed (the two timeouts, default) or phi (phi accrual)
              --phi-suspect X / --phi-down Y  phi thresholds of the phi detector (default 5 / 8)
              --quarantine-ms MS         how long a removed node's state spreads before it is forgotten
                                         (default 3600000)
              --ready-after-rounds R     a starting node answers clients LOADING until it has exchanged
                                         gossip with a peer, or for at most R gossip rounds (default 10)
              --n N / --r R / --w W      replication factor and default quorums (default: N = 3 with seeds,
                                         1 without; R = W = a majority of N); clients override per connection
              --resolver NAME            vector-clock (siblings, default) or lww (last write wins)
              --engine NAME              storage engine: lsm (default), rocksdb or memory (keeps nothing
                                         across restarts)
              --engine-options K=V,...   engine settings, e.g. sync=always,memtable-bytes=16777216 for lsm
                                         (see the README's storage section)
              --vnodes T                 virtual nodes per node (default 16); the same on every node
              --timeout-ms MS            how long a coordinator waits for replies (default 1000)
              --client-idle-timeout S    close a client connection silent this many seconds (default 0:
                                         never, as Redis' timeout)
              --client-request-timeout S close a connection whose request is still incomplete this many
                                         seconds after its first bytes (default 30; 0: never)
              --client-max-pending-replies N  a connection's requests in flight before the node stops
                                         reading from it until they are answered and read (default 1024)
              --client-max-unsent-bytes B  reply bytes a client has not read before the node stops reading
                                         from it (default 1048576)
              --sloppy-quorum on|off     a write's DOWN replicas are replaced by the next healthy nodes, which
                                         keep hints for them (default on)
              --hinted-writes MODE       count (a substitute's durable hint counts toward W, Dynamo's sloppy
                                         quorum, default) or strict (only the key's own replicas count)
              --hint-window-ms MS        a replica down longer gets no new hints (default 10800000, 3 h)
              --hint-max-bytes-per-node B  hint bytes kept for one replica (default 268435456)
              --hint-max-bytes B         hint bytes kept in all (default 1073741824)
              --hint-delivery-bytes-per-second B  pace of handing hints to a returning replica (default
                                         4194304)
              --repair-period-hours H    hours from the end of one background repair pass to the start of the
                                         next (default 24; 0: only on demand, ringkv repair)
              --replace ID               join in place of node ID, which must be DOWN: take its tokens, stream
                                         its ranges from the other replicas, then remove it from the ring
              --scale-target-rps R       autoscaling: client requests per second one node should serve on
                                         average (default 10000); INFO autoscale recommends a node count
              --scale-max-bytes B        autoscaling: data one node should hold at most (default 0: no limit)
              --scale-nodes MIN,MAX      autoscaling: bounds of the recommended node count (default 1,64)
              --scale-up-after-s S       recommend more nodes after traffic stayed above target S seconds
                                         (default 60)
              --scale-down-after-s S     recommend fewer after it stayed low S seconds, leaving the remaining
                                         nodes at 70 % of the target at most (default 300)
              --scale-cooldown-s S       hold for S seconds after the membership changed (default 300)
              --transport-timeout-ms MS  how long the node may be stopped (a long GC pause, SIGSTOP, a frozen VM
                                         or container) and serve on when it resumes, 2000-86400000 (default
                                         600000); a node stopped longer exits with status 3 and a message saying
                                         so, for its supervisor to restart it (its data stays on disk)

            Exit status: 0 after SIGINT or SIGTERM, 1 when the node cannot start, 3 when it stopped because it
            could no longer serve.
            """;
    }

    @Override
    public int run(Options options, PrintStream out, PrintStream err) {
        NodeConfig config = config(options);
        RingkvNode node = NodeComponent.of(config).node();
        CompletableFuture<Integer> status = new CompletableFuture<>();
        // SIGINT and SIGTERM run the shutdown hooks: stop the agent, close the transport, then let the JVM exit
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            out.println("ringkv " + config.id() + ": stopping");
            node.close();
            out.println("ringkv " + config.id() + ": stopped");
            out.flush();
            status.complete(Launcher.OK);
        }, "ringkv-shutdown"));
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
        node.start(line -> {
            out.println("ringkv " + config.id() + ": " + line);
            out.flush();
        });
        out.printf("ringkv %s: peers on %s, clients on %s:%d (redis-cli -p %d), %s, data in %s (engine %s), %s, %s,"
                + " idle strategy %s%n", config.id(), config.listen(), config.listen().host(), node.clientPort(),
            node.clientPort(), node.httpPort() == NodeConfig.HTTP_OFF ? "no HTTP" : "dashboard on http://"
                + config.listen().host() + ":" + node.httpPort() + "/dashboard/",
            config.dataDirectory().toAbsolutePath(), config.cluster().engine(),
            config.standalone() ? "standalone" : "seeds " + config.seeds(),
            config.cluster().consistency(config.standalone()), config.idle().optionName());
        out.flush();
        return awaitUninterruptibly(status);
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
     * Reads the node's settings: the command line, then the {@code --config} properties file for whatever the
     * command line left out, then the defaults.
     */
    static NodeConfig config(Options commandLine) {
        Options options = commandLine;
        String file = commandLine.text("config", null);
        if (file != null) {
            options = commandLine.withDefaultsFrom(Path.of(file));
        }
        options.rejectUnknown(SETTINGS);
        NodeId id = NodeId.of(options.text("id", NodeConfig.DEFAULT_ID));
        GossipSettings defaults = GossipSettings.DEFAULT;
        int interval = options.integer("gossip-interval-ms", (int) defaults.intervalMillis(), 10, 60_000);
        GossipSettings gossip = new GossipSettings(options.text("cluster-name", defaults.clusterName()), interval,
            options.longValue("suspect-after-ms", 15L * interval), options.longValue("down-after-ms", 30L * interval),
            options.text("failure-detector", defaults.detector()),
            options.decimal("phi-suspect", defaults.phiSuspect()), options.decimal("phi-down", defaults.phiDown()),
            options.longValue("quarantine-ms", defaults.quarantineMillis()),
            options.integer("ready-after-rounds", defaults.readyAfterRounds(), 0, 100_000));
        return new NodeConfig(id,
            PeerAddress.parse(options.text("listen", NodeConfig.DEFAULT_LISTEN)),
            NodeConfig.parseSeeds(options.text("seeds", "")),
            Path.of(options.text("data-dir", "data/" + id)),
            IdlePreset.parse(options.text("idle", IdlePreset.ADAPTIVE.optionName())),
            options.integer("client-port", NodeConfig.DEFAULT_CLIENT_PORT, 0, 65_535),
            options.text("zone", Node.DEFAULT_ZONE), options.text("rack", Node.DEFAULT_RACK), gossip,
            new ClusterSettings(options.integer("n", 0, 0, 16), options.integer("r", 0, 0, 16),
                options.integer("w", 0, 0, 16), options.text("resolver", ClusterSettings.DEFAULT.resolver()),
                options.text("engine", ClusterSettings.DEFAULT.engine()),
                options.integer("vnodes", ClusterSettings.DEFAULT.vnodes(), 1, 4096),
                options.integer("timeout-ms", 1000, 1, 600_000)),
            NodeConfig.parseEngineOptions(options.text("engine-options", "")),
            clientSettings(options),
            options.integer("transport-timeout-ms", (int) NodeConfig.DEFAULT_TRANSPORT_TIMEOUT_MILLIS,
                (int) TimeUnit.NANOSECONDS.toMillis(TransportConfig.MIN_TIMEOUT_NANOS),
                (int) TimeUnit.NANOSECONDS.toMillis(TransportConfig.MAX_TIMEOUT_NANOS)),
            hintSettings(options),
            options.integer("repair-period-hours", (int) NodeConfig.DEFAULT_REPAIR_PERIOD_HOURS, 0, 24 * 365),
            replaced(options.text("replace", "")),
            scalingSettings(options))
            .withHttpPort(options.integer("http-port", NodeConfig.DEFAULT_HTTP_PORT, NodeConfig.HTTP_OFF, 65_535));
    }

    private static ScalingPolicy.Config scalingSettings(Options options) {
        ScalingPolicy.Config defaults = ScalingPolicy.Config.DEFAULT;
        List<Integer> bounds = options.integers("scale-nodes", List.of(defaults.minNodes(), defaults.maxNodes()), 1,
            4096);
        if (bounds.size() != 2) {
            throw new KvException(ErrorCode.INVALID_CONFIGURATION, "--scale-nodes takes MIN,MAX, was "
                + options.text("scale-nodes", ""));
        }
        int maxSeconds = 7 * 24 * 3600;
        try {
            return new ScalingPolicy.Config(options.decimal("scale-target-rps", defaults.targetPerNode()),
                options.longValue("scale-max-bytes", defaults.maxBytesPerNode()), bounds.get(0), bounds.get(1),
                TimeUnit.SECONDS.toNanos(options.integer("scale-up-after-s",
                    (int) TimeUnit.NANOSECONDS.toSeconds(defaults.upAfterNanos()), 0, maxSeconds)),
                TimeUnit.SECONDS.toNanos(options.integer("scale-down-after-s",
                    (int) TimeUnit.NANOSECONDS.toSeconds(defaults.downAfterNanos()), 0, maxSeconds)),
                TimeUnit.SECONDS.toNanos(options.integer("scale-cooldown-s",
                    (int) TimeUnit.NANOSECONDS.toSeconds(defaults.coolDownNanos()), 0, maxSeconds)),
                defaults.headroom());
        } catch (IllegalArgumentException e) {
            throw new KvException(ErrorCode.INVALID_CONFIGURATION, e.getMessage());
        }
    }

    private static NodeId replaced(String id) {
        if (id.isEmpty()) {
            return null;
        }
        if (!NodeId.isValid(id)) {
            throw new KvException(ErrorCode.INVALID_CONFIGURATION, "--replace takes a node id, not '" + id + "'");
        }
        return NodeId.of(id);
    }

    private static HintConfig hintSettings(Options options) {
        HintConfig defaults = HintConfig.DEFAULT;
        String sloppy = options.text("sloppy-quorum", "on");
        if (!sloppy.equals("on") && !sloppy.equals("off")) {
            throw new KvException(ErrorCode.INVALID_CONFIGURATION, "--sloppy-quorum must be on or off, was " + sloppy);
        }
        return new HintConfig(sloppy.equals("on"),
            HintConfig.HintedWrites.named(options.text("hinted-writes", defaults.hintedWrites().configName())),
            TimeUnit.MILLISECONDS.toNanos(options.longValue("hint-window-ms",
                TimeUnit.NANOSECONDS.toMillis(defaults.windowNanos()))),
            options.longValue("hint-max-bytes-per-node", defaults.maxBytesPerTarget()),
            options.longValue("hint-max-bytes", defaults.maxBytesTotal()),
            options.longValue("hint-delivery-bytes-per-second", defaults.deliveryBytesPerSecond()),
            defaults.maxInFlight(), defaults.deliveryIntervalNanos());
    }

    private static ClientSettings clientSettings(Options options) {
        ClientSettings defaults = ClientSettings.DEFAULT;
        return new ClientSettings(
            options.integer("client-idle-timeout", defaults.idleTimeoutSeconds(), 0, ClientSettings.MAX_TIMEOUT_SECONDS),
            options.integer("client-request-timeout", defaults.requestTimeoutSeconds(), 0,
                ClientSettings.MAX_TIMEOUT_SECONDS),
            options.integer("client-max-pending-replies", defaults.maxPendingReplies(), 1, 1_000_000),
            options.integer("client-max-unsent-bytes", defaults.maxUnsentReplyBytes(), 16 * 1024, 1024 * 1024 * 1024));
    }
}
