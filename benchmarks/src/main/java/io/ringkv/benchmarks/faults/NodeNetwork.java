package io.ringkv.benchmarks.faults;

import java.util.ArrayList;
import java.util.List;

/**
 * The network the harness's nodes run on: one Linux network namespace per node, each with a veth pair into one
 * bridge on this machine, so every node has an address of its own ({@code 10.213.0.(10+i)}) and packet filter
 * rules inside a node's namespace can tell its peers apart. The harness reaches every node from the bridge's
 * address ({@code 10.213.0.1}) over TCP, which the fault rules never touch: like Jepsen's clients, they keep
 * reaching every node while nodes cannot reach each other.
 *
 * <p>Faults are iptables rules in a chain of each namespace's INPUT, matching UDP only (all node-to-node traffic
 * is Aeron over UDP). Nothing is changed outside the namespaces but the bridge and the host ends of the veth
 * pairs, and {@link #close()} deletes all of it; a run that died without cleaning up is cleaned up by the next.
 */
final class NodeNetwork implements AutoCloseable {
    static final String SUBNET_PREFIX = "10.213.0.";
    private static final String BRIDGE = "rkvfault0";
    private static final String CHAIN = "RINGKV_FAULTS";

    /** namespaces made so far, 1 to this; a joiner's is added when it joins */
    private int nodes;

    private NodeNetwork() {
    }

    /** Creates the bridge and one namespace per node, after removing what an earlier run may have left. */
    static NodeNetwork create(int nodes) {
        for (String program : List.of("ip", "iptables")) {
            if (!Shell.has(program)) {
                throw new IllegalStateException(program + " is missing: apt-get install -y iproute2 iptables");
            }
        }
        removeLeftovers();
        String routes = Shell.run("ip", "-4", "route");
        if (routes.contains(SUBNET_PREFIX)) {
            throw new IllegalStateException("this machine already routes " + SUBNET_PREFIX + "0/24; the harness"
                + " needs it for its node namespaces:\n" + routes);
        }
        NodeNetwork network = new NodeNetwork();
        Shell.run("ip", "link", "add", BRIDGE, "type", "bridge");
        Shell.run("ip", "addr", "add", hostAddress() + "/24", "dev", BRIDGE);
        Shell.run("ip", "link", "set", BRIDGE, "up");
        for (int i = 1; i <= nodes; i++) {
            network.addNode();
        }
        return network;
    }

    /** Creates the next node's namespace, with its address and an empty fault chain. @return its number */
    synchronized int addNode() {
        int i = nodes + 1;
        if (10 + i > 254) {
            throw new IllegalStateException("no address left for node" + i);
        }
        String namespace = namespace(i);
        String hostEnd = "rkvf" + i;
        Shell.run("ip", "netns", "add", namespace);
        Shell.run("ip", "link", "add", hostEnd, "type", "veth", "peer", "name", "eth0", "netns", namespace);
        Shell.run("ip", "link", "set", hostEnd, "master", BRIDGE, "up");
        Shell.run("ip", "-n", namespace, "addr", "add", address(i) + "/24", "dev", "eth0");
        Shell.run("ip", "-n", namespace, "link", "set", "eth0", "up");
        Shell.run("ip", "-n", namespace, "link", "set", "lo", "up");
        iptables(i, "-N", CHAIN);
        iptables(i, "-A", "INPUT", "-j", CHAIN);
        nodes = i;
        return i;
    }

    /** Deletes namespaces and the bridge that a run killed before its cleanup left behind. */
    static void removeLeftovers() {
        for (String line : Shell.attempt("ip", "netns", "list").output().split("\n")) {
            String name = line.split(" ")[0];
            if (name.startsWith("ringkv-fault-")) {
                Shell.attempt("ip", "netns", "del", name);
            }
        }
        Shell.attempt("ip", "link", "del", BRIDGE);
    }

    /** @return the namespace node {@code i} runs in */
    static String namespace(int i) {
        return "ringkv-fault-" + i;
    }

    /** @return node {@code i}'s address */
    static String address(int i) {
        return SUBNET_PREFIX + (10 + i);
    }

    /** @return the address the harness's clients connect from */
    static String hostAddress() {
        return SUBNET_PREFIX + "1";
    }

    /** Drops every peer datagram from {@code from} at {@code to}: one direction of a partition. */
    synchronized void cut(int from, int to) {
        iptables(to, "-A", CHAIN, "-p", "udp", "-s", address(from), "-j", "DROP");
    }

    /**
     * Cuts node {@code i} off from every other node both ways (peer UDP only: clients still reach it); nodes that
     * left are cut too, which changes nothing.
     */
    synchronized void isolate(int i) {
        for (int other = 1; other <= nodes; other++) {
            if (other != i) {
                cut(i, other);
                cut(other, i);
            }
        }
    }

    /** Drops each peer datagram arriving at node {@code i} with {@code probability}. */
    synchronized void lose(int i, double probability) {
        iptables(i, "-A", CHAIN, "-p", "udp", "!", "-s", hostAddress(), "-m", "statistic", "--mode", "random",
            "--probability", String.format("%.2f", probability), "-j", "DROP");
    }

    /** Removes every rule: the network is whole again. */
    synchronized void heal() {
        for (int i = 1; i <= nodes; i++) {
            iptables(i, "-F", CHAIN);
        }
    }

    /** @return the rules in force, one line per rule, for the report */
    synchronized List<String> rules() {
        List<String> rules = new ArrayList<>();
        for (int i = 1; i <= nodes; i++) {
            for (String line : Shell.attempt("ip", "netns", "exec", namespace(i), "iptables", "-S", CHAIN)
                .output().split("\n")) {
                if (line.startsWith("-A")) {
                    rules.add("node" + i + ": " + line);
                }
            }
        }
        return rules;
    }

    private void iptables(int node, String... rule) {
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", namespace(node), "iptables"));
        command.addAll(List.of(rule));
        Shell.run(command.toArray(String[]::new));
    }

    @Override
    public void close() {
        removeLeftovers();
    }
}
