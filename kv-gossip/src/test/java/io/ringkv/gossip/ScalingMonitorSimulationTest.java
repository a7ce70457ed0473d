package io.ringkv.gossip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.Node;
import io.ringkv.api.NodeId;
import io.ringkv.sim.SimNode;
import io.ringkv.sim.Simulation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Four nodes gossip their request rates with 20 % message loss while each serves its own simulated traffic: every
 * node's monitor sees the cluster's total within the announced precision and recommends the same size; a sustained
 * rise recommends more nodes on every node, a crashed node's traffic drops out of the total and the policy holds while it is DOWN, and a node's own
 * rate comes from its counter of answered requests.
 */
class ScalingMonitorSimulationTest {
    private static final long S = TimeUnit.SECONDS.toNanos(1);
    private static final int NODES = 4;
    private static final long PERIOD = 5 * S;
    /** target 1,000/s per node; out after 20 s; in after 40 s; 30 s cool-down; 1-8 nodes */
    private static final ScalingPolicy.Config POLICY = new ScalingPolicy.Config(1_000, 0, 1, 8, 20 * S, 40 * S,
        30 * S, 0.7);

    private final List<NodeId> ids = new ArrayList<>();
    /** requests per second each node serves now, changed by the test */
    private final Map<NodeId, Double> rates = new HashMap<>();
    /** requests each node answered until {@link #countedAt} */
    private final Map<NodeId, Double> answered = new HashMap<>();
    private final Map<NodeId, ScalingMonitor> monitors = new HashMap<>();
    private Simulation sim;
    private long countedAt;

    private void start(long seed) {
        sim = new Simulation(seed);
        sim.network().dropRate(0.2);
        ids.clear();
        monitors.clear();
        countedAt = 0;
        for (int i = 0; i < NODES; i++) {
            ids.add(NodeId.of("n" + i));
            rates.put(ids.get(i), 0.0);
            answered.put(ids.get(i), 0.0);
        }
        GossipConfig config = GossipConfig.withSeeds(ids.subList(0, 2)).withInterval(S);
        for (int i = 0; i < NODES; i++) {
            NodeId id = ids.get(i);
            int ordinal = i;
            sim.addNode(id, (context, disk) -> {
                Node node = new Node(id, "10.0.0." + (ordinal + 1), 7400, 7379, Node.DEFAULT_ZONE, Node.DEFAULT_RACK);
                long[] tokens = new SplittableRandom(seed ^ ordinal).longs(8).map(t -> t | 1).toArray();
                EndpointState self = EndpointState.initial(node, context.clock().wallClockMillis() + 1,
                    NodeStatus.NORMAL, tokens, Map.of());
                Gossiper gossiper = new Gossiper(context, config, self, new FixedTimeoutDetector(5 * S, 10 * S),
                    new Gossiper.Listener() {
                    });
                gossiper.start();
                ScalingMonitor monitor = new ScalingMonitor(context, gossiper, new ScalingPolicy(POLICY),
                    () -> (long) requestsAnswered(id), () -> 1_000_000L * (ordinal + 1), PERIOD);
                monitor.start();
                monitors.put(id, monitor);
                return gossiper;
            });
        }
    }

    /** Brings every node's answered count up to now at its current rate. */
    private void count() {
        long now = sim.now();
        for (NodeId id : ids) {
            answered.merge(id, rates.get(id) * (now - countedAt) / S, Double::sum);
        }
        countedAt = now;
    }

    private double requestsAnswered(NodeId id) {
        count();
        return answered.get(id);
    }

    private void serve(double... perNode) {
        count();
        for (int i = 0; i < NODES; i++) {
            rates.put(ids.get(i), perNode[i]);
        }
    }

    private List<ScalingPolicy.Recommendation> upRecommendations() {
        List<ScalingPolicy.Recommendation> all = new ArrayList<>();
        for (NodeId id : ids) {
            SimNode<Gossiper> node = sim.node(id);
            if (node.isUp()) {
                all.add(monitors.get(id).latest());
            }
        }
        return all;
    }

    @Test
    void everyNodeSeesTheClusterAndRecommendsTheSame() {
        for (long seed = 1; seed <= 5; seed++) {
            start(seed);
            serve(800, 700, 500, 400);
            sim.runFor(60 * S);
            for (ScalingPolicy.Recommendation r : upRecommendations()) {
                assertEquals(4, r.members(), "seed " + seed);
                assertEquals(2_400, r.requestsPerSecond(), 100, "seed " + seed + ": " + r);
                assertEquals(4, r.recommended(), "2,400/s would put 3 nodes at 80 % of the target, above the 70 %"
                    + " headroom: hold, seed " + seed + ": " + r);
            }
            for (NodeId id : ids) {
                long own = sim.node(id).counters().counters().stream()
                    .filter(c -> c.name().equals("autoscale_requests_per_second")).findFirst().orElseThrow().get();
                assertEquals(rates.get(id), own, 1, "seed " + seed + ", " + id);
            }

            // 7,000/s for longer than the window: every node asks for 7 nodes
            serve(4_000, 1_000, 1_000, 1_000);
            sim.runFor(40 * S);
            for (ScalingPolicy.Recommendation r : upRecommendations()) {
                assertEquals(7, r.recommended(), "seed " + seed + ": " + r);
                assertTrue(r.reason().contains("above target"), r.reason());
            }

            // the busiest node crashes: its traffic is no longer counted once it is DOWN
            sim.crash(ids.get(0));
            sim.runFor(30 * S);
            for (ScalingPolicy.Recommendation r : upRecommendations()) {
                assertEquals(3_000, r.requestsPerSecond(), 200, "seed " + seed + ": " + r);
                assertEquals(4, r.members(), "a DOWN member is still a member: " + r);
                assertEquals(4, r.recommended(), "hold while a member is DOWN: " + r);
                assertTrue(r.reason().contains("1 member(s) DOWN"), r.reason());
            }
        }
    }
}
