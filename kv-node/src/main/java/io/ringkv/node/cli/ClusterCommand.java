package io.ringkv.node.cli;

import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code ringkv cluster}: starts a local cluster of node processes on 127.0.0.1 with distinct ports and data
 * directories, prefixes and forwards their output, says when the cluster is ready (every node serves and routes by
 * a ring of all of them, each alive), and stops them all on Ctrl-C.
 */
final class ClusterCommand implements Command {
    private static final long READY_POLL_MILLIS = 250;
    /** After this long without being ready the command says which nodes are not, and keeps watching. */
    private static final long READY_WARNING_MILLIS = 120_000;

    @Inject
    ClusterCommand() {
    }

    @Override
    public String summary() {
        return "start a local cluster of node processes on 127.0.0.1";
    }

    @Override
    public String usage() {
        return """
            usage: ringkv cluster [options]

            Starts --nodes node processes on 127.0.0.1: node i listens for peers on --base-port + i and keeps its
            data in DIR/node<i>. Every node is given the first three nodes as seeds and joins by gossip.
            Once every node serves clients and routes by a ring of all N nodes, each judged alive, it prints
            "ringkv cluster: cluster ready"; a write at consistency ALL succeeds from then on.
            Ctrl-C (or SIGTERM) stops them all.

            options:
              --nodes N           how many nodes, 1-9 (default 3)
              --base-port P       peer port of node i is P + i (default 7400)
              --base-client-port C  client (Redis-protocol) port of node i is C + i - 1 (default 7379)
              --data-dir DIR      parent of the nodes' data directories (default ./data)
              --idle PRESET       idle strategy of every node (default adaptive)
            """;
    }

    @Override
    public int run(Options options, PrintStream out, PrintStream err) {
        options.rejectUnknown(Set.of("nodes", "base-port", "base-client-port", "data-dir", "idle"));
        int nodes = options.integer("nodes", 3, 1, 9);
        int basePort = options.integer("base-port", 7400, 1024, 65_000);
        int baseClientPort = options.integer("base-client-port", 7379, 1024, 65_000);
        Path dataDirectory = Path.of(options.text("data-dir", "data"));
        String idle = options.text("idle", "adaptive");
        List<Process> processes = new ArrayList<>();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopAll(processes, out);
            stopped.countDown();
        }, "ringkv-cluster-shutdown"));
        for (int i = 1; i <= nodes; i++) {
            processes.add(start(i, nodes, basePort, baseClientPort + i - 1, dataDirectory, idle, out));
        }
        out.printf("ringkv cluster: %d nodes on 127.0.0.1, peer ports %d-%d, data under %s; Ctrl-C stops them%n",
            nodes, basePort + 1, basePort + nodes, dataDirectory.toAbsolutePath());
        out.printf("ringkv cluster: connect with redis-cli -p %d (any of ports %d-%d; every node coordinates)%n",
            baseClientPort, baseClientPort, baseClientPort + nodes - 1);
        out.flush();
        Thread.ofPlatform().daemon().name("ringkv-cluster-ready").start(() ->
            watchReadiness(processes, baseClientPort, out));
        for (Process process : processes) {
            try {
                process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        err.println("ringkv cluster: every node has exited");
        return Launcher.FAILED;
    }

    private static Process start(int index, int nodes, int basePort, int clientPort, Path dataDirectory, String idle,
                                 PrintStream out) {
        List<String> seeds = new ArrayList<>();
        for (int j = 1; j <= Math.min(3, nodes); j++) {
            seeds.add("127.0.0.1:" + (basePort + j));
        }
        List<String> command = new ArrayList<>(javaCommand());
        command.addAll(List.of("node", "--id", "node" + index, "--listen", "127.0.0.1:" + (basePort + index),
            "--client-port", Integer.toString(clientPort),
            "--data-dir", dataDirectory.resolve("node" + index).toString(), "--idle", idle));
        if (nodes > 1) {
            command.addAll(List.of("--seeds", String.join(",", seeds)));
        }
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            Thread.ofPlatform().daemon().name("output-of-node" + index).start(() -> forward(process, out));
            return process;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start node" + index, e);
        }
    }

    /**
     * Asks every node for {@code INFO cluster} until each serves clients (not loading), routes by a ring of all
     * the nodes and judges all of them alive; then prints the ready line. Gives up when a node process exits.
     */
    private static void watchReadiness(List<Process> processes, int baseClientPort, PrintStream out) {
        long started = System.nanoTime();
        boolean warned = false;
        while (processes.stream().allMatch(Process::isAlive)) {
            List<String> notReady = notReady(processes.size(), baseClientPort);
            long elapsedMillis = (System.nanoTime() - started) / 1_000_000;
            if (notReady.isEmpty()) {
                out.printf("ringkv cluster: cluster ready: all %d nodes serve clients, each with all %d in its ring"
                    + " and alive (after %.1f s)%n", processes.size(), processes.size(), elapsedMillis / 1000.0);
                out.flush();
                return;
            }
            if (!warned && elapsedMillis > READY_WARNING_MILLIS) {
                warned = true;
                out.println("ringkv cluster: not ready after " + elapsedMillis / 1000 + " s: "
                    + String.join("; ", notReady) + " (still watching)");
                out.flush();
            }
            try {
                Thread.sleep(READY_POLL_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** @return one line per node that is not ready yet, saying why; empty when all are */
    private static List<String> notReady(int nodes, int baseClientPort) {
        List<String> notReady = new ArrayList<>();
        for (int i = 1; i <= nodes; i++) {
            String name = "node" + i;
            try {
                AdminClient.Reply reply = AdminClient.call("127.0.0.1", baseClientPort + i - 1,
                    List.of("INFO", "cluster"));
                ClusterInfo info = ClusterInfo.parse(reply.text());
                if (reply.error()) {
                    notReady.add(name + " answered " + reply.text());
                } else if (info.loading()) {
                    notReady.add(name + " is loading (" + info.field("loading_reason", "?") + ")");
                } else if (info.ringNodes() != nodes) {
                    notReady.add(name + " routes by a ring of " + info.ringNodes() + " node(s)");
                } else if (info.aliveNodes() != nodes) {
                    notReady.add(name + " judges " + info.aliveNodes() + " of " + nodes + " nodes alive");
                }
            } catch (IOException | RuntimeException e) {
                notReady.add(name + " does not answer on its client port yet");
            }
        }
        return notReady;
    }

    /** The command that started this JVM, pointed at the launcher again. */
    private static List<String> javaCommand() {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("--add-exports");
        command.add("java.base/jdk.internal.misc=org.agrona");
        String modulePath = System.getProperty("jdk.module.path");
        if (modulePath != null) {
            command.addAll(List.of("--module-path", modulePath, "-m", "io.ringkv.node/io.ringkv.node.Main"));
        } else {
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.ringkv.node.Main"));
        }
        return command;
    }

    private static void forward(Process process, PrintStream out) {
        try (BufferedReader reader = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                out.println(line);
                out.flush();
            }
        } catch (IOException e) {
            // the process is gone; its exit is reported by run()
        }
    }

    private static void stopAll(List<Process> processes, PrintStream out) {
        out.println("ringkv cluster: stopping " + processes.size() + " nodes");
        processes.forEach(Process::destroy);
        for (Process process : processes) {
            try {
                if (!process.waitFor(15, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
        out.flush();
    }
}
