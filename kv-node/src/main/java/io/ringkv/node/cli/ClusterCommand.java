package io.ringkv.node.cli;

import io.ringkv.node.NodeConfig;

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
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;

/**
 * {@code ringkv cluster}: starts a local cluster of node processes on 127.0.0.1 with distinct ports and data
 * directories, prefixes and forwards their output, says when the cluster is ready (every node serves and routes by
 * a ring of all of them, each alive), and stops them all on Ctrl-C. With {@code --autoscale MIN,MAX} an
 * {@link Autoscaler} starts and decommissions node processes as the nodes' scaling policy recommends.
 */
@CommandLine.Command(name = "cluster",
    description = {"Start a local cluster of node processes on 127.0.0.1.",
        "Starts --nodes node processes on 127.0.0.1: node i listens for peers on --base-port + i and keeps its data"
            + " in DIR/node<i>. Every node is given the first three nodes as seeds and joins by gossip. Once every"
            + " node serves clients and routes by a ring of all N nodes, each judged alive, it prints \"ringkv"
            + " cluster: cluster ready\"; a write at consistency ALL succeeds from then on. Ctrl-C (or SIGTERM) stops"
            + " them all."})
final class ClusterCommand implements Command {
    private static final long READY_POLL_MILLIS = 250;
    /** Node indexes are one digit: ids node1-node9, ports base + 1-9. */
    private static final int MAX_NODES = 9;
    /** How often the cluster looks for nodes holding leftovers to clean up (without the autoscaler). */
    private static final long CLEANUP_LOOK_MILLIS = 5_000;
    /** After this long without being ready the command says which nodes are not, and keeps watching. */
    private static final long READY_WARNING_MILLIS = 120_000;

    @CommandLine.Option(names = "--nodes", paramLabel = "N",
        description = "how many nodes, 1-9 (default 3; with --autoscale, MIN)")
    Integer nodeCount;

    @CommandLine.Option(names = "--base-port", paramLabel = "P", defaultValue = "7400",
        description = "peer port of node i is P + i")
    int basePort;

    @CommandLine.Option(names = "--base-client-port", paramLabel = "C", defaultValue = "7379",
        description = "client (Redis-protocol) port of node i is C + i - 1")
    int baseClientPort;

    @CommandLine.Option(names = "--base-http-port", paramLabel = "H", description = "HTTP port (/metrics, /health,"
        + " the dashboard) of node i is H + i - 1 (1024-65000), or -1 for none (default: the base client port + 2000, so 9379)")
    Integer baseHttpPort;

    @CommandLine.Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "data",
        description = "parent of the nodes' data directories")
    Path dataDirectory;

    @CommandLine.Option(names = "--idle", paramLabel = "PRESET", defaultValue = "adaptive",
        description = "idle strategy of every node: adaptive, backoff, sleeping or busy-spin")
    String idle;

    @CommandLine.Option(names = "--autoscale", paramLabel = "MIN,MAX", split = ",",
        description = "follow the nodes' recommended size (INFO autoscale): start a node when traffic stays above"
            + " --scale-target-rps per node, decommission the newest when it stays low; never fewer than MIN or more"
            + " than MAX (1-9) processes. A node started again begins with an empty data directory; a slot whose"
            + " DIR/node<i> an earlier run left is not used (its data is never deleted). (default: off)")
    List<Integer> autoscaleBounds;

    @CommandLine.Option(names = "--scale-target-rps", paramLabel = "R",
        description = "the scaling policy of every node (default: the node's; see ringkv node --help)")
    String scaleTargetRps;

    @CommandLine.Option(names = "--scale-up-after-s", paramLabel = "S", description = "the same for every node (default: the node's)")
    String scaleUpAfter;

    @CommandLine.Option(names = "--scale-down-after-s", paramLabel = "S", description = "the same for every node (default: the node's)")
    String scaleDownAfter;

    @CommandLine.Option(names = "--scale-cooldown-s", paramLabel = "S", description = "the same for every node (default: the node's)")
    String scaleCooldown;

    @CommandLine.Option(names = "--cluster-key-file", paramLabel = "FILE", description = "every node's cluster key"
        + " (ringkv cluster-key generate --out FILE makes one): datagrams between the nodes are authenticated"
        + " (default: none, and each node warns)")
    String clusterKeyFile;

    @CommandLine.Option(names = "--peer-encryption", description = "every node also encrypts its datagrams to the"
        + " others (needs --cluster-key-file)")
    boolean peerEncryption;

    @Inject
    ClusterCommand() {
    }

    @Override
    public int run(PrintStream out, PrintStream err) {
        List<Integer> bounds = autoscaleBounds == null ? List.of() : Bounds.check("--autoscale", autoscaleBounds, 1,
            MAX_NODES);
        if (!bounds.isEmpty() && (bounds.size() != 2 || bounds.get(0) > bounds.get(1))) {
            throw new UsageException("--autoscale takes MIN,MAX with 1 <= MIN <= MAX <= " + MAX_NODES);
        }
        boolean autoscale = !bounds.isEmpty();
        int nodes = autoscale
            ? Bounds.check("--nodes", nodeCount == null ? bounds.get(0) : nodeCount, bounds.get(0), bounds.get(1))
            : Bounds.check("--nodes", nodeCount == null ? 3 : nodeCount, 1, MAX_NODES);
        Bounds.check("--base-port", basePort, 1024, 65_000);
        Bounds.check("--base-client-port", baseClientPort, 1024, 65_000);
        List<String> nodeOptions = new ArrayList<>(List.of("--idle", idle));
        passOn(nodeOptions, "--scale-target-rps", scaleTargetRps);
        passOn(nodeOptions, "--scale-up-after-s", scaleUpAfter);
        passOn(nodeOptions, "--scale-down-after-s", scaleDownAfter);
        passOn(nodeOptions, "--scale-cooldown-s", scaleCooldown);
        passOn(nodeOptions, "--cluster-key-file", clusterKeyFile);
        if (peerEncryption) {
            nodeOptions.add("--peer-encryption");
        }
        if (autoscale) {
            // N cannot exceed the fewest nodes the cluster may shrink to, or writes would fail at that size
            nodeOptions.addAll(List.of("--scale-nodes", bounds.get(0) + "," + bounds.get(1),
                "--n", Integer.toString(Math.min(3, bounds.get(0)))));
        }
        int httpShift = NodeConfig.DEFAULT_HTTP_PORT - NodeConfig.DEFAULT_CLIENT_PORT;
        int httpBase = baseHttpPort == null ? baseClientPort + httpShift : baseHttpPort;
        if (httpBase != NodeConfig.HTTP_OFF) {
            Bounds.check("--base-http-port", httpBase, 1024, 65_000);
        }
        if (httpBase != NodeConfig.HTTP_OFF && httpBase + nodes > 65_535) {
            throw new UsageException("--base-http-port " + httpBase + " leaves no port for node" + nodes);
        }
        LocalNodes local = new LocalNodes(basePort, baseClientPort, httpBase, dataDirectory, nodeOptions, out);
        Autoscaler autoscaler = autoscale ? new Autoscaler(local, bounds.get(0), bounds.get(1), out) : null;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (autoscaler != null) {
                autoscaler.stop();
            }
            local.stopAll();
        }, "ringkv-cluster-shutdown"));
        List<Integer> slots = new ArrayList<>();
        for (int i = 1; i <= nodes; i++) {
            // an autoscaled cluster of one still has seeds: the nodes it adds join through them
            local.start(i, autoscale || nodes > 1);
            slots.add(i);
        }
        if (autoscale) {
            // an earlier run grew the cluster: the nodes it added are members (their peers remember them), and left
            // out they would stay DOWN in every ring, holding the autoscaler and writes of their ranges; one that
            // left (no tokens) is not started, and the slots it may have skipped are looked at too
            for (int i = nodes + 1; i <= MAX_NODES; i++) {
                if (io.ringkv.node.membership.NodeState.holdsTokens(dataDirectory.resolve("node" + i))) {
                    out.println("ringkv cluster: starting node" + i + " again on an earlier run's data (a member)");
                    local.start(i, true);
                    slots.add(i);
                }
            }
        }
        int total = slots.getLast();
        out.printf("ringkv cluster: %d nodes on 127.0.0.1, peer ports %d-%d, data under %s; Ctrl-C stops them%n",
            slots.size(), basePort + 1, basePort + total, dataDirectory.toAbsolutePath());
        out.printf("ringkv cluster: connect with redis-cli -p %d (any of ports %d-%d; every node coordinates)%n",
            baseClientPort, baseClientPort, baseClientPort + total - 1);
        if (httpBase != NodeConfig.HTTP_OFF) {
            out.printf("ringkv cluster: the dashboard at http://127.0.0.1:%d/dashboard/ (metrics and health of node i"
                + " on HTTP port %d + i - 1)%n", httpBase, httpBase);
        }
        out.flush();
        if (autoscaler != null) {
            out.printf("ringkv cluster: autoscaling between %d and %d nodes on the nodes' recommendation (INFO"
                + " autoscale)%n", bounds.get(0), bounds.get(1));
            if (bounds.get(0) < 3) {
                out.printf("ringkv cluster: every key has %d cop%s (N is the smallest size, %d, so that writes at"
                    + " QUORUM work at that size), whatever the size: a node lost loses what only it held; an"
                    + " --autoscale MIN of 3 keeps three copies%n", bounds.get(0), bounds.get(0) == 1 ? "y" : "ies",
                    bounds.get(0));
            }
            Thread.ofPlatform().daemon().name("ringkv-autoscaler").start(autoscaler);
        }
        Thread.ofPlatform().daemon().name("ringkv-cluster-ready").start(() ->
            watchReadiness(local, slots, baseClientPort, out));
        if (autoscaler == null) {
            // the autoscaler cleans up between its steps; without it, a cluster formed past N nodes, whose first
            // nodes each lost ranges to the later joins, is cleaned up here
            Thread.ofPlatform().daemon().name("ringkv-cleanups").start(() -> cleanUpLeftovers(local, out));
        }
        local.awaitAllExited();
        err.println("ringkv cluster: every node has exited");
        return Launcher.FAILED;
    }

    /** Looks for nodes holding leftovers every few seconds, and runs their cleanup, until the command stops. */
    private static void cleanUpLeftovers(LocalNodes local, PrintStream out) {
        LeftoverCleanups cleanups = new LeftoverCleanups(local, line -> {
            out.println("ringkv cluster: " + line);
            out.flush();
        });
        while (true) {
            try {
                Thread.sleep(CLEANUP_LOOK_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            cleanups.step();
        }
    }

    /** Adds {@code option value} to every node's command line when the option was given. */
    private static void passOn(List<String> nodeOptions, String option, String value) {
        if (value != null && !value.isEmpty()) {
            nodeOptions.addAll(List.of(option, value));
        }
    }

    /**
     * The node processes of the cluster, one slot per index 1-9; safe from any thread. It empties a node's data
     * directory only for a slot it started itself in this run (a node that left), never one an earlier run or
     * another cluster left under DIR, and it starts nothing once {@link #stopAll} ran (a step of the autoscaler
     * under way then must not leave a process behind).
     */
    static final class LocalNodes implements Autoscaler.Nodes {
        /** Starts a process for a command (a seam for tests). */
        interface Starter {
            Process start(List<String> command) throws IOException;
        }

        private final int basePort;
        private final int baseClientPort;
        private final int baseHttpPort;
        private final Path dataDirectory;
        private final List<String> nodeOptions;
        private final PrintStream out;
        private final Process[] slots = new Process[MAX_NODES + 1];
        private final Starter starter;
        private boolean stopped;

        /** @param baseHttpPort node i's HTTP port is this + i - 1; {@link NodeConfig#HTTP_OFF} for none */
        LocalNodes(int basePort, int baseClientPort, int baseHttpPort, Path dataDirectory, List<String> nodeOptions,
                   PrintStream out) {
            this(basePort, baseClientPort, baseHttpPort, dataDirectory, nodeOptions, out,
                command -> new ProcessBuilder(command).redirectErrorStream(true).start());
        }

        LocalNodes(int basePort, int baseClientPort, int baseHttpPort, Path dataDirectory, List<String> nodeOptions,
                   PrintStream out, Starter starter) {
            this.starter = starter;
            this.baseHttpPort = baseHttpPort;
            this.basePort = basePort;
            this.baseClientPort = baseClientPort;
            this.dataDirectory = dataDirectory;
            this.nodeOptions = nodeOptions;
            this.out = out;
        }

        /** Starts node {@code index}, with the first three nodes as seeds when {@code seeded}. */
        synchronized void start(int index, boolean seeded) {
            if (stopped) {
                throw new IllegalStateException("the cluster is stopping; node" + index + " is not started");
            }
            List<String> seeds = new ArrayList<>();
            for (int j = 1; j <= 3; j++) {
                seeds.add("127.0.0.1:" + (basePort + j));
            }
            List<String> command = new ArrayList<>(javaCommand());
            command.addAll(List.of("node", "--id", "node" + index, "--listen", "127.0.0.1:" + (basePort + index),
                "--client-port", Integer.toString(clientPort(index)),
                "--http-port", Integer.toString(baseHttpPort == NodeConfig.HTTP_OFF ? NodeConfig.HTTP_OFF
                    : baseHttpPort + index - 1),
                "--data-dir", dataDirectory.resolve("node" + index).toString()));
            command.addAll(nodeOptions);
            if (seeded) {
                command.addAll(List.of("--seeds", String.join(",", seeds)));
            }
            try {
                Process process = starter.start(command);
                Thread.ofPlatform().daemon().name("output-of-node" + index).start(() -> forward(process, out));
                slots[index] = process;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start node" + index, e);
            }
        }

        @Override
        public synchronized List<Integer> running() {
            List<Integer> running = new ArrayList<>();
            for (int i = 1; i <= MAX_NODES; i++) {
                if (slots[i] != null && slots[i].isAlive()) {
                    running.add(i);
                }
            }
            return running;
        }

        @Override
        public synchronized int exitStatus(int index) {
            Process process = slots[index];
            return process == null || process.isAlive() ? -1 : process.exitValue();
        }

        @Override
        public int clientPort(int index) {
            return baseClientPort + index - 1;
        }

        @Override
        public synchronized void startFresh(int index) {
            if (stopped) {
                throw new IllegalStateException("the cluster is stopping; node" + index + " is not started");
            }
            if (slots[index] == null && java.nio.file.Files.exists(dataDirectory.resolve("node" + index))) {
                throw new IllegalStateException(dataDirectory.resolve("node" + index) + " holds an earlier run's"
                    + " data; it is left alone");
            }
            if (slots[index] != null && (slots[index].isAlive() || holdsRanges(index))) {
                throw new IllegalStateException("node" + index + (slots[index].isAlive() ? " runs"
                    : " exited with status " + slots[index].exitValue() + " holding ranges of the ring (it did not"
                    + " leave)") + "; its data directory is left alone");
            }
            // a node that left forgot its tokens, and one that failed to join never had any; old records could bring
            // back data the cluster deleted since
            deleteRecursively(dataDirectory.resolve("node" + index));
            start(index, true);
        }

        @Override
        public synchronized int freeSlot() {
            for (int i = 1; i <= MAX_NODES; i++) {
                boolean earlierRun = slots[i] == null && java.nio.file.Files.exists(dataDirectory.resolve("node" + i));
                // only a node whose data names no tokens holds nothing the cluster needs: it left (and forgot
                // them), or it exited before it ever became a member (a failed join). One killed or failed as a
                // member, or while leaving, holds data no other node may have, and its slot is not reused
                boolean released = slots[i] != null && !slots[i].isAlive() && !holdsRanges(i);
                if ((slots[i] == null || released) && !earlierRun) {
                    return i;
                }
            }
            return -1;
        }

        @Override
        public boolean holdsRanges(int index) {
            return io.ringkv.node.membership.NodeState.holdsTokens(dataDirectory.resolve("node" + index));
        }

        synchronized List<Process> processes() {
            List<Process> processes = new ArrayList<>();
            for (Process process : slots) {
                if (process != null) {
                    processes.add(process);
                }
            }
            return processes;
        }

        /** Returns once no node process is alive (the autoscaler may start new ones meanwhile). */
        void awaitAllExited() {
            while (!running().isEmpty()) {
                try {
                    Thread.sleep(READY_POLL_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }

        void stopAll() {
            List<Process> processes;
            synchronized (this) {
                stopped = true;
                processes = processes().stream().filter(Process::isAlive).toList();
            }
            ClusterCommand.stopAll(processes, out);
        }
    }

    private static void deleteRecursively(Path directory) {
        if (!java.nio.file.Files.exists(directory)) {
            return;
        }
        try (var paths = java.nio.file.Files.walk(directory)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                java.nio.file.Files.delete(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot empty " + directory + " for a new node", e);
        }
    }

    /**
     * Asks every node for {@code INFO cluster} until each serves clients (not loading), routes by a ring of all
     * the nodes and judges all of them alive; then prints the ready line. Gives up when a node process exits.
     */
    private static void watchReadiness(LocalNodes local, List<Integer> slots, int baseClientPort, PrintStream out) {
        long started = System.nanoTime();
        boolean warned = false;
        List<Process> processes = local.processes();
        while (processes.stream().allMatch(Process::isAlive)) {
            List<String> notReady = notReady(slots, baseClientPort);
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
    private static List<String> notReady(List<Integer> slots, int baseClientPort) {
        List<String> notReady = new ArrayList<>();
        int nodes = slots.size();
        for (int i : slots) {
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
