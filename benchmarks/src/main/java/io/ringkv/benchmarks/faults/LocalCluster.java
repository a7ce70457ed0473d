package io.ringkv.benchmarks.faults;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The cluster under test: the node network and one {@link ClusterNode} per node, every starting node a seed, with
 * gossip timeouts generous enough for three JVMs and the harness sharing two cores. Nodes that join later get the
 * next number (a namespace, an address and a data directory of their own, never one used before) and the
 * members of that moment as seeds; a node that left stays in {@link #nodes()} (its log is kept) but not in
 * {@link #members()}.
 */
final class LocalCluster implements AutoCloseable {
    /** Silence after which a node's peers judge it DOWN. */
    static final long DOWN_AFTER_MILLIS = 10_000;
    /** Gossip settings of every node: 1 s rounds, SUSPECT after 5 s, DOWN after 10 s of silence. */
    /**
     * Tombstones are purged within the run: a short grace, and memtables small enough that the workload's few
     * megabytes flush and compact many times. Purges then wait only for repair passes that cover every replica,
     * which the harness starts during the workload; a deleted key coming back is an anomaly.
     */
    static final List<String> STORAGE = List.of("--engine-options", "tombstone-grace-seconds=60,memtable-bytes=65536");
    static final List<String> GOSSIP = List.of("--gossip-interval-ms", "1000", "--suspect-after-ms", "5000",
        "--down-after-ms", Long.toString(DOWN_AFTER_MILLIS));
    private static final long HINT_PROGRESS_MILLIS = 10_000;
    private static final long POLL_MILLIS = 250;
    /** How long a change of the storage engine's counters may take to show in INFO. */
    private static final long METRICS_WAIT_NANOS = 5_000_000_000L;
    private static final String COMPLETED = "repair_passes_completed";
    private static final String RUNNING = "repair_pass_running";

    private final NodeNetwork network;
    private final HarnessOptions options;
    private final List<ClusterNode> nodes = new CopyOnWriteArrayList<>();
    private final Set<Integer> departed = ConcurrentHashMap.newKeySet();
    /** the nodes clients send to: NORMAL members that joined, and a leaving node until it has gone */
    private volatile List<Integer> clientTargets = List.of();

    private LocalCluster(NodeNetwork network, HarnessOptions options) {
        this.network = network;
        this.options = options;
    }

    /** Creates the network and the nodes' directories; {@link #startAll()} starts them. */
    static LocalCluster create(HarnessOptions options) {
        NodeNetwork network = NodeNetwork.create(options.nodes());
        if (options.faults().contains(FaultKind.CLOCK_SKEW)) {
            ClusterNode.forgetOrphanedClockFiles();
        }
        LocalCluster cluster = new LocalCluster(network, options);
        try {
            if (!options.peerSecurity().equals("none")) {
                writeClusterKey(options);
            }
            List<Integer> initial = new ArrayList<>();
            for (int i = 1; i <= options.nodes(); i++) {
                initial.add(i);
            }
            for (int i : initial) {
                cluster.nodes.add(cluster.newNode(i, initial));
            }
            cluster.clientTargets = List.copyOf(initial);
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    private ClusterNode newNode(int i, List<Integer> seedNodes) {
        List<String> seeds = new ArrayList<>();
        for (int seed : seedNodes) {
            seeds.add(NodeNetwork.address(seed) + ":" + ClusterNode.PEER_PORT);
        }
        Path directory = options.workDirectory().resolve("node" + i);
        List<String> command = nodeCommand(options, i, String.join(",", seeds),
            directory.resolve("disk").resolve("data"));
        return new ClusterNode(i, command, directory, options.faults().contains(FaultKind.DISK_FULL) ? 128L << 20 : 0,
            options.faults().contains(FaultKind.CLOCK_SKEW));
    }

    /**
     * Makes a fresh node {@code i} (the next number): its namespace, address and empty data directory, with the
     * members of this moment as seeds. {@link ClusterNode#start()} then starts it, and it joins.
     *
     * @throws IllegalStateException when {@code i} is not the next number
     */
    ClusterNode addNode(int i) {
        if (i != nodes.size() + 1) {
            throw new IllegalStateException("the next node is node" + (nodes.size() + 1) + ", not node" + i);
        }
        List<Integer> seeds = new ArrayList<>(members().stream().map(ClusterNode::index).toList());
        int made = network.addNode();
        if (made != i) {
            throw new IllegalStateException("the network made node" + made + "'s namespace, not node" + i + "'s");
        }
        ClusterNode node = newNode(i, seeds);
        nodes.add(node);
        return node;
    }

    /** Sends clients to node {@code i} too, once it has joined. */
    synchronized void serve(int i) {
        List<Integer> targets = new ArrayList<>(clientTargets);
        if (!targets.contains(i)) {
            targets.add(i);
            clientTargets = List.copyOf(targets);
        }
    }

    /** Node {@code i} left the cluster for good: no client is sent to it, no check reads through it. */
    synchronized void depart(int i) {
        departed.add(i);
        withdraw(i);
    }

    /**
     * No client is sent to node {@code i} until {@link #serve} again: a member killed to be removed, which comes back
     * as a new node under its number.
     */
    synchronized void withdraw(int i) {
        List<Integer> targets = new ArrayList<>(clientTargets);
        targets.remove(Integer.valueOf(i));
        clientTargets = List.copyOf(targets);
    }

    /** @return the nodes clients send to now, never empty */
    List<Integer> clientTargets() {
        return clientTargets;
    }

    /** @return true when node {@code i} left the cluster */
    boolean departed(int i) {
        return departed.contains(i);
    }

    /** @return the nodes that have not left (those that are joining included) */
    List<ClusterNode> members() {
        return nodes.stream().filter(n -> !departed.contains(n.index())).toList();
    }

    /** @return the run's cluster key file, which {@link #writeClusterKey} makes */
    private static Path clusterKeyFile(HarnessOptions options) {
        return options.workDirectory().resolve("cluster.key");
    }

    /** Makes a cluster key for the run, readable by its owner only (a node refuses one others can read). */
    private static void writeClusterKey(HarnessOptions options) {
        Path file = clusterKeyFile(options);
        try {
            java.nio.file.Files.createDirectories(options.workDirectory());
            java.nio.file.Files.deleteIfExists(file);
            java.nio.file.Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            java.nio.file.Files.writeString(file,
                io.ringkv.node.transport.ClusterKey.generate(new java.security.SecureRandom()));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot write the run's cluster key " + file, e);
        }
    }

    private static List<String> nodeCommand(HarnessOptions options, int i, String seeds, Path data) {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
            "--add-exports", "java.base/jdk.internal.misc=org.agrona", "--enable-native-access=rocksdbjni",
            "-Xmx256m", "-XX:+UseSerialGC", "--module-path", options.modulePath().toString(),
            "-m", "io.ringkv.node/io.ringkv.node.Main", "node", "--id", "node" + i,
            "--listen", NodeNetwork.address(i) + ":" + ClusterNode.PEER_PORT,
            "--client-port", Integer.toString(ClusterNode.CLIENT_PORT), "--seeds", seeds,
            "--data-dir", data.toString(), "--resolver", options.resolver(),
            // the harness's own network namespaces, reachable from nowhere else: protected mode need not hold
            "--allow-unauthenticated"));
        command.addAll(GOSSIP);
        command.addAll(STORAGE);
        if (!options.peerSecurity().equals("none")) {
            command.addAll(List.of("--cluster-key-file", clusterKeyFile(options).toString()));
        }
        if (options.peerSecurity().equals("encrypted")) {
            command.add("--peer-encryption");
        }
        return command;
    }

    NodeNetwork network() {
        return network;
    }

    List<ClusterNode> nodes() {
        return nodes;
    }

    /** @return node {@code i}, 1-based */
    ClusterNode node(int i) {
        return nodes.get(i - 1);
    }

    /** Starts every node made so far, smallest id first. */
    void startAll() {
        nodes.forEach(ClusterNode::start);
    }

    /**
     * Waits until every member answers {@code INFO cluster} with every member NORMAL and ALIVE, and every node that
     * left LEFT (or forgotten).
     *
     * @return null when settled, otherwise each member's view when the deadline passed
     */
    String awaitSettled(long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        Map<String, String> views = new TreeMap<>();
        while (true) {
            views.clear();
            boolean settled = true;
            for (ClusterNode node : members()) {
                String view = view(node);
                views.put(node.name(), view);
                settled &= view.startsWith("settled");
            }
            if (settled) {
                return null;
            }
            if (System.nanoTime() > deadline) {
                StringBuilder text = new StringBuilder();
                views.forEach((name, view) -> text.append(name).append(": ").append(view).append('\n'));
                return text.toString();
            }
            Thread.sleep(500);
        }
    }

    /**
     * Each node's hint counters when every node holds no hint for another ({@code hints_pending:0}), or when the
     * deadline passed.
     *
     * @param drained true when every node reported no hint pending before the deadline (of the last wait)
     * @param millis how long the (first) wait took
     * @param recheckMillis how long a second wait took, 0 without one
     * @param perNode each node's {@code INFO hints} fields at the end (empty for a node that did not answer)
     */
    record HintDrain(boolean drained, long millis, long recheckMillis, Map<Integer, Map<String, String>> perNode) {
        /** @return this wait's time, followed by {@code later}'s time, outcome and counters */
        HintDrain then(HintDrain later) {
            return new HintDrain(later.drained, millis, later.millis, later.perNode);
        }
    }

    /** Waits until every node's {@code INFO hints} shows {@code hints_pending:0}, with a progress line now and then. */
    HintDrain awaitHintsDrained(long timeoutMillis) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + timeoutMillis * 1_000_000;
        long nextProgress = start + HINT_PROGRESS_MILLIS * 1_000_000;
        while (true) {
            Map<Integer, Map<String, String>> hints = new TreeMap<>();
            for (ClusterNode node : members()) {
                hints.put(node.index(), info(node, "hints"));
            }
            boolean drained = hints.values().stream().allMatch(h -> "0".equals(h.get("hints_pending")));
            long now = System.nanoTime();
            if (drained || now > deadline) {
                return new HintDrain(drained, (now - start) / 1_000_000, 0, hints);
            }
            if (now > nextProgress) {
                StringBuilder pending = new StringBuilder();
                hints.forEach((i, h) -> pending.append(" node").append(i).append(" pending=")
                    .append(h.getOrDefault("hints_pending", "?")).append(" delivered=")
                    .append(h.getOrDefault("hints_delivered", "?")));
                System.out.printf("fault-harness: waiting for hints to drain (%d s):%s%n",
                    (now - start) / 1_000_000_000, pending);
                nextProgress = now + HINT_PROGRESS_MILLIS * 1_000_000;
            }
            Thread.sleep(500);
        }
    }

    /**
     * How one node's repair pass ended.
     *
     * @param problem null when the pass ended with every session completed; else what went wrong
     */
    record RepairPass(int node, String problem, long sessions, long failed, long skipped, long keys, long millis) {
    }

    /**
     * Runs a repair pass ({@code REPAIR}, anti-entropy against every other replica) on each node in turn and waits
     * for it to end, at most {@code timeoutMillis} per node.
     */
    List<RepairPass> repairEach(long timeoutMillis) throws InterruptedException {
        List<RepairPass> passes = new ArrayList<>();
        for (ClusterNode node : members()) {
            RepairPass pass = repairOne(node.index(), section -> info(node, section), () -> askRepair(node),
                timeoutMillis, POLL_MILLIS);
            passes.add(pass);
            System.out.printf("fault-harness: node%d repaired in %.1f s: %s%n", node.index(), pass.millis() / 1e3,
                pass.problem() == null ? pass.keys() + " keys exchanged" : pass.problem());
        }
        return passes;
    }

    /**
     * One node's repair pass: asks for it ({@code ask} answers null when the pass started, else the refusal) and
     * polls {@code info} ({@code INFO <section>}) until the node has completed one more pass. A pass that is running
     * already (started during the workload, or by the node itself when a member left) may have compared ranges
     * before the cluster healed, so it is let end and a pass of our own runs after it.
     */
    static RepairPass repairOne(int index, Function<String, Map<String, String>> info, Supplier<String> ask,
        long timeoutMillis, long pollMillis) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + timeoutMillis * 1_000_000;
        Map<String, String> fields = info.apply("repair");
        while (!fields.containsKey(COMPLETED) && System.nanoTime() - deadline < 0) {
            Thread.sleep(pollMillis);
            fields = info.apply("repair");
        }
        String problem = fields.containsKey(COMPLETED) ? ask.get() : "INFO repair did not answer";
        long before = number(fields, COMPLETED);
        if (runningAlready(problem)) {
            System.out.printf("fault-harness: node%d is in a repair pass already (%s); waiting for it to end%n",
                index, problem);
            while (runningAlready(problem) && System.nanoTime() - deadline < 0) {
                Thread.sleep(pollMillis);
                fields = info.apply("repair");
                // a node counts a pass before it shows none running: this count includes the pass just ended
                if ("0".equals(fields.get(RUNNING))) {
                    before = number(fields, COMPLETED);
                    problem = ask.get();
                }
            }
            if (runningAlready(problem) && !fields.containsKey(RUNNING)) {
                problem = "INFO repair stopped answering while a pass ran (" + problem + ")";
            }
        }
        while (problem == null) {
            fields = info.apply("repair");
            // ended, and no pass chained after it (the node starts one at once when a member left meanwhile): the
            // figures read are then those of the last pass, which began after ours was asked for
            if (number(fields, COMPLETED) > before && "0".equals(fields.get(RUNNING))) {
                break;
            }
            if (System.nanoTime() - deadline > 0) {
                problem = "the pass did not end within " + timeoutMillis / 1000 + " s: " + fields;
                break;
            }
            Thread.sleep(pollMillis);
        }
        long failed = number(fields, "repair_pass_sessions_failed");
        long skipped = number(fields, "repair_pass_sessions_skipped");
        if (problem == null && failed + skipped > 0) {
            problem = failed + " sessions failed and " + skipped
                + " were skipped (a peer believed down or gone from the ring)";
        }
        return new RepairPass(index, problem, number(fields, "repair_pass_sessions"), failed, skipped,
            number(fields, "repair_pass_keys"), (System.nanoTime() - start) / 1_000_000);
    }

    private static boolean runningAlready(String refusal) {
        return refusal != null && refusal.contains("a repair pass is running on this node already");
    }

    /** @return null when {@code node} started a repair pass, else its refusal or why it could not be asked */
    private static String askRepair(ClusterNode node) {
        try (RespClient client = new RespClient(node.host(), ClusterNode.CLIENT_PORT, 5_000)) {
            RespClient.Reply reply = client.call("REPAIR");
            return reply instanceof RespClient.Error(String message) ? message : null;
        } catch (IOException e) {
            return "REPAIR could not be sent: " + e.getMessage();
        }
    }

    /**
     * Asks {@code node} to start a repair pass and does not wait for it. Refusals (a pass running, the node down or
     * cut off) are normal under faults.
     *
     * @return the node's answer, or why it could not be asked
     */
    static String startRepair(ClusterNode node) {
        try (RespClient client = new RespClient(node.host(), ClusterNode.CLIENT_PORT, 2_000)) {
            RespClient.Reply reply = client.call("REPAIR");
            return reply instanceof RespClient.Error(String message) ? message : "started";
        } catch (IOException e) {
            return "not sent: " + e.getMessage();
        }
    }

    /**
     * Starts a cleanup on {@code node} when it holds leftovers ({@code cluster_leftovers_here}) and none runs there.
     * Refusals (the ring moving, the node down or cut off) are normal under faults.
     *
     * @return whether a cleanup started
     */
    static boolean cleanUpLeftovers(ClusterNode node) {
        if (!"1".equals(info(node, "cluster").get("cluster_leftovers_here"))
            || number(info(node, "cleanup"), "cleanup_running") == 1) {
            return false;
        }
        try (RespClient client = new RespClient(node.host(), ClusterNode.CLIENT_PORT, 2_000)) {
            return !(client.call("CLEANUP") instanceof RespClient.Error);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Runs a cleanup ({@code CLEANUP}) on every member in turn and waits for it to end, at most {@code timeoutMillis}
     * per node. On the {@code lsm} engine a cleanup rewrites all of the node's tables into one, purging every tombstone
     * past the grace that the purge gate lets go: after passes that covered every range, all of them.
     *
     * @return per node, "ok" or why its cleanup did not run or end
     */
    Map<Integer, String> cleanUpEach(long timeoutMillis) throws InterruptedException {
        Map<Integer, String> outcomes = new TreeMap<>();
        for (ClusterNode node : members()) {
            long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
            Map<String, String> cleanupBefore = info(node, "cleanup");
            long before = number(cleanupBefore, "cleanups_completed");
            long failedBefore = number(cleanupBefore, "cleanups_failed");
            long compactionsBefore = number(info(node, "storage"), "storage_compactions");
            String outcome = null;
            boolean started = false;
            while (outcome == null && System.nanoTime() - deadline < 0) {
                if (!started) {
                    try (RespClient client = new RespClient(node.host(), ClusterNode.CLIENT_PORT, 2_000)) {
                        RespClient.Reply reply = client.call("CLEANUP");
                        started = !(reply instanceof RespClient.Error);
                        if (!started && !String.valueOf(reply).contains("running")) {
                            outcome = "refused: " + reply;
                        }
                    } catch (IOException e) {
                        outcome = "no answer: " + e.getMessage();
                    }
                } else {
                    Map<String, String> cleanup = info(node, "cleanup");
                    if (cleanupEnded(cleanup, before)) {
                        if (number(cleanup, "cleanups_failed") > failedBefore) {
                            outcome = "failed (the node's log says why)";
                        } else {
                            outcome = "ok";
                            // the storage counters reach INFO within a second or two (the storage stage publishes
                            // them)
                            long seen = System.nanoTime() + METRICS_WAIT_NANOS;
                            while (number(info(node, "storage"), "storage_compactions") <= compactionsBefore
                                && System.nanoTime() - seen < 0) {
                                Thread.sleep(POLL_MILLIS);
                            }
                        }
                    }
                }
                if (outcome == null) {
                    Thread.sleep(POLL_MILLIS);
                }
            }
            outcomes.put(node.index(), outcome == null ? "did not end within " + timeoutMillis / 1000 + " s" : outcome);
        }
        return outcomes;
    }

    /**
     * Waits until no member holds tombstone purges ({@code repair_purges_held}: a ring moving, or some node holding
     * leftovers), starting a cleanup on each member that holds leftovers meanwhile, at most {@code timeoutMillis}.
     *
     * @return null once none holds them, else which still do
     */
    String awaitPurgesFree(long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        while (true) {
            List<String> holding = new ArrayList<>();
            for (ClusterNode node : members()) {
                if (number(info(node, "repair"), "repair_purges_held") != 0) {
                    holding.add("node" + node.index());
                }
                cleanUpLeftovers(node);
            }
            if (holding.isEmpty()) {
                return null;
            }
            if (System.nanoTime() - deadline >= 0) {
                return "purges still held on " + holding + " after " + timeoutMillis / 1000 + " s";
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    /**
     * @return whether the cleanup this harness started has ended: one more completed than before it was asked for, and
     *     none running (a cleanup that was running when the count was read may be the one that completed, while the
     *     one asked for runs on; a node sets it running before it answers)
     */
    static boolean cleanupEnded(Map<String, String> cleanup, long completedBefore) {
        return number(cleanup, "cleanups_completed") > completedBefore && number(cleanup, "cleanup_running") == 0;
    }

    /**
     * @return each node's {@code storage_tombstones_purged} and {@code _held_for_repair}, and the nodes that hold
     *     purges for leftovers, as report text
     */
    String tombstones() {
        StringBuilder out = new StringBuilder();
        members().stream().findFirst().ifPresent(node -> out.append("leftover holders [")
            .append(info(node, "cluster").getOrDefault("cluster_leftover_holders", "?")).append("]; "));
        for (ClusterNode node : members()) {
            Map<String, String> fields = info(node, "storage");
            Map<String, String> repair = info(node, "repair");
            out.append(String.format("node%d: %d purged, %d held for repair, %d of %d ranges covered, %d compactions; ",
                node.index(), number(fields, "storage_tombstones_purged"),
                number(fields, "storage_tombstones_held_for_repair"), number(repair, "repair_ranges_covered"),
                number(repair, "repair_ranges"), number(fields, "storage_compactions")));
        }
        return out.toString();
    }

    private static long number(Map<String, String> fields, String name) {
        try {
            return Long.parseLong(fields.getOrDefault(name, "0"));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** @return the fields of one {@code INFO} section of a node, empty when it cannot be had */
    static Map<String, String> info(ClusterNode node, String section) {
        Map<String, String> fields = new TreeMap<>();
        try (RespClient client = new RespClient(node.host(), ClusterNode.CLIENT_PORT, 2_000)) {
            if (client.call("INFO", section) instanceof RespClient.Text text) {
                text.text().lines().filter(line -> !line.startsWith("#") && line.contains(":")).forEach(line ->
                    fields.put(line.substring(0, line.indexOf(':')), line.substring(line.indexOf(':') + 1).strip()));
            }
        } catch (IOException e) {
            // an unreachable node has no fields; the caller reports it as not drained
        }
        return fields;
    }

    /** @return "settled" or what node's {@code INFO cluster} says is missing */
    private String view(ClusterNode node) {
        try (RespClient client = new RespClient(node.host(), ClusterNode.CLIENT_PORT, 2_000)) {
            RespClient.Reply reply = client.call("INFO", "cluster");
            if (!(reply instanceof RespClient.Text text)) {
                return "INFO cluster answered " + reply;
            }
            List<String> lines = text.text().lines().filter(line -> line.matches("node\\d+:.*")).toList();
            return (settled(lines, members().stream().map(ClusterNode::name).toList()) ? "settled " : "not settled ")
                + lines;
        } catch (IOException e) {
            return "unreachable (" + e.getMessage() + ")" + (node.isAlive() ? "" : ", process exited with "
                + node.exitCode());
        }
    }

    /**
     * @param lines the member lines of one node's {@code INFO cluster} ({@code node0:id=node1,state=NORMAL,...})
     * @param members the ids of the nodes that have not left
     * @return true when every member is there, NORMAL and ALIVE, and every other node listed is LEFT
     */
    static boolean settled(List<String> lines, List<String> members) {
        Set<String> seen = new java.util.HashSet<>();
        for (String line : lines) {
            Map<String, String> fields = memberFields(line.substring(line.indexOf(':') + 1));
            String id = fields.getOrDefault("id", "");
            if (members.contains(id)) {
                if (!"NORMAL".equals(fields.get("state")) || !"ALIVE".equals(fields.get("liveness"))) {
                    return false;
                }
                seen.add(id);
            } else if (!"LEFT".equals(fields.get("state"))) {
                return false;
            }
        }
        return seen.size() == members.size();
    }

    /** @return the fields of one member line's value ({@code id=node1,state=NORMAL,...}) */
    static Map<String, String> memberFields(String value) {
        Map<String, String> fields = new TreeMap<>();
        for (String pair : value.split(",")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                fields.put(pair.substring(0, eq), pair.substring(eq + 1));
            }
        }
        return fields;
    }

    /**
     * @return what {@code viewer}'s {@code INFO cluster} says of node {@code id} ({@code state}, {@code liveness},
     *     ...); empty when it lists no such node; null when it did not answer
     */
    static Map<String, String> viewOf(ClusterNode viewer, String id) {
        Map<String, String> cluster = info(viewer, "cluster");
        if (cluster.isEmpty()) {
            return null;
        }
        return cluster.entrySet().stream()
            .filter(e -> e.getKey().matches("node\\d+") && e.getValue().startsWith("id=" + id + ","))
            .map(e -> memberFields(e.getValue())).findFirst().orElse(Map.of());
    }

    /**
     * @return true when {@code node} serves as a NORMAL member: its {@code INFO cluster} says {@code loading:0}
     *     and lists it NORMAL
     */
    static boolean joined(ClusterNode node) {
        Map<String, String> cluster = info(node, "cluster");
        return "0".equals(cluster.get("loading")) && cluster.entrySet().stream().anyMatch(e ->
            e.getKey().matches("node\\d+") && e.getValue().startsWith("id=" + node.name() + ",state=NORMAL,"));
    }

    @Override
    public void close() {
        nodes.forEach(ClusterNode::destroy);
        network.close();
    }
}
