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
 * directories, prefixes and forwards their output, and stops them all on Ctrl-C.
 */
final class ClusterCommand implements Command {
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
