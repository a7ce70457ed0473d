package io.ringkv.node.membership;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.Key;
import io.ringkv.api.NodeId;
import io.ringkv.gossip.EndpointState;
import io.ringkv.gossip.NodeLifecycle;
import io.ringkv.gossip.NodeStatus;
import io.ringkv.gossip.RangeMover;
import io.ringkv.ring.Ring;
import io.ringkv.sim.SimulationSeeds;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * The whole elastic path of a node, wired as the node wires it (see {@link ElasticCluster}), in virtual time with
 * message loss: four nodes (N=3, QUORUM R=W=2) serve a continuous workload of QUORUM writes and reads while a fifth
 * joins and then one of the four decommissions; depending on the seed, the joiner, a stream source or the leaver
 * crashes mid-stream and restarts. Over the whole history no QUORUM read misses a write acknowledged before it began,
 * even when the two were routed by views of the ring that disagree on the key's replicas (the moments a join or leave
 * completes, while gossip spreads it): the coordinator's joint quorums close that gap (without them about one seed in
 * ten missed a write here); after
 * the moves every key written before them is on all N of its replicas; at the end every key reads back at QUORUM,
 * with every acknowledged write, through every remaining node; the join and the leave each move little more than
 * the data whose replica set changed; and the leaver is LEFT, in no ring, in every remaining node's view.
 */
class ElasticClusterSimulationTest {
    private static final String MODULE = "kv-node";
    private static final double LOSS = 0.05;
    private static final long MS = 1_000_000;
    private static final long SECOND = 1_000 * MS;
    private static final int COLD_KEYS = 600;
    private static final int HOT_KEYS = 24;
    private static final int VALUE_BYTES = 100;
    /** A join's or leave's records received or sent stay within this share above the ideal (the issue's bound). */
    private static final double MOVE_BOUND = 1.1;

    /** What goes wrong mid-stream in a run, by seed. */
    private enum Fault {
        NONE, JOINER_CRASHES, SOURCE_CRASHES, LEAVER_CRASHES
    }

    @Test
    void aNodeJoinsAndAnotherLeavesUnderQuorumTrafficWithoutLosingAnAcknowledgedWrite() {
        SimulationSeeds.run(getClass(), "aNodeJoinsAndAnotherLeavesUnderQuorumTrafficWithoutLosingAnAcknowledgedWrite",
            MODULE, 16, seed -> run(seed, Fault.values()[(int) (seed % Fault.values().length)]));
    }

    /**
     * A node decommissions while a fifth joins and still streams from it, and its process exits once it left: the
     * joiner still completes its join (its sessions with the leaver can never complete, so it must move against the
     * ring without the leaver), every key written before the moves ends on all N replicas, and no QUORUM read
     * misses an acknowledged write.
     */
    @Test
    void aStreamSourceLeavesWhileANodeJoins() {
        java.util.concurrent.atomic.AtomicInteger runs = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger replanned = new java.util.concurrent.atomic.AtomicInteger();
        SimulationSeeds.run(getClass(), "aStreamSourceLeavesWhileANodeJoins", MODULE, 8, seed -> {
            runs.incrementAndGet();
            ElasticCluster cluster = new ElasticCluster(seed, LOSS);
            List<NodeId> original = startFour(cluster);
            QuorumWorkload workload = new QuorumWorkload(cluster, seed);
            List<String> cold = preloadCold(cluster, workload);
            workload.start(List.of("hot-0", "hot-1", "hot-2", "hot-3"), 20 * MS);

            NodeId joiner = cluster.add();
            awaitStreaming(cluster, joiner, RangeMover.Direction.RECEIVE);
            NodeId leaver = original.get((int) (seed % 4));
            assertTrue(cluster.lifecycle(leaver).decommission().startsWith("decommissioning"));
            assertTrue(cluster.simulation().runUntil(() -> cluster.lifecycle(leaver).hasLeft(), 300 * SECOND),
                "never left\n" + describe(cluster, joiner, leaver));
            cluster.crash(leaver);
            Ring after = cluster.awaitSettled(300, List.of(leaver));
            assertTrue(after.contains(joiner), "the joiner is not in the ring\n" + describe(cluster, joiner, leaver));
            assertFalse(after.contains(leaver));

            List<NodeId> remaining = stopAndReadAll(cluster, workload, cold, after);
            assertNoAcknowledgedWriteMissed(cluster, workload, joiner, leaver);
            assertLeft(cluster, leaver, remaining);
            assertEquals(List.of(), cluster.simulation().handlerFailures());
            if (cluster.events(joiner).contains(leaver + " left the ring while this node moved data with it")) {
                replanned.incrementAndGet();
            }
        });
        // the scenario happened: in most runs the leaver left while the joiner still had sessions with it to run
        // (a seed or a few replayed alone may be ones whose join finished first)
        assertTrue(runs.get() < 4 || 2 * replanned.get() >= runs.get(), "only " + replanned.get() + " of "
            + runs.get() + " joins planned their move again when the leaver left");
    }

    private static void run(long seed, Fault fault) {
        ElasticCluster cluster = new ElasticCluster(seed, LOSS);
        List<NodeId> original = startFour(cluster);
        QuorumWorkload workload = new QuorumWorkload(cluster, seed);
        List<String> cold = preloadCold(cluster, workload);
        List<String> hot = new ArrayList<>();
        for (int i = 0; i < HOT_KEYS; i++) {
            hot.add("hot-" + i);
        }
        workload.start(hot, 10 * MS);
        cluster.simulation().runFor(3 * SECOND);

        // a fifth node joins
        Ring beforeJoin = cluster.awaitSettled(10, List.of());
        NodeId joiner = cluster.add();
        if (fault == Fault.JOINER_CRASHES || fault == Fault.SOURCE_CRASHES) {
            NodeId victim = fault == Fault.JOINER_CRASHES ? joiner : original.get((int) ((seed + 1) % 4));
            awaitStreaming(cluster, joiner, RangeMover.Direction.RECEIVE);
            crashAndRestart(cluster, victim, 3 * SECOND);
        }
        Ring afterJoin = cluster.awaitSettled(300, List.of());
        assertTrue(afterJoin.contains(joiner));
        cluster.simulation().runFor(3 * SECOND);
        // every record the joiner merged by repair: a source resends what a crashed joiner's sessions had in flight
        // to its next incarnation, outside any session it runs, so that stream counters do not count it
        long joinMerged = cluster.streamCounter(joiner, "repair_keys_received");

        // one of the four decommissions
        NodeId leaver = original.get((int) (seed % 4));
        Ring beforeLeave = cluster.awaitSettled(10, List.of());
        assertTrue(cluster.lifecycle(leaver).decommission().startsWith("decommissioning"));
        if (fault == Fault.LEAVER_CRASHES) {
            awaitStreaming(cluster, leaver, RangeMover.Direction.SEND);
            crashAndRestart(cluster, leaver, 3 * SECOND);
            // the restarted node owns its tokens again, NORMAL: the operator runs the decommission again
            cluster.awaitSettled(300, List.of());
            assertTrue(cluster.lifecycle(leaver).decommission().startsWith("decommissioning"));
        }
        assertTrue(cluster.simulation().runUntil(() -> cluster.lifecycle(leaver).hasLeft(), 300 * SECOND),
            "never left\n" + cluster.events(leaver));
        // its process exits, as the node's does once it left
        cluster.crash(leaver);
        Ring afterLeave = cluster.awaitSettled(300, List.of(leaver));
        cluster.simulation().runFor(3 * SECOND);

        List<NodeId> remaining = stopAndReadAll(cluster, workload, cold, afterLeave);

        assertNoAcknowledgedWriteMissed(cluster, workload, joiner, leaver);
        assertTrue(workload.acknowledged() > COLD_KEYS + 500, "too few writes acknowledged: "
            + workload.acknowledged());
        assertLeft(cluster, leaver, remaining);
        assertMovedLittleMoreThanIdeal(cluster, workload, fault, joiner, joinMerged, beforeJoin, afterJoin, leaver,
            beforeLeave, afterLeave);
        assertEquals(List.of(), cluster.simulation().handlerFailures());
    }

    /** Starts four nodes and runs until they form one ring. */
    private static List<NodeId> startFour(ElasticCluster cluster) {
        List<NodeId> original = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            original.add(cluster.add());
        }
        cluster.awaitSettled(300, List.of());
        return original;
    }

    /** @return the cold keys, each written once through the workload before anything moves */
    private static List<String> preloadCold(ElasticCluster cluster, QuorumWorkload workload) {
        List<String> cold = new ArrayList<>();
        for (int i = 0; i < COLD_KEYS; i++) {
            cold.add("cold-" + i);
        }
        workload.preload(cold, VALUE_BYTES, 2 * MS);
        assertTrue(cluster.simulation().runUntil(workload::idle, 60 * SECOND), "the preload never finished");
        return cold;
    }

    /**
     * Stops the workload, checks that every replica of {@code ring} holds the cold keys (before the final reads,
     * whose read repairs would fill a replica the moves left without a key), then reads every key at QUORUM through
     * every node still up and checks that each read back through each.
     *
     * @return the nodes still up, which the final reads went through
     */
    private static List<NodeId> stopAndReadAll(ElasticCluster cluster, QuorumWorkload workload, List<String> cold,
                                               Ring ring) {
        workload.stop();
        assertTrue(cluster.simulation().runUntil(workload::idle, 60 * SECOND), "requests never ended");
        assertEveryReplicaHoldsTheColdKeys(cluster, cold, ring);
        List<NodeId> remaining = cluster.upIds();
        long finalStart = cluster.simulation().now();
        workload.readAll(remaining);
        assertTrue(cluster.simulation().runUntil(workload::idle, 120 * SECOND), "final reads never ended");
        assertEveryKeyReadBack(workload, remaining, finalStart);
        return remaining;
    }

    /**
     * No read missed a write acknowledged before it began, including a read and a write routed by rings that
     * disagree on the key's replicas (one coordinator already knew a join or leave had finished, the other not yet):
     * each needs a quorum in every view of the key's replicas a coordinator may route by, so their quorums meet.
     */
    private static void assertNoAcknowledgedWriteMissed(ElasticCluster cluster, QuorumWorkload workload,
                                                        NodeId joiner, NodeId leaver) {
        List<QuorumWorkload.Miss> misses = workload.misses();
        assertTrue(misses.isEmpty(), misses.size() + " reads missed acknowledged writes:\n"
            + String.join("\n", misses.stream().limit(10).map(Object::toString).toList()) + "\n"
            + describe(cluster, joiner, leaver));
    }

    /** Runs until {@code node} is moving data in {@code direction} and has completed a session of it. */
    private static void awaitStreaming(ElasticCluster cluster, NodeId node, RangeMover.Direction direction) {
        BooleanSupplier streaming = () -> cluster.isUp(node) && cluster.moves().stream()
            .anyMatch(m -> m.node().equals(node) && m.move().direction() == direction)
            && cluster.member(node).streamer.active() && cluster.member(node).streamer.progress().done() >= 1;
        assertTrue(cluster.simulation().runUntil(streaming, 200 * SECOND), node + " never streamed\n"
            + cluster.events(node));
    }

    private static void crashAndRestart(ElasticCluster cluster, NodeId node, long downNanos) {
        cluster.crash(node);
        cluster.simulation().runFor(downNanos);
        cluster.simulation().restart(node);
    }

    private static void assertEveryKeyReadBack(QuorumWorkload workload, List<NodeId> remaining, long since) {
        Set<String> readBack = new HashSet<>();
        for (QuorumWorkload.Read read : workload.reads()) {
            if (read.startedAt() >= since) {
                readBack.add(read.key() + "@" + read.via());
            }
        }
        for (String key : workload.keys()) {
            for (NodeId via : remaining) {
                assertTrue(readBack.contains(key + "@" + via), key + " did not read back at QUORUM through " + via);
            }
        }
    }

    /**
     * The keys written once, before the moves, are on all N of their replicas in the final ring: the join and the
     * leave streamed them to every replica they gained (a QUORUM read alone would not see one copy missing).
     */
    private static void assertEveryReplicaHoldsTheColdKeys(ElasticCluster cluster, List<String> cold, Ring ring) {
        java.util.Map<NodeId, Set<String>> held = new java.util.HashMap<>();
        for (NodeId id : cluster.upIds()) {
            Set<String> keys = new HashSet<>();
            cluster.member(id).engine.scan(0, 0, record -> {
                keys.add(new String(record.key().toByteArray(), java.nio.charset.StandardCharsets.UTF_8));
                return true;
            });
            held.put(id, keys);
        }
        List<String> missing = new ArrayList<>();
        for (String key : cold) {
            for (io.ringkv.api.Node replica : ring.preferenceList(Key.utf8(key)).replicas()) {
                if (!held.get(replica.id()).contains(key)) {
                    missing.add(key + " on " + replica.id());
                }
            }
        }
        assertTrue(missing.isEmpty(), missing.size() + " copies missing: " + missing.subList(0,
            Math.min(10, missing.size())));
    }

    private static void assertLeft(ElasticCluster cluster, NodeId leaver, List<NodeId> remaining) {
        assertFalse(remaining.contains(leaver));
        assertEquals(0, cluster.stored(leaver).length, "a restart would bring the leaver's tokens back");
        for (NodeId id : remaining) {
            NodeLifecycle lifecycle = cluster.lifecycle(id);
            EndpointState state = lifecycle.gossiper().state(leaver);
            assertNotNull(state, id + " forgot the leaver already");
            assertEquals(NodeStatus.LEFT, state.status(), id + "'s view of the leaver");
            assertFalse(lifecycle.ring().contains(leaver), id + " still routes to the leaver");
            assertFalse(lifecycle.futureRing().contains(leaver), id + " still moves data to the leaver");
            assertFalse(cluster.member(id).replication.coordinator().ring().contains(leaver),
                id + "'s coordinator still routes to the leaver");
        }
    }

    /**
     * The joiner receives, and the leaver sends, little more than the keys whose replica set gains a node in the
     * move. Allowance above 10 %: a hot key written while the move runs may differ again between two sessions of
     * its range (one per source), so it may move once per session; at most N sessions cover a key.
     */
    private static void assertMovedLittleMoreThanIdeal(ElasticCluster cluster, QuorumWorkload workload, Fault fault,
                                                       NodeId joiner, long joinMerged, Ring beforeJoin,
                                                       Ring afterJoin, NodeId leaver, Ring beforeLeave,
                                                       Ring afterLeave) {
        long joinIdeal = gaining(workload, beforeJoin, afterJoin);
        long leaveIdeal = gaining(workload, beforeLeave, afterLeave);
        long received = cluster.streamCounter(joiner, "stream_keys_received");
        long sent = cluster.streamCounter(leaver, "stream_keys_sent");
        System.out.printf("MOVED seed %d %s: join %d received (%d merged) for %d ideal; leave %d sent for %d ideal%n",
            cluster.simulation().seed(), fault, received, joinMerged, joinIdeal, sent, leaveIdeal);
        long allowance = (long) ElasticCluster.N * HOT_KEYS;
        assertTrue(joinIdeal > COLD_KEYS / 10 && leaveIdeal > COLD_KEYS / 10, "too little moves to judge");
        assertTrue(joinMerged >= joinIdeal - HOT_KEYS, "the joiner merged only " + joinMerged + " records (" + received
            + " counted by its streaming sessions) of " + joinIdeal);
        assertTrue(received <= MOVE_BOUND * joinIdeal + allowance, "the join moved " + received + " records for "
            + joinIdeal + " keys");
        assertTrue(sent <= MOVE_BOUND * leaveIdeal + allowance, "the leave moved " + sent + " records for "
            + leaveIdeal + " keys");
    }

    /** @return how many written keys have a replica in {@code after} that they did not have in {@code before} */
    private static long gaining(QuorumWorkload workload, Ring before, Ring after) {
        long count = 0;
        for (String key : workload.keys()) {
            if (!workload.wasAcknowledged(key)) {
                continue;
            }
            var was = before.preferenceList(Key.utf8(key));
            var now = after.preferenceList(Key.utf8(key));
            if (now.replicas().stream().anyMatch(node -> !was.contains(node.id()))) {
                count++;
            }
        }
        return count;
    }

    private static String describe(ElasticCluster cluster, NodeId joiner, NodeId leaver) {
        return "joiner " + joiner + ":\n" + cluster.events(joiner) + "\nleaver " + leaver + ":\n"
            + cluster.events(leaver);
    }
}
