package io.ringkv.node.cli;

import io.ringkv.api.NodeId;
import io.ringkv.node.ClusterSettings;
import io.ringkv.node.NodeComponent;
import io.ringkv.node.NodeConfig;
import io.ringkv.node.RingkvNode;
import io.ringkv.node.runtime.IdlePreset;
import io.ringkv.node.transport.PeerAddress;
import jakarta.inject.Inject;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/** {@code ringkv node}: starts one node and runs it until SIGINT or SIGTERM. */
final class NodeCommand implements Command {
    private static final Set<String> SETTINGS =
        Set.of("config", "id", "listen", "peers", "data-dir", "idle", "probe-interval-ms", "probe-misses",
            "client-port", "n", "r", "w", "resolver", "engine", "vnodes", "ring-seed", "timeout-ms");

    @Inject
    NodeCommand() {
    }

    @Override
    public String summary() {
        return "start a node (a single-node cluster unless --peers names others)";
    }

    @Override
    public String usage() {
        return """
            usage: ringkv node [options]

            Starts one node and runs it until interrupted (Ctrl-C) or sent SIGTERM. With no options it starts a
            single-node cluster listening on 127.0.0.1:7400 with its data in ./data/node1.

            Every option can also be set in a properties file named with --config, as name = value (for example
            listen = 127.0.0.1:7400); options on the command line win over the file.

            options:
              --config FILE              properties file with any of the options below
              --id ID                    node id (default node1)
              --listen HOST:PORT         UDP address peers reach this node on (default 127.0.0.1:7400)
              --peers ID=HOST:PORT,...   the other nodes (default none)
              --data-dir DIR             data directory (default ./data/<id>)
              --idle PRESET              adaptive, backoff, sleeping or busy-spin (default adaptive)
              --probe-interval-ms MS     liveness ping interval, 10-60000 (default 1000)
              --probe-misses N           unanswered intervals before a peer is unreachable (default 3)
              --client-port P            Redis-protocol port on the listen host (default 7379)
              --n N / --r R / --w W      replication factor and default quorums (default: N = min(3, nodes),
                                         R = W = a majority of N); clients override per connection
              --resolver NAME            vector-clock (siblings, default) or lww (last write wins)
              --engine NAME              storage engine (default memory)
              --vnodes T                 virtual nodes per node (default 16); the same on every node
              --ring-seed S              seed of the token allocation (default 1); the same on every node
              --timeout-ms MS            how long a coordinator waits for replies (default 1000)
            """;
    }

    @Override
    public int run(Options options, PrintStream out, PrintStream err) {
        NodeConfig config = config(options);
        RingkvNode node = NodeComponent.of(config).node();
        CountDownLatch stopped = new CountDownLatch(1);
        // SIGINT and SIGTERM run the shutdown hooks: stop the agent, close the transport, then let the JVM exit
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            out.println("ringkv " + config.id() + ": stopping");
            node.close();
            out.println("ringkv " + config.id() + ": stopped");
            out.flush();
            stopped.countDown();
        }, "ringkv-shutdown"));
        node.start(line -> {
            out.println("ringkv " + config.id() + ": " + line);
            out.flush();
        });
        out.printf("ringkv %s: peers on %s, clients on %s:%d (redis-cli -p %d), data in %s, %d peer(s), %s,"
                + " idle strategy %s%n", config.id(), config.listen(), config.listen().host(), node.clientPort(),
            node.clientPort(), config.dataDirectory().toAbsolutePath(), config.peers().size(),
            config.cluster().consistency(config.clusterSize()), config.idle().optionName());
        out.flush();
        awaitUninterruptibly(stopped);
        return Launcher.OK;
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        while (latch.getCount() > 0) {
            try {
                latch.await();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
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
        return new NodeConfig(id,
            PeerAddress.parse(options.text("listen", NodeConfig.DEFAULT_LISTEN)),
            NodeConfig.parsePeers(options.text("peers", "")),
            Path.of(options.text("data-dir", "data/" + id)),
            IdlePreset.parse(options.text("idle", IdlePreset.ADAPTIVE.optionName())),
            options.integer("probe-interval-ms", 1000, 10, 60_000),
            options.integer("probe-misses", 3, 1, 100),
            options.integer("client-port", NodeConfig.DEFAULT_CLIENT_PORT, 0, 65_535),
            new ClusterSettings(options.integer("n", 0, 0, 16), options.integer("r", 0, 0, 16),
                options.integer("w", 0, 0, 16), options.text("resolver", ClusterSettings.DEFAULT.resolver()),
                options.text("engine", ClusterSettings.DEFAULT.engine()),
                options.integer("vnodes", ClusterSettings.DEFAULT.vnodes(), 1, 4096),
                options.longValue("ring-seed", ClusterSettings.DEFAULT.ringSeed()),
                options.integer("timeout-ms", 1000, 1, 600_000)));
    }
}
