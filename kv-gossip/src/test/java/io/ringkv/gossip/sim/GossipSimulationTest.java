package io.ringkv.gossip.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.KvException;
import io.ringkv.api.Node;
import io.ringkv.api.NodeId;
import io.ringkv.gossip.EndpointState;
import io.ringkv.gossip.GossipCounter;
import io.ringkv.gossip.Gossiper;
import io.ringkv.gossip.Liveness;
import io.ringkv.gossip.Membership;
import io.ringkv.gossip.internal.GossipCodec;
import io.ringkv.gossip.NodeStatus;
import io.ringkv.sim.SimulationSeeds;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class GossipSimulationTest {
    private static final String MODULE = "kv-gossip";

    @Test
    void aCrashedNodeIsSuspectThenDownOnEveryNodeInTime() {
        SimulationSeeds.run(getClass(), "aCrashedNodeIsSuspectThenDownOnEveryNodeInTime", MODULE, 3, seed -> {
            GossipFigures.Detection detection = GossipFigures.detection(seed, 200, 0.01);
            // the victim's last heartbeat was made up to a round before the crash, so "not before suspect_after"
            // allows one round early; the target is "everywhere within suspect_after + 2 rounds"
            assertTrue(detection.suspectRounds() >= 14 && detection.suspectRounds() <= 17,
                "SUSPECT everywhere after " + detection.suspectRounds() + " rounds");
            assertTrue(detection.downRounds() >= 29 && detection.downRounds() <= 32,
                "DOWN everywhere after " + detection.downRounds() + " rounds");
        });
    }

    @Test
    void tenPercentLossForAnHourMarksNoLiveNodeDown() {
        SimulationSeeds.run(getClass(), "tenPercentLossForAnHourMarksNoLiveNodeDown", MODULE, 1, seed -> {
            GossipFigures.FalseJudgements fixed = GossipFigures.falseJudgements(seed, 50, 0.10, 3600,
                GossipFigures.fixed());
            GossipFigures.FalseJudgements phi = GossipFigures.falseJudgements(seed, 50, 0.10, 3600,
                GossipFigures.phi());
            System.out.println("false judgements over 1 h, 50 nodes, 10 % loss: fixed " + fixed + ", phi " + phi);
            assertEquals(0, fixed.downs(), "fixed-timeout detector marked a live node DOWN: " + fixed);
            assertEquals(0, phi.downs(), "phi accrual detector marked a live node DOWN: " + phi);
        });
    }

    @Test
    void partitionedHalvesSeeEachOtherDownAndConvergeAfterTheHeal() {
        SimulationSeeds.run(getClass(), "partitionedHalvesSeeEachOtherDownAndConvergeAfterTheHeal", MODULE, 2,
            seed -> {
                GossipFigures.PartitionHeal result = GossipFigures.partitionAndHeal(seed, 100);
                assertTrue(result.eachSideSawTheOtherDown(), "a node did not judge the other half DOWN");
                assertTrue(result.roundsToConverge() > 0 && result.roundsToConverge() <= 15,
                    "converged after " + result.roundsToConverge() + " rounds");
            });
    }

    @Test
    void aStableClusterGossipsHeartbeatsNotStates() {
        GossipFigures.Bandwidth bandwidth = GossipFigures.bandwidth(11, 200, 20);
        System.out.println("stable 200-node cluster: " + bandwidth);
        assertEquals(0.0, bandwidth.fullStatesPerRound(), "full states kept moving in a stable cluster");
        assertTrue(bandwidth.bytesPerNodeRound() > 0);
    }

    @Test
    void aChangeOfOneNodesContentReachesEveryNode() {
        SimulationSeeds.run(getClass(), "aChangeOfOneNodesContentReachesEveryNode", MODULE, 5, seed -> {
            GossipCluster cluster = new GossipCluster(seed, 50, GossipFigures.config(), GossipFigures.fixed());
            cluster.simulation().network().dropRate(0.01);
            cluster.awaitFullMembership(30);
            cluster.runRounds(3);
            NodeId changed = cluster.ids().get(17);
            Gossiper owner = cluster.gossiper(changed);
            owner.announceApplicationState("records", "42");
            owner.announce(NodeStatus.LEAVING, owner.self().tokens());
            cluster.runRounds(15);
            for (NodeId id : cluster.ids()) {
                EndpointState seen = cluster.gossiper(id).state(changed);
                assertEquals(NodeStatus.LEAVING, seen.status(), id + " missed the status change");
                assertEquals("42", seen.applicationState().get("records"), id + " missed the application state");
            }
        });
    }

    @Test
    void aRestartedNodeIsAliveAgainWithANewGeneration() {
        SimulationSeeds.run(getClass(), "aRestartedNodeIsAliveAgainWithANewGeneration", MODULE, 5, seed -> {
            GossipCluster cluster = new GossipCluster(seed, 20, GossipFigures.config(), GossipFigures.fixed());
            cluster.awaitFullMembership(30);
            NodeId victim = cluster.ids().get(7);
            long generation = cluster.gossiper(victim).self().generation();
            cluster.simulation().crash(victim);
            cluster.runRounds(35);
            for (NodeId id : cluster.ids()) {
                if (!id.equals(victim)) {
                    assertEquals(Liveness.DOWN, cluster.gossiper(id).liveness(victim), id + " on the crashed node");
                }
            }
            cluster.simulation().restart(victim);
            cluster.runRounds(15);
            for (NodeId id : cluster.ids()) {
                Gossiper gossiper = cluster.gossiper(id);
                assertEquals(Liveness.ALIVE, gossiper.liveness(victim), id + " on the restarted node");
                assertTrue(gossiper.state(victim).generation() > generation, id + " still holds the old generation");
                assertEquals(NodeStatus.NORMAL, gossiper.state(victim).status());
            }
        });
    }

    /**
     * Whether a node judged DOWN was up after: not for a crashed node, nor for heartbeats made before the judgment
     * that reach an observer late (a node cut off with one other, which heard them, then crashed); yes for a node cut
     * off from every other, reached again and cut off again (as it is to an observer that was down meanwhile and
     * never saw it alive), and for a restarted one; never for a node removed while down.
     */
    @Test
    void aNodeJudgedDownWasUpAfterOnlyOnceItMadeAHeartbeatSinceOrRestarted() {
        SimulationSeeds.run(getClass(), "aNodeJudgedDownWasUpAfterOnlyOnceItMadeAHeartbeatSinceOrRestarted", MODULE,
            3, seed -> {
                GossipCluster cluster = new GossipCluster(seed, 8, GossipFigures.config(), GossipFigures.fixed());
                cluster.awaitFullMembership(30);
                NodeId crashed = cluster.ids().get(5);
                NodeId cutOff = cluster.ids().get(6);
                List<NodeId> others = cluster.ids().stream().filter(id -> !id.equals(cutOff)).toList();
                List<NodeId> observers = others.stream().filter(id -> !id.equals(crashed)).toList();
                cluster.simulation().crash(crashed);
                cluster.simulation().network().partition(List.of(cutOff), others);
                cluster.runRounds(35);
                // every observer judged both DOWN by now (the simulation's clock is every node's monotonic clock)
                long judged = cluster.simulation().now();
                long crashedGeneration = cluster.gossiper(observers.get(0)).state(crashed).generation();
                for (NodeId id : observers) {
                    Gossiper gossiper = cluster.gossiper(id);
                    assertEquals(Liveness.DOWN, gossiper.liveness(cutOff), id.value());
                    assertEquals(Liveness.DOWN, gossiper.liveness(crashed), id.value());
                    assertFalse(gossiper.upAfter(crashed, crashedGeneration, judged, Long.MAX_VALUE), id.value());
                    assertFalse(gossiper.upAfter(cutOff, 0, judged, Long.MAX_VALUE),
                        id + ": a run unknown tells no more");
                }
                // the cut-off node beats on alone, is reached again for three rounds, and is cut off again
                cluster.runRounds(20);
                cluster.simulation().network().heal();
                cluster.runRounds(3);
                cluster.simulation().network().partition(List.of(cutOff), others);
                cluster.runRounds(35);
                for (NodeId id : observers) {
                    Gossiper gossiper = cluster.gossiper(id);
                    assertEquals(Liveness.DOWN, gossiper.liveness(cutOff), id.value());
                    long generation = gossiper.state(cutOff).generation();
                    assertTrue(gossiper.upAfter(cutOff, generation, judged, Long.MAX_VALUE),
                        id + " did not see the cut-off node up after it judged it down");
                    assertFalse(gossiper.upAfter(cutOff, generation, judged, judged + 10 * GossipFigures.INTERVAL),
                        id + ": a heartbeat made after the bound counted");
                    assertFalse(gossiper.upAfter(cutOff, 0, cluster.simulation().now(), Long.MAX_VALUE),
                        id + ": its newest heartbeat is no sign of it being up after now");
                }
                // a later run of the crashed node
                cluster.simulation().restart(crashed);
                cluster.runRounds(15);
                cluster.simulation().crash(crashed);
                cluster.runRounds(35);
                long restartedJudged = cluster.simulation().now();
                for (NodeId id : observers) {
                    assertTrue(cluster.gossiper(id).upAfter(crashed, crashedGeneration, restartedJudged,
                        Long.MAX_VALUE), id.value());
                }
                // heartbeats the others never heard before they judged a node DOWN, made just before it crashed (it
                // was cut off with one other node, which heard them), reach them later: no sign of it being up after
                cluster.simulation().network().heal();
                cluster.runRounds(40);
                NodeId lost = cluster.ids().get(3);
                NodeId witness = cluster.ids().get(4);
                List<NodeId> rest = cluster.ids().stream().filter(id -> !id.equals(lost) && !id.equals(witness)
                    && !id.equals(crashed)).toList();
                cluster.simulation().network().partition(List.of(lost, witness), rest);
                cluster.runRounds(29);
                cluster.simulation().crash(lost);
                cluster.runRounds(6);
                long lostJudged = cluster.simulation().now();
                java.util.Map<NodeId, EndpointState> before = new java.util.HashMap<>();
                for (NodeId id : rest) {
                    assertEquals(Liveness.DOWN, cluster.gossiper(id).liveness(lost), id.value());
                    before.put(id, cluster.gossiper(id).state(lost));
                }
                cluster.simulation().network().heal();
                cluster.runRounds(10);
                for (NodeId id : rest) {
                    Gossiper gossiper = cluster.gossiper(id);
                    assertTrue(gossiper.state(lost).version() > before.get(id).version() + 20,
                        id + " never learned the heartbeats only the witness heard: " + gossiper.state(lost));
                    assertFalse(gossiper.upAfter(lost, before.get(id).generation(), lostJudged, Long.MAX_VALUE),
                        id.value());
                }
                // a node removed while down (once the late heartbeats are old enough to leave it DOWN again): the
                // removal is a version another node made for it
                cluster.runRounds(35);
                cluster.gossiper(rest.get(0)).removeNode(lost);
                cluster.runRounds(10);
                for (NodeId id : rest) {
                    assertFalse(cluster.gossiper(id).upAfter(lost, before.get(id).generation(), lostJudged,
                        Long.MAX_VALUE),
                        id.value());
                }
            });
    }

    /**
     * A node that announced LEFT (a decommission) counts as alive nowhere, though it still runs and gossips: the
     * failure detector stops judging a node once it left, so its last judgement (ALIVE) would otherwise stand, and
     * streams, repairs and hints would keep waiting on it.
     */
    @Test
    void aNodeThatLeftIsAliveNowhereWhileItStillRuns() {
        SimulationSeeds.run(getClass(), "aNodeThatLeftIsAliveNowhereWhileItStillRuns", MODULE, 3, seed -> {
            GossipCluster cluster = new GossipCluster(seed, 8, GossipFigures.config(), GossipFigures.fixed());
            cluster.awaitFullMembership(30);
            NodeId leaver = cluster.ids().get(3);
            for (NodeId id : cluster.ids()) {
                assertTrue(cluster.gossiper(id).isAlive(leaver), id + " before the leave");
            }
            cluster.gossiper(leaver).announce(NodeStatus.LEFT, cluster.gossiper(leaver).self().tokens());
            cluster.runRounds(15);
            for (NodeId id : cluster.ids()) {
                if (!id.equals(leaver)) {
                    Gossiper gossiper = cluster.gossiper(id);
                    assertEquals(NodeStatus.LEFT, gossiper.state(leaver).status(), id + " never learned of the leave");
                    assertFalse(gossiper.isAlive(leaver), id + " still counts the node that left as alive");
                }
            }
            assertTrue(cluster.gossiper(leaver).isAlive(leaver), "a node is alive to itself");
        });
    }

    @Test
    void aRemovedNodeIsForgottenAfterItsQuarantineAndStaleGossipCannotBringItBack() {
        SimulationSeeds.run(getClass(), "aRemovedNodeIsForgottenAfterItsQuarantineAndStaleGossipCannotBringItBack",
            MODULE, 3, seed -> {
                GossipCluster cluster = new GossipCluster(seed, 20,
                    GossipFigures.config().withQuarantine(TimeUnit.SECONDS.toNanos(60)), GossipFigures.fixed());
                cluster.awaitFullMembership(30);
                NodeId victim = cluster.ids().get(5);
                NodeId operator = cluster.ids().get(0);
                NodeId straggler = cluster.ids().get(19);
                KvException alive = assertThrows(KvException.class, () -> cluster.gossiper(operator).removeNode(victim));
                assertTrue(alive.getMessage().contains("only a DOWN node can be removed"), alive.getMessage());
                cluster.simulation().crash(victim);
                cluster.runRounds(35);
                // the straggler is cut off before the removal: it keeps the victim's old state
                List<NodeId> others = cluster.ids().stream().filter(id -> !id.equals(straggler)).toList();
                cluster.simulation().network().partition(List.of(straggler), others);
                cluster.gossiper(operator).removeNode(victim);
                cluster.runRounds(20);
                for (NodeId id : others) {
                    if (!id.equals(victim)) {
                        assertEquals(NodeStatus.LEFT, cluster.gossiper(id).state(victim).status(), id.value());
                    }
                }
                cluster.runRounds(45);
                cluster.simulation().network().heal();
                cluster.runRounds(40);
                for (NodeId id : others) {
                    if (!id.equals(victim)) {
                        assertNull(cluster.gossiper(id).state(victim), id + " brought the removed node back");
                    }
                }
                // the others no longer hold the victim, but they answer the straggler's stale digest with the
                // removal, so it drops the victim from its ring too, and forgets it after its own quarantine
                EndpointState learned = cluster.gossiper(straggler).state(victim);
                assertNotNull(learned, "the straggler forgot the victim before its own quarantine");
                assertEquals(NodeStatus.LEFT, learned.status(), "the straggler never learned of the removal");
                assertTrue(learned.version() >= EndpointState.REMOVED_VERSION, learned.toString());
                cluster.runRounds(30);
                assertNull(cluster.gossiper(straggler).state(victim), "the straggler kept the removed node");
                for (NodeId id : others) {
                    if (!id.equals(victim)) {
                        assertNull(cluster.gossiper(id).state(victim), id + " took the removed node back");
                    }
                }
            });
    }

    @Test
    void nodesOfAnotherClusterAndGarbageAreDroppedAndCounted() {
        // nodes 0–7 form cluster "ringkv"; 8 and 9 are configured for "other" but given the same seeds
        GossipCluster cluster = new GossipCluster(3, 10, GossipFigures.config(), GossipFigures.fixed(),
            ordinal -> ordinal < 8 ? "ringkv" : "other");
        cluster.runRounds(30);
        Gossiper seed = cluster.gossiper(cluster.ids().get(0));
        assertEquals(8, seed.knownEndpoints(), "a node of another cluster got in");
        assertTrue(seed.counters().value(GossipCounter.DROPPED_WRONG_CLUSTER) > 0);
        assertEquals(1, cluster.gossiper(cluster.ids().get(9)).knownEndpoints());

        UnsafeBuffer garbage = new UnsafeBuffer(new byte[64]);
        for (int i = 0; i < 64; i++) {
            garbage.putByte(i, (byte) (i * 37));
        }
        garbage.putShort(4, (short) Gossiper.SCHEMA_ID, java.nio.ByteOrder.LITTLE_ENDIAN);
        Gossiper target = cluster.gossiper(cluster.ids().get(1));
        long malformed = target.counters().value(GossipCounter.DROPPED_MALFORMED);
        cluster.simulation().node(cluster.ids().get(2)).transport()
            .send(cluster.ids().get(1), garbage, 0, garbage.capacity());
        cluster.runRounds(1);
        assertEquals(malformed + 1, target.counters().value(GossipCounter.DROPPED_MALFORMED), "garbage was not counted");
        assertEquals(8, target.knownEndpoints(), "garbage changed the view");
    }

    @Test
    void aNodeOutgrowsAForgedHeartbeatOfItselfAndStaysAlive() {
        GossipCluster cluster = new GossipCluster(4, 10, GossipFigures.config(), GossipFigures.fixed());
        cluster.awaitFullMembership(40);
        cluster.runRounds(5);
        NodeId victim = cluster.ids().get(5);
        EndpointState real = cluster.gossiper(victim).self();
        long forgedVersion = real.version() + 1_000;
        // one message tells node 1 that the victim is 1,000 heartbeats further than it is; the claim spreads, and
        // the victim's real heartbeats would be older than it everywhere for 1,000 rounds unless it jumps past it
        sendAck(cluster, cluster.ids().get(2), cluster.ids().get(1), List.of(new Membership.Heartbeat(
            real.fingerprint(), real.generation(), forgedVersion, real.stateVersion(), cluster.simulation().now())),
            List.of());
        cluster.runRounds(45);
        assertTrue(cluster.gossiper(victim).self().version() > forgedVersion,
            "the node did not jump past the claim: " + cluster.gossiper(victim).self());
        for (GossipCluster.Judgement judgement : cluster.judgements()) {
            assertTrue(!judgement.subject().equals(victim) || judgement.to() == Liveness.ALIVE,
                "a live node was judged " + judgement.to() + " by " + judgement.observer());
        }
    }

    @Test
    void aStateFromTooFarInTheFutureIsNotTaken() {
        GossipCluster cluster = new GossipCluster(5, 6, GossipFigures.config(), GossipFigures.fixed());
        cluster.awaitFullMembership(40);
        NodeId target = cluster.ids().get(1);
        long own = cluster.gossiper(target).self().generation();
        EndpointState farAhead = stranger("stranger-a", own + Gossiper.MAX_GENERATION_AHEAD + 1);
        EndpointState plausible = stranger("stranger-b", own + Gossiper.MAX_GENERATION_AHEAD);
        long now = cluster.simulation().now();
        sendAck(cluster, cluster.ids().get(2), target, List.of(),
            List.of(new Membership.Timed(farAhead, now), new Membership.Timed(plausible, now)));
        cluster.runRounds(1);
        Gossiper gossiper = cluster.gossiper(target);
        assertNull(gossiper.state(farAhead.id()), "a generation a year ahead was taken");
        assertNotNull(gossiper.state(plausible.id()), "a plausible stranger was refused");
        assertEquals(1, gossiper.counters().value(GossipCounter.DROPPED_IMPLAUSIBLE));
    }

    @Test
    void aRemovalClaimAtTheEndOfTheVersionRangeLeavesTheNodeRunning() {
        GossipCluster cluster = new GossipCluster(6, 6, GossipFigures.config(), GossipFigures.fixed());
        cluster.awaitFullMembership(40);
        NodeId target = cluster.ids().get(3);
        Gossiper gossiper = cluster.gossiper(target);
        EndpointState real = gossiper.self();
        EndpointState claim = EndpointState.of(real.node(), real.generation(), EndpointState.MAX_VERSION - 2,
            EndpointState.MAX_VERSION - 2, NodeStatus.LEFT, real.tokens(), real.applicationState(),
            real.protocolVersion());
        long rounds = gossiper.counters().value(GossipCounter.ROUNDS);
        sendAck(cluster, cluster.ids().get(2), target, List.of(),
            List.of(new Membership.Timed(claim, cluster.simulation().now())));
        cluster.runRounds(10);
        assertEquals(NodeStatus.NORMAL, gossiper.self().status());
        assertTrue(gossiper.counters().value(GossipCounter.ROUNDS) >= rounds + 9, "the node stopped gossiping");
        assertEquals(1, gossiper.counters().value(GossipCounter.DROPPED_IMPLAUSIBLE));
    }

    private static EndpointState stranger(String id, long generation) {
        return EndpointState.initial(Node.of(id, "10.9.9.9", 7400, 7379), generation, NodeStatus.NORMAL,
            new long[] {42}, java.util.Map.of());
    }

    /** Sends {@code to} one Ack from {@code from}, as {@code from}'s gossip would word it. */
    private static void sendAck(GossipCluster cluster, NodeId from, NodeId to, List<Membership.Heartbeat> heartbeats,
                                List<Membership.Timed> states) {
        EndpointState sender = cluster.gossiper(from).self();
        GossipCodec.Sender wording = new GossipCodec.Sender(cluster.config().clusterName(), from,
            sender.node().host(), sender.node().peerPort(), sender.generation(), 1, 1);
        new GossipCodec(60 * 1024).writeAcks(new ExpandableArrayBuffer(), wording, List.of(), heartbeats, states,
            cluster.simulation().now(), false,
            (buffer, length) -> cluster.simulation().node(from).transport().send(to, buffer, 0, length));
    }

    @Test
    void smallMessagesAreSplitAndTheClusterStillConverges() {
        GossipCluster cluster = new GossipCluster(5, 100, GossipFigures.config().withMaxMessageBytes(1024),
            GossipFigures.fixed());
        cluster.awaitFullMembership(40);
        cluster.runRounds(10);
        long syns = 0;
        long rounds = 0;
        for (Gossiper gossiper : cluster.upGossipers()) {
            syns += gossiper.counters().value(GossipCounter.SYNS_SENT);
            rounds += gossiper.counters().value(GossipCounter.ROUNDS);
        }
        assertTrue(syns > 2 * rounds, "100 digests of 24 bytes need more than one 1 KiB Syn per exchange");
    }

    @Test
    void theSameSeedGivesTheSameHistory() {
        long first = trace(21);
        assertEquals(first, trace(21));
        assertNotEquals(first, trace(22));
    }

    private static long trace(long seed) {
        GossipCluster cluster = new GossipCluster(seed, 30, GossipFigures.config(), GossipFigures.fixed());
        cluster.simulation().network().dropRate(0.05);
        cluster.runRounds(20);
        cluster.simulation().crash(cluster.ids().get(3));
        cluster.runRounds(20);
        return cluster.simulation().traceHash();
    }
}
