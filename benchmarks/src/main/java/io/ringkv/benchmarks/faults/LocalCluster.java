package io.ringkv.benchmarks.faults;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The cluster under test: the node network and one {@link ClusterNode} per node, every node a seed, with gossip
 * timeouts generous enough for three JVMs and the harness sharing two cores.
 */
final class LocalCluster implements AutoCloseable {
    /** Gossip settings of every node: 1 s rounds, SUSPECT after 5 s, DOWN after 10 s of silence. */
    static final List<String> GOSSIP = List.of("--gossip-interval-ms", "1000", "--suspect-after-ms", "5000",
        "--down-after-ms", "10000");

    private final NodeNetwork network;
    private final List<ClusterNode> nodes = new ArrayList<>();

    private LocalCluster(NodeNetwork network) {
        this.network = network;
    }

    /** Creates the network and the nodes' directories; {@link #startAll()} starts them. */
    static LocalCluster create(HarnessOptions options) {
        NodeNetwork network = NodeNetwork.create(options.nodes());
        LocalCluster cluster = new LocalCluster(network);
        try {
            List<String> seeds = new ArrayList<>();
            for (int i = 1; i <= options.nodes(); i++) {
                seeds.add(NodeNetwork.address(i) + ":" + ClusterNode.PEER_PORT);
            }
            boolean disk = options.faults().contains(FaultKind.DISK_FULL);
            boolean clock = options.faults().contains(FaultKind.CLOCK_SKEW);
            for (int i = 1; i <= options.nodes(); i++) {
                Path directory = options.workDirectory().resolve("node" + i);
                List<String> command = nodeCommand(options, i, String.join(",", seeds),
                    directory.resolve("disk").resolve("data"));
                cluster.nodes.add(new ClusterNode(i, command, directory, disk ? 128L << 20 : 0, clock));
            }
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    private static List<String> nodeCommand(HarnessOptions options, int i, String seeds, Path data) {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
            "--add-exports", "java.base/jdk.internal.misc=org.agrona", "--enable-native-access=rocksdbjni",
            "-Xmx256m", "-XX:+UseSerialGC", "--module-path", options.modulePath().toString(),
            "-m", "io.ringkv.node/io.ringkv.node.Main", "node", "--id", "node" + i,
            "--listen", NodeNetwork.address(i) + ":" + ClusterNode.PEER_PORT,
            "--client-port", Integer.toString(ClusterNode.CLIENT_PORT), "--seeds", seeds,
            "--data-dir", data.toString(), "--resolver", options.resolver()));
        command.addAll(GOSSIP);
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

    /** Starts every node, smallest id first. */
    void startAll() {
        nodes.forEach(ClusterNode::start);
    }

    /**
     * Waits until every node answers {@code INFO cluster} with every node NORMAL and ALIVE.
     *
     * @return null when settled, otherwise each node's view when the deadline passed
     */
    String awaitSettled(long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        Map<String, String> views = new TreeMap<>();
        while (true) {
            views.clear();
            boolean settled = true;
            for (ClusterNode node : nodes) {
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

    /** @return "settled" or what node's {@code INFO cluster} says is missing */
    private String view(ClusterNode node) {
        try (RespClient client = new RespClient(node.host(), ClusterNode.CLIENT_PORT, 2_000)) {
            RespClient.Reply reply = client.call("INFO", "cluster");
            if (!(reply instanceof RespClient.Text text)) {
                return "INFO cluster answered " + reply;
            }
            List<String> members = text.text().lines().filter(line -> line.matches("node\\d+:.*")).toList();
            boolean all = members.size() == nodes.size()
                && members.stream().allMatch(m -> m.contains("state=NORMAL") && m.contains("liveness=ALIVE"));
            return (all ? "settled " : "not settled ") + members;
        } catch (IOException e) {
            return "unreachable (" + e.getMessage() + ")" + (node.isAlive() ? "" : ", process exited with "
                + node.exitCode());
        }
    }

    @Override
    public void close() {
        nodes.forEach(ClusterNode::destroy);
        network.close();
    }
}
