package io.ringkv.gossip.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.NodeId;
import io.ringkv.gossip.EndpointState;
import io.ringkv.gossip.Gossiper;
import io.ringkv.gossip.Liveness;
import io.ringkv.gossip.MembershipRing;
import io.ringkv.gossip.NodeStatus;
import io.ringkv.gossip.Readiness;
import io.ringkv.sim.SimulationSeeds;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Nodes that remember the cluster across restarts ({@link Gossiper#remembered()}, {@link Gossiper#restore}): a
 * member every survivor knew only from memory stays in the ring, DOWN, until it comes back or is removed; the
 * remembered state gives way to the live one; and a restarted node is ready to serve only once it heard from a
 * peer, or after the bounded wait.
 */
class RememberedMembershipTest {
    private static final String MODULE = "kv-gossip";
    private static final int SIZE = 5;

    private static GossipCluster cluster(long seed) {
        GossipCluster cluster = new GossipCluster(seed, SIZE, GossipFigures.config(), GossipFigures.fixed());
        cluster.awaitFullMembership(30);
        cluster.runRounds(3);
        return cluster;
    }

    /** Crashes {@code victim}, waits until it is DOWN everywhere, then crashes and restarts every other node. */
    private static void restartEveryoneBut(GossipCluster cluster, NodeId victim) {
        cluster.simulation().crash(victim);
        cluster.runRounds(35);
        List<NodeId> others = cluster.ids().stream().filter(id -> !id.equals(victim)).toList();
        others.forEach(cluster.simulation()::crash);
        cluster.runRounds(2);
        others.forEach(cluster.simulation()::restart);
    }

    @Test
    void aMemberOnlyRememberedStaysInTheRingAndDownAfterEveryoneElseRestarted() {
        SimulationSeeds.run(getClass(), "aMemberOnlyRememberedStaysInTheRingAndDownAfterEveryoneElseRestarted",
            MODULE, 3, seed -> {
                GossipCluster cluster = cluster(seed);
                NodeId victim = cluster.ids().get(SIZE - 1);
                long[] tokens = cluster.gossiper(victim).self().tokens();
                restartEveryoneBut(cluster, victim);
                long restartedAt = cluster.simulation().now();
                cluster.runRounds(40);
                for (Gossiper gossiper : cluster.upGossipers()) {
                    EndpointState remembered = gossiper.state(victim);
                    assertNotNull(remembered, "a restarted node forgot " + victim + " (seed " + seed + ")");
                    assertEquals(NodeStatus.NORMAL, remembered.status());
                    assertEquals(Liveness.DOWN, gossiper.liveness(victim));
                    assertTrue(MembershipRing.build(gossiper.states(), 3).contains(victim),
                        "the remembered member left the ring");
                    org.junit.jupiter.api.Assertions.assertArrayEquals(tokens, remembered.tokens());
                }
                // a remembered state is no sign of life: no node judged the dead node alive after the restarts
                assertTrue(cluster.judgements().stream().noneMatch(j -> j.atNanos() >= restartedAt
                    && j.subject().equals(victim) && j.to() != Liveness.DOWN), "seed " + seed);
            });
    }

    @Test
    void aNodeWithoutMemoryLearnsARememberedMemberAsDown() {
        SimulationSeeds.run(getClass(), "aNodeWithoutMemoryLearnsARememberedMemberAsDown", MODULE, 3, seed -> {
            GossipCluster cluster = cluster(seed);
            NodeId victim = cluster.ids().get(SIZE - 1);
            NodeId amnesiac = cluster.ids().get(SIZE - 2);
            cluster.simulation().crash(victim);
            cluster.runRounds(35);
            List<NodeId> others = cluster.ids().stream().filter(id -> !id.equals(victim)).toList();
            others.forEach(cluster.simulation()::crash);
            cluster.setMemory(amnesiac, Gossiper.Remembered.NONE);
            others.forEach(cluster.simulation()::restart);
            long restartedAt = cluster.simulation().now();
            cluster.runRounds(10);
            Gossiper fresh = cluster.gossiper(amnesiac);
            assertNotNull(fresh.state(victim), "the others did not pass on what they remembered");
            assertEquals(Liveness.DOWN, fresh.liveness(victim));
            assertTrue(cluster.judgements().stream().noneMatch(j -> j.atNanos() >= restartedAt
                && j.observer().equals(amnesiac) && j.subject().equals(victim) && j.to() != Liveness.DOWN),
                "a remembered state made the node look alive (seed " + seed + ")");
        });
    }

    @Test
    void theLiveGenerationSupersedesTheRememberedOne() {
        SimulationSeeds.run(getClass(), "theLiveGenerationSupersedesTheRememberedOne", MODULE, 3, seed -> {
            GossipCluster cluster = cluster(seed);
            NodeId victim = cluster.ids().get(SIZE - 1);
            long generation = cluster.gossiper(victim).self().generation();
            restartEveryoneBut(cluster, victim);
            cluster.runRounds(5);
            cluster.simulation().restart(victim);
            cluster.runRounds(15);
            for (Gossiper gossiper : cluster.upGossipers()) {
                EndpointState live = gossiper.state(victim);
                assertTrue(live.generation() > generation, "the remembered generation stayed (seed " + seed + ")");
                assertEquals(Liveness.ALIVE, gossiper.liveness(victim));
            }
            // and what every node remembers now is the live generation
            for (NodeId id : cluster.ids()) {
                EndpointState remembered = cluster.memory(id).members().stream()
                    .filter(state -> state.id().equals(victim)).findFirst().orElse(null);
                if (!id.equals(victim)) {
                    assertNotNull(remembered, id + " remembers nothing of " + victim);
                    assertTrue(remembered.generation() > generation, id + " remembers the old generation");
                }
            }
        });
    }

    @Test
    void aRemovedNodeStaysRemovedAcrossRestartsAndItsOldGenerationIsRefused() {
        SimulationSeeds.run(getClass(), "aRemovedNodeStaysRemovedAcrossRestartsAndItsOldGenerationIsRefused",
            MODULE, 2, seed -> {
                GossipCluster cluster = new GossipCluster(seed, SIZE,
                    GossipFigures.config().withQuarantine(TimeUnit.SECONDS.toNanos(20)), GossipFigures.fixed());
                cluster.awaitFullMembership(30);
                NodeId victim = cluster.ids().get(SIZE - 1);
                NodeId straggler = cluster.ids().get(SIZE - 2);
                cluster.simulation().crash(victim);
                cluster.runRounds(35);
                // the straggler was down during the removal: it remembers the victim as a member
                cluster.simulation().crash(straggler);
                cluster.gossiper(cluster.ids().get(0)).removeNode(victim);
                cluster.runRounds(40);
                List<NodeId> rest = cluster.ids().stream()
                    .filter(id -> !id.equals(victim) && !id.equals(straggler)).toList();
                for (NodeId id : rest) {
                    assertNull(cluster.gossiper(id).state(victim), id + " still holds the removed node");
                    assertTrue(cluster.memory(id).members().stream().noneMatch(s -> s.id().equals(victim)));
                    assertEquals(1, cluster.memory(id).removed().size(), "the removal is remembered");
                }
                // everyone restarts: the straggler comes back gossiping the removed node's old state
                rest.forEach(cluster.simulation()::crash);
                rest.forEach(cluster.simulation()::restart);
                cluster.simulation().restart(straggler);
                cluster.runRounds(60);
                for (Gossiper gossiper : cluster.upGossipers()) {
                    EndpointState state = gossiper.state(victim);
                    assertTrue(state == null || state.status() == NodeStatus.LEFT,
                        "the removed node came back as " + state + " (seed " + seed + ")");
                    assertFalse(MembershipRing.build(gossiper.states(), 3).contains(victim));
                }
            });
    }

    @Test
    void aRestartedNodeIsReadyOnlyOnceItHeardFromAPeer() {
        SimulationSeeds.run(getClass(), "aRestartedNodeIsReadyOnlyOnceItHeardFromAPeer", MODULE, 3, seed -> {
            GossipCluster cluster = cluster(seed);
            NodeId restarted = cluster.ids().get(SIZE - 1);
            cluster.simulation().crash(restarted);
            cluster.runRounds(2);
            cluster.simulation().restart(restarted);
            Readiness readiness = new Readiness(1000);
            String reason = readiness.judge(cluster.gossiper(restarted));
            assertNotNull(reason, "ready before hearing from anyone");
            assertTrue(reason.contains("exchanged gossip with a peer"), reason);
            boolean heard = cluster.simulation().runUntil(() -> cluster.gossiper(restarted).hasExchangedWithPeer(),
                TimeUnit.SECONDS.toNanos(10));
            assertTrue(heard, "never heard from a peer (seed " + seed + ")");
            assertNull(readiness.judge(cluster.gossiper(restarted)));
            assertEquals(SIZE, MembershipRing.build(cluster.gossiper(restarted).states(), 3).size());
        });
    }

    @Test
    void aNodeNoPeerAnswersServesAfterTheBoundedWait() {
        GossipCluster cluster = cluster(7);
        NodeId survivor = cluster.ids().get(0);
        cluster.ids().forEach(cluster.simulation()::crash);
        cluster.runRounds(2);
        cluster.simulation().restart(survivor);
        Readiness readiness = new Readiness(10);
        Gossiper gossiper = cluster.gossiper(survivor);
        while (gossiper.rounds() < 10) {
            assertNotNull(readiness.judge(gossiper), "ready after " + gossiper.rounds() + " rounds");
            cluster.runRounds(0.5);
        }
        assertFalse(gossiper.hasExchangedWithPeer());
        assertNull(readiness.judge(gossiper), "still waiting after the bound");
        assertEquals(SIZE, MembershipRing.build(gossiper.states(), 3).size(), "the ring is the remembered one");
    }

    @Test
    void aLoneNodeWithNobodyToHearFromIsReadyOnceNormal() {
        GossipCluster cluster = new GossipCluster(3, 1, GossipFigures.config(), GossipFigures.fixed());
        assertNull(new Readiness(10).judge(cluster.gossiper(cluster.ids().getFirst())));
    }
}
