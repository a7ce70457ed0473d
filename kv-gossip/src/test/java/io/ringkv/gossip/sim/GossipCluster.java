package io.ringkv.gossip.sim;

import io.ringkv.api.Node;
import io.ringkv.api.NodeId;
import io.ringkv.gossip.EndpointState;
import io.ringkv.gossip.FailureDetector;
import io.ringkv.gossip.GossipConfig;
import io.ringkv.gossip.Gossiper;
import io.ringkv.gossip.Liveness;
import io.ringkv.gossip.MembershipRing;
import io.ringkv.gossip.NodeStatus;
import io.ringkv.sim.SimNode;
import io.ringkv.sim.Simulation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * A simulated cluster of gossiping nodes: every node starts knowing only the seeds (the first three nodes), with
 * 16 random tokens, and announces NORMAL. Records every liveness change every node reports, for invariants over
 * the whole history.
 */
final class GossipCluster {
    /** One liveness change seen by one node. */
    record Judgement(long atNanos, NodeId observer, NodeId subject, Liveness from, Liveness to) {
    }

    private final Simulation simulation;
    private final List<NodeId> ids = new ArrayList<>();
    private final List<Judgement> judgements = new ArrayList<>();
    private final GossipConfig config;
    /**
     * What each node remembers across restarts, written (as the node would write its peers file) whenever a state
     * that shapes the ring changes; empty for a node that never wrote, or whose memory a test wiped.
     */
    private final Map<NodeId, Gossiper.Remembered> memory = new java.util.HashMap<>();
    /** Nodes that started at least once: a second start is a restart. */
    private final java.util.Set<NodeId> started = new java.util.HashSet<>();
    /** False for a run that never restarts a node ({@link #withoutRestarts}): nothing is remembered. */
    private boolean remembers = true;

    GossipCluster(long seed, int size, GossipConfig base, Supplier<FailureDetector> detectors) {
        this(seed, size, base, detectors, ordinal -> base.clusterName());
    }

    GossipCluster(long seed, int size, GossipConfig base, Supplier<FailureDetector> detectors,
                  IntFunction<String> clusterNameOf) {
        this.simulation = new Simulation(seed);
        for (int i = 0; i < size; i++) {
            ids.add(NodeId.of(String.format("node-%04d", i)));
        }
        this.config = new GossipConfig(base.clusterName(), base.intervalNanos(), ids.subList(0, Math.min(3, size)),
            base.maxMessageBytes(), base.quarantineNanos());
        for (int i = 0; i < size; i++) {
            NodeId id = ids.get(i);
            int ordinal = i;
            simulation.addNode(id, (context, disk) -> {
                if (!started.add(id) && !remembers) {
                    throw new IllegalStateException(id + " restarted in a cluster built without restarts");
                }
                Node node = new Node(id, "10.0." + ordinal / 250 + "." + ordinal % 250, 7400, 7379, Node.DEFAULT_ZONE,
                    Node.DEFAULT_RACK);
                SplittableRandom tokens = new SplittableRandom(seed ^ ordinal);
                long[] owned = new long[16];
                for (int t = 0; t < owned.length; t++) {
                    owned[t] = tokens.nextLong() | 1;
                }
                // the generation: virtual wall-clock milliseconds at start, so it grows with every restart
                EndpointState self = EndpointState.initial(node, context.clock().wallClockMillis() + 1,
                    NodeStatus.NORMAL, owned, Map.of());
                Gossiper[] holder = new Gossiper[1];
                Gossiper gossiper = new Gossiper(context, config.withClusterName(clusterNameOf.apply(ordinal)), self, detectors.get(), new Gossiper.Listener() {
                    @Override
                    public void onLivenessChange(NodeId subject, Liveness from, Liveness to) {
                        judgements.add(new Judgement(simulation.now(), id, subject, from, to));
                    }

                    @Override
                    public void onStateChange(EndpointState previous, EndpointState current) {
                        if (remembers && (!current.id().equals(id) && MembershipRing.affectsRing(previous, current)
                            || previous == null)) {
                            memory.put(id, holder[0].remembered());
                        }
                    }

                    @Override
                    public void onEvicted(NodeId node) {
                        if (remembers) {
                            memory.put(id, holder[0].remembered());
                        }
                    }
                });
                holder[0] = gossiper;
                gossiper.restore(memory.getOrDefault(id, Gossiper.Remembered.NONE));
                gossiper.start();
                return gossiper;
            });
        }
    }

    /**
     * For a run in which no node restarts: nodes keep no memory for a restart, which in a cluster of a thousand is
     * most of the run's time (each learned member copies the whole view). A restart then fails the run.
     *
     * @return this cluster
     */
    GossipCluster withoutRestarts() {
        remembers = false;
        return this;
    }

    /** @return what {@code id} remembers now */
    Gossiper.Remembered memory(NodeId id) {
        return memory.getOrDefault(id, Gossiper.Remembered.NONE);
    }

    /** Replaces what {@code id} remembers, as if its peers file had been edited or lost (NONE). */
    void setMemory(NodeId id, Gossiper.Remembered remembered) {
        memory.put(id, remembered);
    }

    Simulation simulation() {
        return simulation;
    }

    List<NodeId> ids() {
        return ids;
    }

    GossipConfig config() {
        return config;
    }

    long interval() {
        return config.intervalNanos();
    }

    List<Judgement> judgements() {
        return judgements;
    }

    Gossiper gossiper(NodeId id) {
        SimNode<Gossiper> node = simulation.node(id);
        return node.instance();
    }

    List<Gossiper> upGossipers() {
        List<Gossiper> up = new ArrayList<>();
        for (NodeId id : ids) {
            SimNode<Gossiper> node = simulation.node(id);
            if (node.isUp()) {
                up.add(node.instance());
            }
        }
        return up;
    }

    void runRounds(double rounds) {
        simulation.runFor((long) (rounds * config.intervalNanos()));
    }

    /** Runs until every up node knows every node; fails after {@code maxRounds}. */
    void awaitFullMembership(int maxRounds) {
        for (int round = 0; round < maxRounds; round++) {
            if (upGossipers().stream().allMatch(g -> g.knownEndpoints() == ids.size())) {
                return;
            }
            runRounds(1);
        }
        if (upGossipers().stream().anyMatch(g -> g.knownEndpoints() != ids.size())) {
            throw new AssertionError("membership did not converge in " + maxRounds + " rounds (seed "
                + simulation.seed() + ")");
        }
    }
}
