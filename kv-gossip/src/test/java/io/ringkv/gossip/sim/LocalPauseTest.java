package io.ringkv.gossip.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.NodeId;
import io.ringkv.gossip.FailureDetector;
import io.ringkv.gossip.GossipCounter;
import io.ringkv.gossip.Gossiper;
import io.ringkv.gossip.Liveness;
import io.ringkv.sim.SimulationSeeds;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * A node stopped for longer than its peers' down-after (SIGSTOP, a long garbage-collection pause) while its
 * monotonic clock ran on: when it resumes it must not take its own stall for the silence of every peer, and its
 * failure detector must not learn the pause as a heartbeat interval. And a remembered state's age, relayed by a
 * restarted node, is no heartbeat either.
 */
class LocalPauseTest {
    private static final String MODULE = "kv-gossip";
    private static final int SIZE = 5;
    private static final long INTERVAL = GossipFigures.INTERVAL;

    private static GossipCluster cluster(long seed, Supplier<FailureDetector> detector) {
        GossipCluster cluster = new GossipCluster(seed, SIZE, GossipFigures.config(), detector);
        cluster.awaitFullMembership(30);
        cluster.runRounds(5);
        return cluster;
    }

    @Test
    void aNodeResumedFromALongPauseJudgesNoPeerDown() {
        SimulationSeeds.run(getClass(), "aNodeResumedFromALongPauseJudgesNoPeerDown", MODULE, 3, seed -> {
            GossipCluster cluster = cluster(seed, GossipFigures.fixed());
            NodeId paused = cluster.ids().get(SIZE - 1);
            long pausedAt = cluster.simulation().now();
            cluster.simulation().pause(paused, GossipFigures.DOWN_AFTER + 10 * INTERVAL);
            cluster.runRounds(GossipFigures.DOWN_AFTER / INTERVAL + 15);
            List<GossipCluster.Judgement> byPaused = cluster.judgements().stream()
                .filter(j -> j.atNanos() >= pausedAt && j.observer().equals(paused) && j.to() != Liveness.ALIVE)
                .toList();
            assertTrue(byPaused.isEmpty(), "the resumed node judged its peers " + byPaused + " (seed " + seed + ")");
            Gossiper gossiper = cluster.gossiper(paused);
            for (NodeId peer : cluster.ids()) {
                assertEquals(Liveness.ALIVE, gossiper.liveness(peer), peer + " (seed " + seed + ")");
            }
            assertEquals(1, gossiper.counters().value(GossipCounter.LOCAL_PAUSES), "the pause is counted once");
            // the peers did not hear it for longer than down-after: they were right to judge it DOWN meanwhile
            assertTrue(cluster.judgements().stream().anyMatch(j -> j.subject().equals(paused)
                && j.to() == Liveness.DOWN), "no peer noticed the pause (seed " + seed + ")");
        });
    }

    @Test
    void aPauseDoesNotSlowThePhiDetectorsDetectionOfALaterCrash() {
        SimulationSeeds.run(getClass(), "aPauseDoesNotSlowThePhiDetectorsDetectionOfALaterCrash", MODULE, 3,
            seed -> {
                GossipCluster cluster = cluster(seed, GossipFigures.phi());
                NodeId paused = cluster.ids().get(SIZE - 1);
                NodeId victim = cluster.ids().get(0);
                cluster.simulation().pause(paused, 60 * INTERVAL);
                cluster.runRounds(60 + 10);
                assertEquals(Liveness.ALIVE, cluster.gossiper(paused).liveness(victim), "seed " + seed);
                assertDownSoonAfterCrash(cluster, paused, victim, seed);
            });
    }

    @Test
    void aRememberedStatesAgeDoesNotSlowThePhiDetector() {
        SimulationSeeds.run(getClass(), "aRememberedStatesAgeDoesNotSlowThePhiDetector", MODULE, 3, seed -> {
            GossipCluster cluster = cluster(seed, GossipFigures.phi());
            NodeId cutOff = cluster.ids().get(SIZE - 1);
            NodeId amnesiac = cluster.ids().get(SIZE - 2);
            List<NodeId> others = cluster.ids().stream().filter(id -> !id.equals(cutOff)).toList();
            cluster.simulation().network().partition(List.of(cutOff), others);
            cluster.runRounds(35);
            // every other node restarts and knows the cut-off node only from memory (sent with a 30-day age);
            // the amnesiac remembers nothing and learns it from the others' memory
            others.forEach(cluster.simulation()::crash);
            cluster.setMemory(amnesiac, Gossiper.Remembered.NONE);
            others.forEach(cluster.simulation()::restart);
            cluster.runRounds(10);
            assertEquals(Liveness.DOWN, cluster.gossiper(amnesiac).liveness(cutOff), "seed " + seed);
            cluster.simulation().network().heal();
            cluster.runRounds(15);
            assertEquals(Liveness.ALIVE, cluster.gossiper(amnesiac).liveness(cutOff), "seed " + seed);
            assertDownSoonAfterCrash(cluster, amnesiac, cutOff, seed);
        });
    }

    /**
     * Crashes {@code victim} and checks that {@code observer} judges it DOWN within what a steady history allows
     * (the phi detector of {@link GossipFigures#phi()} says DOWN after about 16 silent rounds).
     */
    private static void assertDownSoonAfterCrash(GossipCluster cluster, NodeId observer, NodeId victim, long seed) {
        long crashedAt = cluster.simulation().now();
        cluster.simulation().crash(victim);
        cluster.runRounds(60);
        long down = cluster.judgements().stream()
            .filter(j -> j.atNanos() >= crashedAt && j.observer().equals(observer) && j.subject().equals(victim)
                && j.to() == Liveness.DOWN)
            .mapToLong(GossipCluster.Judgement::atNanos).min().orElse(Long.MAX_VALUE);
        assertTrue(down <= crashedAt + 20 * INTERVAL, observer + " judged the crashed " + victim + " DOWN after "
            + (down == Long.MAX_VALUE ? "more than 60" : (down - crashedAt) / (double) INTERVAL) + " rounds (seed "
            + seed + ")");
    }
}
