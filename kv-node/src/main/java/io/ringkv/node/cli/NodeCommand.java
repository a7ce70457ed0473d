package io.ringkv.node.cli;

import io.ringkv.api.NodeId;
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

            options:
              --id ID                    node id (default node1)
              --listen HOST:PORT         UDP address peers reach this node on (default 127.0.0.1:7400)
              --peers ID=HOST:PORT,...   the other nodes (default none)
              --data-dir DIR             data directory (default ./data/<id>)
              --idle PRESET              adaptive, backoff, sleeping or busy-spin (default adaptive)
              --probe-interval-ms MS     liveness ping interval, 10-60000 (default 1000)
              --probe-misses N           unanswered intervals before a peer is unreachable (default 3)
            """;
    }

    @Override
    public int run(Options options, PrintStream out, PrintStream err) {
        options.rejectUnknown(Set.of("id", "listen", "peers", "data-dir", "idle", "probe-interval-ms", "probe-misses"));
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
        out.printf("ringkv %s: listening on %s, data in %s, %d peer(s), idle strategy %s%n", config.id(),
            config.listen(), config.dataDirectory().toAbsolutePath(), config.peers().size(),
            config.idle().optionName());
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

    static NodeConfig config(Options options) {
        NodeId id = NodeId.of(options.text("id", NodeConfig.DEFAULT_ID));
        return new NodeConfig(id,
            PeerAddress.parse(options.text("listen", NodeConfig.DEFAULT_LISTEN)),
            NodeConfig.parsePeers(options.text("peers", "")),
            Path.of(options.text("data-dir", "data/" + id)),
            IdlePreset.parse(options.text("idle", IdlePreset.ADAPTIVE.optionName())),
            options.integer("probe-interval-ms", 1000, 10, 60_000),
            options.integer("probe-misses", 3, 1, 100));
    }
}
