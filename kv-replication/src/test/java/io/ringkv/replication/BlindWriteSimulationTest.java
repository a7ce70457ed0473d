package io.ringkv.replication;

import static io.ringkv.replication.TestCluster.MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.Consistency;
import io.ringkv.api.ErrorCode;
import io.ringkv.api.Key;
import io.ringkv.api.NodeId;
import io.ringkv.api.SiblingSet;
import io.ringkv.api.Value;
import io.ringkv.api.Version;
import io.ringkv.sim.LatencyModel;
import io.ringkv.sim.SimulationSeeds;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Blind writes (a {@code SET} or {@code DEL} without a causal context) need no read first: the replica that
 * coordinates one supersedes what it holds. And the storage stage forces many writes at once.
 */
class BlindWriteSimulationTest {
    private static final Consistency QUORUM = Consistency.DEFAULT;
    private static final Consistency ALL = new Consistency(3, 3, 3);

    private static NodeId n(int i) {
        return NodeId.of("n" + i);
    }

    @Test
    void aBlindWriteSupersedesWhatItsCoordinatingReplicaHolds() {
        SimulationSeeds.run(getClass(), "aBlindWriteSupersedesWhatItsCoordinatingReplicaHolds", "kv-replication", 20,
            seed -> {
                TestCluster cluster = new TestCluster(seed, 3, ReplicationConfig.DEFAULT);
                cluster.sim.network().dropRate(0.05).latency(LatencyModel.exponential(100_000, MS));
                for (int i = 1; i <= 6; i++) {
                    // through every node in turn, each after the previous one reached every replica
                    assertTrue(cluster.put(n(1 + i % 3), "k", "v" + i, null, ALL).succeeded());
                }
                assertEquals(List.of(Value.utf8("v6")), cluster.get(n(2), "k", QUORUM).value.values(),
                    "sequential blind writes leave no siblings");
                assertEquals(List.of(), cluster.sim.handlerFailures());
            });
    }

    @Test
    void concurrentBlindWritesThroughDifferentReplicasLeaveOneOrBothOfThem() {
        SimulationSeeds.run(getClass(), "concurrentBlindWritesThroughDifferentReplicasLeaveOneOrBothOfThem",
            "kv-replication", 20, seed -> {
                TestCluster cluster = new TestCluster(seed, 3, ReplicationConfig.DEFAULT);
                assertTrue(cluster.put(n(1), "k", "v0", null, ALL).succeeded());
                TestCluster.Outcome<Version> x = new TestCluster.Outcome<>();
                TestCluster.Outcome<Version> y = new TestCluster.Outcome<>();
                cluster.coordinator(n(1)).put(Key.utf8("k"), Value.utf8("x"), null, TestCluster.putInto(x));
                cluster.coordinator(n(2)).put(Key.utf8("k"), Value.utf8("y"), null, TestCluster.putInto(y));
                cluster.await(x);
                cluster.await(y);
                assertTrue(x.succeeded() && y.succeeded(), x.error + " " + y.error);
                cluster.sim.runFor(100 * MS);
                SiblingSet siblings = cluster.get(n(3), "k", ALL).value;
                // each superseded v0, and what its acknowledging replicas held of the other when it reached them:
                // the key holds one of them, or both as siblings when each reached the other's replicas first
                assertTrue(!siblings.values().isEmpty()
                    && Set.of(Value.utf8("x"), Value.utf8("y")).containsAll(siblings.values()), siblings.toString());
            });
    }

    @Test
    void underLwwABlindWriteThroughAReplicaWhoseClockIsBehindStillWins() {
        SimulationSeeds.run(getClass(), "underLwwABlindWriteThroughAReplicaWhoseClockIsBehindStillWins",
            "kv-replication", 20, seed -> {
                TestCluster cluster = new TestCluster(seed, 3, ReplicationConfig.DEFAULT.withResolver("lww"));
                cluster.sim.node(n(1)).clockSkewMillis(5_000);
                cluster.sim.node(n(2)).clockSkewMillis(-5_000);
                cluster.sim.network().dropRate(0.05).latency(LatencyModel.exponential(100_000, MS));
                Version ahead = cluster.put(n(1), "k", "from-the-future", null, ALL).value;
                Version later = cluster.put(n(2), "k", "later", null, QUORUM).value;
                assertTrue(later.timestamp().isAfter(ahead.timestamp()), later + " vs " + ahead);
                for (int i = 1; i <= 3; i++) {
                    assertEquals(List.of(Value.utf8("later")), cluster.get(n(i), "k", QUORUM).value.values());
                }
            });
    }

    @Test
    void aWriteThroughAReplicaWhoseForceStallsIsAnsweredTimeoutAtItsDeadlineAndStillReplicated() {
        // nothing was tracked until the local replica stored the write: a force slower than the request timeout left
        // the client waiting for it, and one that never returned left it waiting for ever
        TestCluster cluster = new TestCluster(3, 3, ReplicationConfig.DEFAULT);
        cluster.slowForces.add(n(1));
        long requestTimeout = ReplicationConfig.DEFAULT.requestTimeoutNanos();
        TestCluster.Outcome<Version> write = new TestCluster.Outcome<>();
        long start = cluster.sim.now();
        cluster.coordinator(n(1)).put(Key.utf8("k"), Value.utf8("v"), null, TestCluster.putInto(write));
        assertTrue(cluster.sim.runUntil(() -> write.done, 2 * requestTimeout), "no answer in twice the timeout");
        assertEquals(ErrorCode.TIMEOUT, write.error, write.message);
        assertTrue(cluster.sim.now() - start <= requestTimeout + MS, "answered at the deadline: "
            + (cluster.sim.now() - start) / MS + " ms");
        assertEquals(1, cluster.node(n(1)).counters().timeouts());
        // once stored, it reaches the other replicas all the same, and no second outcome is counted
        cluster.slowForces.clear();
        cluster.sim.runFor(cluster.forcesSlowNanos + 500 * MS);
        assertEquals(List.of(Value.utf8("v")), cluster.get(n(2), "k", new Consistency(3, 1, 1)).value.values());
        assertEquals(1, cluster.node(n(1)).counters().writesFailed());
        assertEquals(0, cluster.node(n(1)).counters().writesAcknowledged());
    }

    @Test
    void aBlindDeleteSaysWhetherItsReplicaHeldALiveValue() {
        SimulationSeeds.run(getClass(), "aBlindDeleteSaysWhetherItsReplicaHeldALiveValue", "kv-replication", 20,
            seed -> {
                TestCluster cluster = new TestCluster(seed, 3, ReplicationConfig.DEFAULT);
                assertEquals(Boolean.FALSE, delete(cluster, n(3), "k"), "nothing to delete yet");
                assertTrue(cluster.put(n(1), "k", "v", null, ALL).succeeded());
                assertEquals(Boolean.TRUE, delete(cluster, n(2), "k"));
                cluster.sim.runFor(100 * MS);
                assertTrue(cluster.get(n(1), "k", ALL).value.isDeleted());
                assertEquals(Boolean.FALSE, delete(cluster, n(1), "k"), "already deleted");
            });
    }

    @Test
    void aBlindDeleteThroughAReplicaThatMissedTheSetDeletesIt() {
        SimulationSeeds.run(getClass(), "aBlindDeleteThroughAReplicaThatMissedTheSetDeletesIt", "kv-replication", 20,
            seed -> deleteThroughAReplicaWhoseDiskWasFull(seed, QUORUM));
    }

    @Test
    void withR1TheBlindDeleteStillReadsWReplicasBeforeItsSecondWrite() {
        // the local replica answers a read at R = 1 first, and it holds only the tombstone
        SimulationSeeds.run(getClass(), "withR1TheBlindDeleteStillReadsWReplicasBeforeItsSecondWrite",
            "kv-replication", 20, seed -> deleteThroughAReplicaWhoseDiskWasFull(seed, new Consistency(3, 1, 2)));
    }

    /** n1's disk is full during the SET through it: n2 or n3 coordinates it, n1 refuses its copy. */
    private static void deleteThroughAReplicaWhoseDiskWasFull(long seed, Consistency consistency) {
        TestCluster cluster = new TestCluster(seed, 3, ReplicationConfig.DEFAULT, LivenessView.ALL_ALIVE,
            Set.of(n(1)));
        TestCluster.Outcome<Version> set = cluster.put(n(1), "k", "v", null, consistency);
        assertTrue(set.succeeded(), set.error + " " + set.message);
        ((FullDiskEngine) cluster.engine(n(1))).free();
        deleteThroughN1(cluster, consistency);
    }

    @Test
    void underLwwABlindDeleteThroughAReplicaThatMissedTheSetAndRunsBehindDeletesIt() {
        SimulationSeeds.run(getClass(), "underLwwABlindDeleteThroughAReplicaThatMissedTheSetAndRunsBehindDeletesIt",
            "kv-replication", 20, seed -> {
                TestCluster cluster = new TestCluster(seed, 3, ReplicationConfig.DEFAULT.withResolver("lww"));
                // n1's wall clock runs 5 s behind, and no message of the SET reaches it to move its hybrid clock
                cluster.sim.node(n(1)).clockSkewMillis(-5_000);
                cluster.sim.network().partition(Set.of(n(1)), Set.of(n(2), n(3)));
                TestCluster.Outcome<Version> set = cluster.put(n(2), "k", "v", null, QUORUM);
                assertTrue(set.succeeded(), set.error + " " + set.message);
                cluster.sim.network().heal();
                deleteThroughN1(cluster, QUORUM);
            });
    }

    @Test
    void aBlindDeleteThatASubstituteAcknowledgedStillSupersedesTheSetItsReplicaMissed() {
        // under sloppy quorum a substitute's plain acknowledgement could make W before the owner that held the SET
        // answered "beside others": the DEL then said it deleted nothing and left the value a sibling of its
        // tombstone
        SimulationSeeds.run(getClass(), "aBlindDeleteThatASubstituteAcknowledgedStillSupersedesTheSetItsReplicaMissed",
            "kv-replication", 10, seed -> {
                java.util.Map<NodeId, Boolean> alive = new java.util.HashMap<>();
                TestCluster cluster = new TestCluster(seed, 4, ReplicationConfig.DEFAULT,
                    node -> alive.getOrDefault(node, true), Set.of(n(1)));
                List<NodeId> owners = new ArrayList<>();
                String key = keyFirstReplicatedByN1(cluster, owners);
                NodeId down = owners.get(1);
                NodeId holder = owners.get(2);
                // n1's disk is full during the SET: the two other owners hold it
                assertTrue(cluster.put(down, key, "v", null, QUORUM).succeeded());
                ((FullDiskEngine) cluster.engine(n(1))).free();
                cluster.sim.crash(down);
                alive.put(down, false);
                // the owner holding the SET answers n1 only after the substitute did
                cluster.sim.network().block(holder, n(1));
                cluster.sim.schedule(50 * MS, () -> cluster.sim.network().heal());
                assertEquals(Boolean.TRUE, delete(cluster, n(1), key, QUORUM), "the DEL found the value it deleted");
                cluster.sim.runFor(100 * MS);
                SiblingSet read = cluster.get(holder, key, QUORUM).value;
                assertTrue(read.isDeleted(), "through " + holder + ": " + read);
                assertEquals(List.of(), cluster.sim.handlerFailures());
            });
    }

    @Test
    void aForwardedBlindDeleteWhoseReplicaSupersedesOthersIsAnsweredNotTimedOut() {
        // the node the client asked gave the replica one request timeout (1 s) and a retry interval, while the
        // replica's second round (a read, then a write superseding what the others held) has a timeout of its own:
        // on a slow network the client heard TIMEOUT of a delete that then succeeded
        TestCluster cluster = new TestCluster(37, 4, ReplicationConfig.DEFAULT, LivenessView.ALL_ALIVE,
            Set.of(n(1)));
        List<NodeId> owners = new ArrayList<>();
        String key = keyFirstReplicatedByN1(cluster, owners);
        NodeId outsider = cluster.ids.stream().filter(id -> !owners.contains(id)).findFirst().orElseThrow();
        assertTrue(cluster.put(owners.get(1), key, "v", null, QUORUM).succeeded());
        ((FullDiskEngine) cluster.engine(n(1))).free();
        // eight one-way trips of 170 ms: to n1, its write, its read, its second write, the answer
        cluster.sim.network().latency(LatencyModel.fixed(170 * MS));
        assertEquals(Boolean.TRUE, delete(cluster, outsider, key, QUORUM), "the DEL, forwarded to n1");
        assertEquals(1, cluster.node(outsider).counters().writesForwarded());
        assertEquals(List.of(), cluster.sim.handlerFailures());
    }

    @Test
    void aBlindDeleteThatASubstituteAcknowledgedFailsWhenTheOwnerHoldingTheSetIsSilent() {
        // the read a substitute's acknowledgement calls for (see the test above) cannot reach the other owner, which
        // is silent but not yet judged down and holds the SET: answering OK would leave the value in place, so the
        // client hears that the delete was stored and what could not be done
        java.util.Map<NodeId, Boolean> alive = new java.util.HashMap<>();
        TestCluster cluster = new TestCluster(43, 4, ReplicationConfig.DEFAULT,
            node -> alive.getOrDefault(node, true), Set.of(n(1)));
        List<NodeId> owners = new ArrayList<>();
        String key = keyFirstReplicatedByN1(cluster, owners);
        assertTrue(cluster.put(owners.get(1), key, "v", null, QUORUM).succeeded());
        ((FullDiskEngine) cluster.engine(n(1))).free();
        cluster.sim.crash(owners.get(1));
        alive.put(owners.get(1), false);
        cluster.sim.network().partition(Set.of(owners.get(2)), Set.copyOf(others(cluster, owners.get(2))));
        assertEquals(null, delete(cluster, n(1), key, QUORUM), "the DEL was answered OK");
        cluster.sim.network().heal();
        cluster.sim.runFor(2_000 * MS);
        assertEquals(List.of(), cluster.sim.handlerFailures());
    }

    @Test
    void aBlindWriteMadeAgainToSupersedeOthersSupersedesItsFirstCopyTooWhenTheReadMissedIt() {
        // the second write took the read's context only: when the replicas that answered the read first lacked the
        // first copy, the second did not cover it, and the key kept the client's value twice, as siblings
        java.util.Map<NodeId, Boolean> alive = new java.util.HashMap<>();
        TestCluster cluster = new TestCluster(5, 4, ReplicationConfig.DEFAULT,
            node -> alive.getOrDefault(node, true), Set.of(n(1)));
        List<NodeId> owners = new ArrayList<>();
        String key = keyFirstReplicatedByN1(cluster, owners);
        NodeId holder = owners.get(1);
        NodeId judgedDown = owners.get(2);
        // both other owners hold v0, which n1 (its disk full then) missed
        assertTrue(cluster.put(holder, key, "v0", null, QUORUM).succeeded());
        ((FullDiskEngine) cluster.engine(n(1))).free();
        // n1 takes the third owner for down: a substitute stands in and its acknowledgement counts, so a read follows
        alive.put(judgedDown, false);
        // the first copy's Write to the holder is lost
        boolean[] lost = {false};
        cluster.sim.network().dropWhen((from, to, message) -> {
            if (!lost[0] && from.equals(n(1)) && to.equals(holder)) {
                lost[0] = true;
                return true;
            }
            return false;
        });
        long rewrittenBefore = rewritten(cluster, n(1));
        TestCluster.Outcome<Version> set = new TestCluster.Outcome<>();
        cluster.coordinator(n(1)).put(Key.utf8(key), Value.utf8("v"), null, QUORUM, TestCluster.putInto(set));
        assertTrue(cluster.sim.runUntil(() -> !cluster.stored(n(1), key).isEmpty(), 100 * MS));
        // from the read on: the third owner answers again, and n1's own answer comes after the other two
        alive.put(judgedDown, true);
        cluster.slowTasks.add(n(1));
        cluster.await(set);
        assertTrue(set.succeeded(), set.error + " " + set.message);
        assertEquals(rewrittenBefore + 1, rewritten(cluster, n(1)), "the write was made again: the test's premise");
        cluster.slowTasks.clear();
        cluster.sim.network().dropWhen(null);
        cluster.sim.runFor(1_000 * MS);
        for (NodeId owner : owners) {
            SiblingSet held = cluster.stored(owner, key);
            assertEquals(List.of(Value.utf8("v")), held.values(), owner + " holds " + held);
        }
    }

    private static List<NodeId> others(TestCluster cluster, NodeId node) {
        List<NodeId> others = new ArrayList<>(cluster.ids);
        others.remove(node);
        return others;
    }

    @Test
    void aLateRetransmissionOfAForwardedBlindWriteIsAnsweredNotWrittenAgain() {
        // the sender retransmits a blind write it handed over for up to twice the request timeout; the replica
        // remembered the hand-over for one timeout only, then took a late copy for a new write, which superseded a
        // newer acknowledged one
        TestCluster cluster = new TestCluster(41, 4, ReplicationConfig.DEFAULT);
        List<NodeId> owners = new ArrayList<>();
        String key = keyFirstReplicatedByN1(cluster, owners);
        assertEquals(List.of(Value.utf8("second")), afterALateRetransmission(cluster, owners, key, null, 1_500),
            "the acknowledged second write was superseded by a copy of the first");
    }

    @Test
    void aLateRetransmissionOfAForwardedWriteWithAContextIsAnsweredNotWrittenAgain() {
        // a write with a context is retransmitted for the request timeout and a retry interval (1.2 s), and the
        // replica remembers it for a retry interval more than that from when it finished: a copy near the sender's
        // deadline must find it remembered, or it is written again as a new write beside the newer one
        TestCluster cluster = new TestCluster(43, 4, ReplicationConfig.DEFAULT);
        List<NodeId> owners = new ArrayList<>();
        String key = keyFirstReplicatedByN1(cluster, owners);
        assertTrue(cluster.put(owners.get(0), key, "zero", null, QUORUM).succeeded());
        io.ringkv.api.CausalContext sawZero = cluster.get(owners.get(0), key, QUORUM).value.context();
        assertEquals(List.of(Value.utf8("second")), afterALateRetransmission(cluster, owners, key, sawZero, 850),
            "a copy of the first write was written again beside the acknowledged second");
    }

    @Test
    void aHandOverRefusedForWantOfRoomIsRefusedAgainWhenACopyArrivesOnceThereIsRoom() {
        // the sender of a refused hand-over gives it to the key's next replica; a copy of it (a duplicate datagram,
        // a retransmission sent before the refusal arrived) that reaches this replica once it has room was taken as
        // a new write, and the write was made twice
        FullReplica n1 = new FullReplica(47);
        n1.handOver(3, "refused", false);
        assertEquals(1, n1.counters().forwardsRefusedBusy(), "n1 holds 2 hand-overs, its limit");
        // the two it holds are forgotten once their retention ends; the refusal, later, is still remembered
        n1.untilTheHandOversItHoldsAreForgotten();
        long repeatsBefore = n1.counters().duplicateForwards();
        n1.assertACopyIsNotWritten(3, "refused");
        assertEquals(repeatsBefore + 1, n1.counters().duplicateForwards());
    }

    @Test
    void aRetransmissionThatMayBeARefusalForgottenForRoomIsRefusedNotWritten() {
        // n1 remembers as many refusals as hand-overs (2 here): the third refusal pushed the first out before its
        // retention ended, and a late copy of that one was taken as new
        FullReplica n1 = new FullReplica(53);
        n1.refuseOneMoreThanItRemembers();
        assertEquals(3, n1.counters().forwardsRefusedBusy());
        n1.untilTheHandOversItHoldsAreForgotten();
        n1.assertACopyIsNotWritten(3, "refused 3");
        assertEquals(4, n1.counters().forwardsRefusedBusy());
    }

    @Test
    void aRetransmissionRefusedInDoubtIsRefusedAgainOnceTheDoubtIsOver() {
        // refused while a forgotten refusal could still be repeated, the copy was not remembered: a later copy,
        // once the doubt was over, was taken as new though its sender had handed the write to another replica
        FullReplica n1 = new FullReplica(59);
        n1.refuseOneMoreThanItRemembers();
        n1.untilTheHandOversItHoldsAreForgotten();
        n1.handOver(3, "refused 3", true);
        assertEquals(4, n1.counters().forwardsRefusedBusy(), "refused in doubt");
        n1.cluster.sim.runFor(100 * MS);
        long repeatsBefore = n1.counters().duplicateForwards();
        n1.assertACopyIsNotWritten(3, "refused 3");
        assertEquals(repeatsBefore + 1, n1.counters().duplicateForwards(), "answered as the refusal it repeats");
    }

    /**
     * n1, a replica that takes on at most 2 handed-over writes, past its first forward window and holding 2 (of a key
     * it replicates first), finished: the writes handed to it now are refused until those are forgotten.
     */
    private static final class FullReplica {
        final TestCluster cluster;
        private final ReplicationConfig config;
        private final List<NodeId> owners = new ArrayList<>();
        private final String key;
        private final NodeId outsider;

        FullReplica(long seed) {
            ReplicationConfig d = ReplicationConfig.DEFAULT;
            config = new ReplicationConfig(d.resolver(), d.consistency(), d.limits(), d.requestTimeoutNanos(),
                d.retryIntervalNanos(), d.maxClockEntries(), d.maxSiblings(), 2, d.catchUpWindowNanos(),
                d.tombstoneGraceMillis());
            cluster = new TestCluster(seed, 4, config);
            key = keyFirstReplicatedByN1(cluster, owners);
            outsider = cluster.ids.stream().filter(id -> !owners.contains(id)).findFirst().orElseThrow();
            cluster.sim.runFor(Coordinator.forwardWindowNanos(config) + 100 * MS);
            handOver(1, "held 1", false);
            handOver(2, "held 2", false);
            cluster.sim.runFor(100 * MS);
            assertEquals(2, counters().forwardsCoordinated());
        }

        /** The outsider's hand-over {@code correlation} of {@code value}, as n1 receives it. */
        void handOver(long correlation, String value, boolean retransmit) {
            cluster.coordinator(n(1)).onCoordinate(outsider, coordinate(correlation,
                io.ringkv.ring.Partitioner.token(Key.utf8(key)), key, value, retransmit));
        }

        /** Hands over writes 3, 4 and 5, each refused: one more refusal than n1 remembers (2), so 3 is forgotten. */
        void refuseOneMoreThanItRemembers() {
            for (long c = 3; c <= 5; c++) {
                handOver(c, "refused " + c, false);
            }
        }

        /** A retransmitted copy of hand-over {@code correlation} arrives: it must be neither coordinated nor written. */
        void assertACopyIsNotWritten(long correlation, String value) {
            handOver(correlation, value, true);
            cluster.sim.runFor(200 * MS);
            assertEquals(2, counters().forwardsCoordinated(), "the copy was coordinated");
            assertNotWritten(value);
        }

        /** Runs until just before the writes refused since the two were held are forgotten, those two after. */
        void untilTheHandOversItHoldsAreForgotten() {
            cluster.sim.runFor(Coordinator.forwardWindowNanos(config) - 50 * MS);
        }

        ReplicationCounters counters() {
            return cluster.node(n(1)).counters();
        }

        void assertNotWritten(String value) {
            List<Value> values = cluster.get(owners.get(2), key, ALL).value.values();
            assertTrue(!values.isEmpty() && !values.contains(Value.utf8(value)), "read " + values);
        }
    }

    private static io.ringkv.replication.internal.Message.Coordinate coordinate(long correlation, long token,
                                                                              String key, String value,
                                                                              boolean retransmit) {
        return new io.ringkv.replication.internal.Message.Coordinate(correlation, token, Key.utf8(key),
            Value.utf8(value), io.ringkv.api.Expiry.NONE, null, QUORUM, retransmit);
    }

    /**
     * A node outside the key's replicas hands a write of "first" (with {@code context}) to n1, whose answers to it
     * are lost for 300 ms and then {@code blockedMs} more, so it retransmits; meanwhile "second" is written blind
     * through the key's second replica and acknowledged. It starts once n1 is past its first forward window: within
     * it, n1 refuses every retransmission it does not know (it may have written it before a restart), which would
     * hide a hand-over it forgot too soon.
     *
     * @return what the third replica reads at ALL once the first write ended
     */
    private static List<Value> afterALateRetransmission(TestCluster cluster, List<NodeId> owners, String key,
                                                        io.ringkv.api.CausalContext context, long blockedMs) {
        cluster.sim.runFor(Coordinator.forwardWindowNanos(cluster.config) + 100 * MS);
        NodeId outsider = cluster.ids.stream().filter(id -> !owners.contains(id)).findFirst().orElseThrow();
        long repeatsBefore = cluster.node(n(1)).counters().duplicateForwards();
        cluster.sim.network().block(n(1), outsider);
        TestCluster.Outcome<Version> first = new TestCluster.Outcome<>();
        cluster.coordinator(outsider).put(Key.utf8(key), Value.utf8("first"), context, QUORUM,
            TestCluster.putInto(first));
        cluster.sim.runFor(300 * MS);
        TestCluster.Outcome<Version> second = cluster.put(owners.get(1), key, "second", null, QUORUM);
        assertTrue(second.succeeded(), second.error + " " + second.message);
        cluster.sim.runFor(blockedMs * MS);
        cluster.sim.network().heal();
        cluster.await(first);
        cluster.sim.runFor(500 * MS);
        assertTrue(cluster.node(n(1)).counters().duplicateForwards() > repeatsBefore, "n1 saw no retransmission");
        assertEquals(0, cluster.node(n(1)).counters().forwardsRefusedAfterStart());
        return cluster.get(owners.get(2), key, ALL).value.values();
    }

    /** @return a key whose first replica is n1; its three replicas, in order, are added to {@code owners} */
    private static String keyFirstReplicatedByN1(TestCluster cluster, List<NodeId> owners) {
        for (int i = 0; ; i++) {
            io.ringkv.ring.PreferenceList replicas = cluster.ring.preferenceList(
                io.ringkv.ring.Partitioner.token(Key.utf8("k" + i)));
            if (replicas.get(0).id().equals(n(1))) {
                for (int r = 0; r < 3; r++) {
                    owners.add(replicas.get(r).id());
                }
                return "k" + i;
            }
        }
    }

    /**
     * A client's blind DEL through n1, which holds nothing of the client's acknowledged SET before it: the DEL
     * still deletes the value, and says it did.
     */
    private static void deleteThroughN1(TestCluster cluster, Consistency consistency) {
        assertTrue(cluster.stored(n(1), "k").isEmpty(), "n1 missed the SET");
        long rewrittenBefore = rewritten(cluster, n(1));
        assertEquals(Boolean.TRUE, delete(cluster, n(1), "k", consistency), "the DEL found the value it deleted");
        assertEquals(rewrittenBefore + 1, rewritten(cluster, n(1)), "the tombstone was written again");
        cluster.sim.runFor(100 * MS);
        for (int i = 1; i <= 3; i++) {
            SiblingSet read = cluster.get(n(i), "k", ALL).value;
            assertTrue(read.isDeleted(), "through n" + i + ": " + read);
        }
        assertEquals(List.of(), cluster.sim.handlerFailures());
    }

    private static long rewritten(TestCluster cluster, NodeId node) {
        return cluster.sim.node(node).counters().counters().stream()
            .filter(c -> c.name().equals("replication_blind_writes_rewritten")).findFirst().orElseThrow().get();
    }

    /** @return whether the delete superseded a live value, or null when it failed */
    private static Boolean delete(TestCluster cluster, NodeId via, String key) {
        return delete(cluster, via, key, ALL);
    }

    private static Boolean delete(TestCluster cluster, NodeId via, String key, Consistency consistency) {
        Boolean[] superseded = new Boolean[1];
        TestCluster.Outcome<Version> outcome = new TestCluster.Outcome<>();
        cluster.coordinator(via).delete(Key.utf8(key), null, consistency, new PutCallback() {
            @Override
            public void onSuccess(Version written) {
                throw new AssertionError("the coordinator says whether a live value was superseded");
            }

            @Override
            public void onSuccess(Version written, boolean supersededLive) {
                superseded[0] = supersededLive;
                outcome.done = true;
            }

            @Override
            public void onFailure(ErrorCode code, String message) {
                outcome.error = code;
                outcome.done = true;
            }
        });
        cluster.await(outcome);
        return superseded[0];
    }

    @Test
    void oneForceCoversManyConcurrentWrites() {
        TestCluster cluster = new TestCluster(7, 3, ReplicationConfig.DEFAULT);
        List<TestCluster.Outcome<Version>> writes = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            TestCluster.Outcome<Version> outcome = new TestCluster.Outcome<>();
            writes.add(outcome);
            // 50 writers at a time, as 50 client connections would
            long at = (i / 50) * 20 * MS;
            String key = "key" + i;
            cluster.sim.schedule(at, () -> cluster.coordinator(n(1)).put(Key.utf8(key), Value.utf8("v"), null,
                QUORUM, TestCluster.putInto(outcome)));
        }
        cluster.sim.runFor(2_000 * MS);
        for (TestCluster.Outcome<Version> write : writes) {
            assertTrue(write.succeeded(), String.valueOf(write.error));
        }
        long forces = cluster.stages.get(n(1)).forces();
        // each of n1's ~200 replica writes would take a force of its own without group commit
        assertTrue(forces * 5 < 200, "n1 forced its storage " + forces + " times for about 200 writes");
    }
}
