package io.ringkv.replication;

import static io.ringkv.replication.TestCluster.MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Sloppy quorum and hinted handoff in the simulator: writes stay available while replicas are down, and every
 * acknowledged write reaches every one of its key's N replicas once they are back and handoff ran, with no read
 * and no anti-entropy to help. The failure detector is an oracle that lags the faults (a crashed node is believed
 * alive for a while, and so times writes out), as gossip's does.
 */
class HintedHandoffSimulationTest {
    private static final int NODES = 6;
    private static final Consistency QUORUM = new Consistency(3, 2, 2);
    private static final ReplicationConfig CONFIG = ReplicationConfig.DEFAULT.withConsistency(QUORUM);

    @Test
    void everyAcknowledgedWriteReachesEveryReplicaAfterFailuresAndHandoff() {
        long[] delivered = {0};
        SimulationSeeds.run(getClass(), "everyAcknowledgedWriteReachesEveryReplicaAfterFailuresAndHandoff",
            "kv-replication", 12, seed -> delivered[0] += faultyRun(seed));
        assertTrue(delivered[0] > 0, "handoff delivered nothing over all seeds: the test does not exercise it");
    }

    /** @return hints delivered in the run */
    private static long faultyRun(long seed) {
        Set<NodeId> down = new HashSet<>();
        TestCluster cluster = new TestCluster(seed, NODES, CONFIG, HintConfig.DEFAULT, node -> !down.contains(node),
            Set.of());
        SplittableRandom random = new SplittableRandom(seed ^ 0x4A11);
        cluster.sim.network().dropRate(0.02).latency(LatencyModel.exponential(100_000, MS));
        scheduleFaults(cluster, random, down);
        Map<String, Version> acked = new LinkedHashMap<>();
        for (int i = 0; i < 400; i++) {
            String key = "key" + i;
            NodeId via = cluster.ids.get(random.nextInt(NODES));
            cluster.sim.schedule(i * 50L * MS, () -> {
                if (cluster.sim.node(via).isUp()) {
                    cluster.coordinator(via).put(Key.utf8(key), Value.utf8("v" + key), null, QUORUM,
                        recordInto(acked, key));
                }
            });
        }
        // faults end by 24 s; everyone is up and believed alive from then on
        cluster.sim.runFor(25_000 * MS);
        cluster.sim.network().dropRate(0);
        cluster.sim.runFor(40_000 * MS);
        assertTrue(acked.size() > 300, "writes stayed available: only " + acked.size() + " of 400 acknowledged");
        for (Map.Entry<String, Version> write : acked.entrySet()) {
            for (NodeId owner : cluster.owners(write.getKey())) {
                SiblingSet held = cluster.stored(owner, write.getKey());
                assertEquals(1, held.size(), owner + " holds " + held.versions() + " for " + write.getKey()
                    + ": the one write, applied once");
                assertEquals(write.getValue(), held.versions().getFirst().version(), owner + " lacks the acknowledged"
                    + " write of " + write.getKey());
            }
        }
        assertEquals(0, cluster.hintsPending(), "hints left undelivered");
        assertEquals(List.of(), cluster.sim.handlerFailures());
        return cluster.hintCounter(HintCounter.DELIVERED);
    }

    /**
     * One fault at a time between 1 s and 24 s: a node crashed (believed alive for 1.5 s, then DOWN; believed alive
     * again 0.5 s after its restart), or one or two nodes cut off from all others (believed DOWN at once).
     */
    private static void scheduleFaults(TestCluster cluster, SplittableRandom random, Set<NodeId> down) {
        long at = 1_000;
        while (at < 20_000) {
            long length = 2_000 + random.nextInt(4_000);
            List<NodeId> shuffled = new ArrayList<>(cluster.ids);
            java.util.Collections.shuffle(shuffled, new java.util.Random(random.nextLong()));
            if (random.nextBoolean()) {
                NodeId victim = shuffled.getFirst();
                cluster.sim.schedule(at * MS, () -> cluster.sim.crash(victim));
                cluster.sim.schedule((at + 1_500) * MS, () -> down.add(victim));
                cluster.sim.schedule((at + length) * MS, () -> cluster.sim.restart(victim));
                cluster.sim.schedule((at + length + 500) * MS, () -> down.remove(victim));
            } else {
                List<NodeId> cut = shuffled.subList(0, 1 + random.nextInt(2));
                List<NodeId> rest = shuffled.subList(cut.size(), shuffled.size());
                List<NodeId> side = List.copyOf(cut);
                List<NodeId> others = List.copyOf(rest);
                cluster.sim.schedule(at * MS, () -> {
                    cluster.sim.network().partition(side, others);
                    down.addAll(side);
                });
                cluster.sim.schedule((at + length) * MS, () -> {
                    cluster.sim.network().heal();
                    down.removeAll(side);
                });
            }
            at += length + 1_000;
        }
    }

    /**
     * A cluster whose key's third replica is judged DOWN and cut off while a QUORUM write of the key (acknowledged)
     * is made through its first replica.
     */
    private record OneCutOff(TestCluster cluster, Set<NodeId> down, String key, NodeId absent) {
        static OneCutOff written(long seed, ReplicationConfig config, String key) {
            Set<NodeId> down = new HashSet<>();
            TestCluster cluster = new TestCluster(seed, NODES, config, HintConfig.DEFAULT,
                node -> !down.contains(node), Set.of());
            List<NodeId> owners = cluster.owners(key);
            NodeId absent = owners.get(2);
            cutOff(cluster, down, absent);
            assertTrue(cluster.put(owners.getFirst(), key, "v1", null, QUORUM).succeeded());
            return new OneCutOff(cluster, down, key, absent);
        }

        /** Heals the network; the replica is judged alive again. */
        void bringBack() {
            cluster.sim.network().heal();
            down.remove(absent);
        }
    }

    @Test
    void aSubstituteKeepsTheWriteForADownReplicaAndHandsItOverWhenItReturns() {
        OneCutOff run = OneCutOff.written(3, CONFIG, "hinted");
        TestCluster cluster = run.cluster();
        String key = run.key();
        NodeId absent = run.absent();
        cluster.sim.runFor(2_000 * MS);
        assertTrue(cluster.stored(absent, key).isEmpty(), "the down replica got nothing while cut off");
        assertEquals(1, cluster.hintsPending(), "one hint, at the substitute");
        assertEquals(1, cluster.hintCounter(HintCounter.RECEIVED));
        run.bringBack();
        cluster.sim.runFor(3_000 * MS);
        assertEquals(1, cluster.stored(absent, key).size(), "handed over once the replica was back");
        assertEquals(0, cluster.hintsPending());
        assertEquals(1, cluster.hintCounter(HintCounter.DELIVERED));
    }

    @Test
    void aHintOlderThanTheTombstoneGraceIsDroppedNotDelivered() {
        // a 10 s grace: the replica comes back 20 s after the write
        OneCutOff run = OneCutOff.written(3, CONFIG.withTombstoneGraceMillis(10_000), "hinted");
        TestCluster cluster = run.cluster();
        String key = run.key();
        NodeId absent = run.absent();
        cluster.sim.runFor(20_000 * MS);
        assertEquals(1, cluster.hintsPending());
        run.bringBack();
        cluster.sim.runFor(3_000 * MS);
        assertTrue(cluster.stored(absent, key).isEmpty(), "an expired hint was delivered");
        assertEquals(0, cluster.hintsPending(), "the expired hint is deleted");
        assertEquals(1, cluster.hintCounter(HintCounter.DROPPED_EXPIRED));
        assertEquals(0, cluster.hintCounter(HintCounter.DELIVERED));
    }

    @Test
    void aNodeLeavingHandsItsHintsForADownOwnerToAnotherNodeWhichDeliversThem() {
        OneCutOff run = OneCutOff.written(7, CONFIG, "handed");
        TestCluster cluster = run.cluster();
        String key = run.key();
        NodeId absent = run.absent();
        cluster.sim.runFor(2_000 * MS);
        NodeId holder = null;
        for (NodeId id : cluster.ids) {
            if (!id.equals(absent) && cluster.node(id).hints().pending() > 0) {
                holder = id;
            }
        }
        assertTrue(holder != null, "some node holds the hint");
        cluster.node(holder).hints().handOff();
        cluster.sim.runFor(2_000 * MS);
        assertEquals(0, cluster.node(holder).hints().pending(), "the leaving node handed its hint off");
        assertEquals(1, cluster.hintsPending(), "another node keeps it");
        // the holder leaves; the owner comes back and gets the write from the node that took the hint
        cluster.sim.crash(holder);
        run.bringBack();
        cluster.sim.runFor(3_000 * MS);
        assertEquals(1, cluster.stored(absent, key).size(), "the handed-off hint reached the owner");
    }

    @Test
    void aLeavingNodeHandsItsHintsToANodeThatStaysNotToOneLeavingToo() {
        // the keeper was the first live node of the current ring, which holds nodes leaving too: handed hints after
        // its own hand-off, such a node left with them, and only repair brought those writes back
        OneCutOff run = OneCutOff.written(7, CONFIG, "handed");
        TestCluster cluster = run.cluster();
        NodeId absent = run.absent();
        cluster.sim.runFor(2_000 * MS);
        NodeId holder = cluster.ids.stream()
            .filter(id -> !id.equals(absent) && cluster.node(id).hints().pending() > 0).findFirst().orElseThrow();
        List<NodeId> others = cluster.ids.stream().filter(id -> !id.equals(absent) && !id.equals(holder)).sorted()
            .toList();
        assertTrue(others.size() >= 2, "a node that leaves too and one that stays: " + others);
        // the first of the others by id (the node the current ring's order offers first) leaves too
        NodeId leavingToo = others.getFirst();
        // and a joiner that sorts first is in the ring after the moves, but may never finish: a member is preferred
        io.ringkv.ring.Ring future = cluster.ring.withoutNode(leavingToo).withoutNode(holder)
            .withNode(io.ringkv.api.Node.of("n0", "127.0.0.1", 6999, 7999), new long[] {42});
        cluster.node(holder).updateRing(cluster.ring, future);
        cluster.node(holder).hints().handOff();
        cluster.sim.runFor(2_000 * MS);
        assertEquals(0, cluster.node(holder).hints().pending(), "the leaving node handed its hint off");
        assertEquals(0, cluster.node(leavingToo).hints().pending(), "not to a node leaving too");
        assertEquals(1, cluster.hintsPending(), "a member that stays keeps it, not the joiner");
    }

    @Test
    void hintsCountTowardWOnlyInCountMode() {
        for (HintConfig.HintedWrites mode : HintConfig.HintedWrites.values()) {
            for (boolean sloppy : new boolean[] {true, false}) {
                Set<NodeId> down = new HashSet<>();
                TestCluster cluster = new TestCluster(5, NODES, CONFIG,
                    HintConfig.DEFAULT.withHintedWrites(mode).withSloppyQuorum(sloppy), node -> !down.contains(node),
                    Set.of());
                List<NodeId> owners = cluster.owners("k");
                down.add(owners.get(1));
                down.add(owners.get(2));
                TestCluster.Outcome<Version> outcome = cluster.put(owners.getFirst(), "k", "v", null, QUORUM);
                boolean expected = sloppy && mode == HintConfig.HintedWrites.COUNT;
                assertEquals(expected, outcome.succeeded(), mode + ", sloppy " + sloppy + ": " + outcome.error + " "
                    + outcome.message);
                if (!expected) {
                    assertEquals(ErrorCode.UNAVAILABLE, outcome.error);
                }
            }
        }
    }

    @Test
    void aHintHolderCrashingMidHandoffLosesNothing() {
        Set<NodeId> down = new HashSet<>();
        // slow delivery, few in flight: the crash finds the handoff half done
        HintConfig slow = HintConfig.DEFAULT.withDelivery(8 * 1024, 2, 200 * MS);
        TestCluster cluster = new TestCluster(9, NODES, CONFIG, slow, node -> !down.contains(node), Set.of());
        NodeId absent = cluster.ids.get(0);
        cutOff(cluster, down, absent);
        List<String> keys = writeKeysOwnedBy(cluster, absent, "k", 60);
        cluster.sim.runFor(1_000 * MS);
        int pending = cluster.hintsPending();
        assertEquals(keys.size(), pending, "one hint per write for the absent replica");
        cluster.sim.network().heal();
        down.remove(absent);
        cluster.sim.runUntil(() -> cluster.hintCounter(HintCounter.DELIVERED) >= 10, 60_000 * MS);
        assertTrue(cluster.hintsPending() > 0, "the handoff is still under way");
        for (NodeId holder : others(cluster, absent)) {
            cluster.sim.crash(holder);
        }
        cluster.sim.runFor(500 * MS);
        for (NodeId holder : others(cluster, absent)) {
            cluster.sim.restart(holder);
        }
        cluster.sim.runFor(60_000 * MS);
        for (String key : keys) {
            assertEquals(1, cluster.stored(absent, key).size(), absent + " lacks " + key);
        }
        assertEquals(0, cluster.hintsPending(), "every hint delivered after the restart");
        assertTrue(cluster.sim.handlerFailures().isEmpty(), cluster.sim.handlerFailures().toString());
    }

    @Test
    void hintsOfAnEarlierRunAreCountedOnceTheStoreCanBeReadAgain() {
        // a holder restarted while its hint store refused the first read of it used to count its earlier hints as
        // none: they were never delivered, and a leave would not have waited for them
        FirstCutOff run = FirstCutOff.written(21, HintConfig.DEFAULT, 20);
        TestCluster cluster = run.cluster();
        NodeId absent = run.absent();
        List<String> keys = run.keys();
        List<NodeId> holders = others(cluster, absent);
        for (NodeId holder : holders) {
            cluster.sim.crash(holder);
        }
        cluster.sim.runFor(500 * MS);
        cluster.hintStoresRefusing.addAll(holders);
        for (NodeId holder : holders) {
            cluster.sim.restart(holder);
        }
        cluster.sim.runFor(3_000 * MS);
        for (NodeId holder : holders) {
            assertTrue(cluster.node(holder).hints().toHandOver() >= 1, holder + " would leave as if it held none");
        }
        cluster.hintStoresRefusing.clear();
        cluster.sim.runFor(2_000 * MS);
        assertEquals(keys.size(), cluster.hintsPending(), "the earlier run's hints, counted");
        run.bringBack();
        cluster.sim.runFor(30_000 * MS);
        for (String key : keys) {
            assertEquals(1, cluster.stored(absent, key).size(), absent + " lacks " + key);
        }
        assertEquals(0, cluster.hintsPending());
    }

    @Test
    void aCorruptHintIsDroppedAndTakenOffItsOwnersCountWhetherItWasCountedOrNot() {
        // one hint turns corrupt after it was counted, on a running holder; another in the store of a holder that
        // restarts, whose summary meets it. The first used to keep its owner's count one high for good: a leave
        // waited the whole hand-off time for a hint no scan would deliver
        FirstCutOff run = FirstCutOff.written(25, HintConfig.DEFAULT, 30);
        TestCluster cluster = run.cluster();
        NodeId absent = run.absent();
        List<String> keys = run.keys();
        List<NodeId> holders = others(cluster, absent).stream()
            .filter(node -> cluster.hintsStored(node).containsKey(absent)).toList();
        assertTrue(holders.size() >= 2, "hints on two holders at least: " + holders);
        NodeId running = holders.get(0);
        NodeId restarted = holders.get(1);
        cluster.corruptFirstHint(running, absent);
        cluster.corruptFirstHint(restarted, absent);
        cluster.sim.crash(restarted);
        cluster.sim.restart(restarted);
        cluster.sim.runFor(2_000 * MS);
        assertEquals(keys.size() - 1, cluster.hintsPending(), "the restarted holder's summary counts the good ones");
        assertEquals(1, cluster.hintCounter(HintCounter.CORRUPT));
        run.bringBack();
        cluster.sim.runFor(30_000 * MS);
        assertEquals(0, cluster.hintsPending(), "a corrupt hint left on its owner's count");
        assertEquals(2, cluster.hintCounter(HintCounter.CORRUPT));
        assertEquals(keys.size() - 2, cluster.hintCounter(HintCounter.DELIVERED));
        for (NodeId holder : holders) {
            assertEquals(Map.of(), cluster.hintsStored(holder), holder + "'s store");
        }
        long missing = keys.stream().filter(key -> cluster.stored(absent, key).isEmpty()).count();
        assertEquals(2, missing, "every hint but the two corrupt ones delivered");
    }

    @Test
    void aDeliveredHintWhoseDeleteFailedIsNotDeliveredAndCountedAgain() {
        // deletes refused by a full hint stage, then a delivery started over (the owner down again mid-handoff):
        // the scan from the start found the delivered hints again, delivered them again and took them off the count
        // a second time, so the count went below what the store held
        FirstCutOff run = FirstCutOff.written(23, HintConfig.DEFAULT.withDelivery(8 * 1024, 2, 200 * MS), 60);
        TestCluster cluster = run.cluster();
        NodeId absent = run.absent();
        List<String> keys = run.keys();
        List<NodeId> holders = others(cluster, absent);
        cluster.hintWritesRefusing.addAll(holders);
        run.bringBack();
        cluster.sim.runUntil(() -> cluster.hintCounter(HintCounter.DELIVERED) >= 10, 60_000 * MS);
        run.cutOffAgain();
        cluster.sim.runFor(2_000 * MS);
        cluster.hintWritesRefusing.clear();
        run.bringBack();
        cluster.sim.runFor(60_000 * MS);
        for (String key : keys) {
            assertEquals(1, cluster.stored(absent, key).size(), absent + " lacks " + key);
        }
        for (NodeId holder : holders) {
            assertEquals(0, cluster.node(holder).hints().pending(), holder + "'s count of the hints it holds");
        }
        assertEquals(keys.size(), cluster.hintCounter(HintCounter.DELIVERED), "each hint delivered once");
    }

    @Test
    void aHintForAnOwnerThatLeavesReachesTheReplicaTakingTheKeyOver() {
        // the owner came back and began to leave: the hint went to it alone, which may have streamed the key's
        // range to its successor already, so the successor never got the write and the owner took it away
        Set<NodeId> down = new HashSet<>();
        TestCluster cluster = new TestCluster(29, 4, CONFIG, HintConfig.DEFAULT, node -> !down.contains(node),
            Set.of());
        NodeId leaving = cluster.ids.get(0);
        cutOff(cluster, down, leaving);
        List<String> keys = writeKeysOwnedBy(cluster, leaving, "k", 20);
        cluster.sim.runFor(1_000 * MS);
        assertEquals(keys.size(), cluster.hintsPending());
        io.ringkv.ring.Ring future = cluster.ring.withoutNode(leaving);
        for (NodeId id : cluster.ids) {
            cluster.node(id).updateRing(cluster.ring, future);
        }
        cluster.sim.network().heal();
        down.remove(leaving);
        cluster.sim.runFor(5_000 * MS);
        assertEquals(0, cluster.hintsPending());
        for (String key : keys) {
            io.ringkv.ring.PreferenceList next = future.preferenceList(Key.utf8(key));
            for (int i = 0; i < 3; i++) {
                NodeId successor = next.get(i).id();
                assertEquals(1, cluster.stored(successor, key).size(), successor + " lacks " + key);
            }
            assertEquals(1, cluster.stored(leaving, key).size(), "the owner got its hint too: " + key);
        }
    }

    @Test
    void aHintTheReplicaKeepsRefusingIsGivenUpAndOneRefusedForAFullDiskIsNot() {
        // a hint refused for good was put back first in line and sent again every interval, forever: the replica's
        // later hints waited behind it, and the holder never had none left
        Set<NodeId> down = new HashSet<>();
        NodeId failing = NodeId.of("n1");
        NodeId full = NodeId.of("n2");
        TestCluster cluster = new TestCluster(31, NODES, CONFIG, HintConfig.DEFAULT, node -> !down.contains(node),
            Set.of(failing, full));
        ((FullDiskEngine) cluster.engine(failing)).refuseWith(ErrorCode.STORAGE_FAILURE);
        cutOff(cluster, down, failing);
        List<String> failingKeys = writeKeysOwnedBy(cluster, failing, full, "f", 3);
        cluster.sim.network().heal();
        down.remove(failing);
        cutOff(cluster, down, full);
        List<String> fullKeys = writeKeysOwnedBy(cluster, full, failing, "d", 3);
        cluster.sim.network().heal();
        down.remove(full);
        assertEquals(6, cluster.hintsPending(), "a hint for each write's cut-off replica");
        // a refused hint waits out the delivery interval, and the next delivery round comes an interval later: ten
        // refusals in 25 s are not enough (a replica's storage may refuse for a while and recover)
        cluster.sim.runFor((2 * HintedHandoff.MAX_REFUSALS + 5) * 1_000 * MS);
        assertTrue(cluster.hintCounter(HintCounter.DELIVERY_REFUSALS) >= 2L * HintedHandoff.MAX_REFUSALS);
        assertEquals(0, cluster.hintCounter(HintCounter.DROPPED_REFUSED), "given up after refusals of 25 s");
        assertEquals(6, cluster.hintsPending());
        cluster.sim.runFor(HintedHandoff.REFUSED_FOR_NANOS);
        assertEquals(failingKeys.size(), cluster.hintCounter(HintCounter.DROPPED_REFUSED), "given up for repair; "
            + "refusals " + cluster.hintCounter(HintCounter.DELIVERY_REFUSALS) + " sends "
            + cluster.hintCounter(HintCounter.DELIVERY_SENDS) + " pending " + cluster.hintsPending()
            + " delivered " + cluster.hintCounter(HintCounter.DELIVERED) + " refusals " + cluster.hintCounter(HintCounter.DELIVERY_REFUSALS) + " retries " + cluster.hintCounter(HintCounter.DELIVERY_RETRIES));
        assertEquals(fullKeys.size(), cluster.hintsPending(), "a full disk's refusals are waited out, not given up");
        ((FullDiskEngine) cluster.engine(full)).free();
        cluster.sim.runFor(3_000 * MS);
        assertEquals(0, cluster.hintsPending());
        for (String key : fullKeys) {
            assertEquals(1, cluster.stored(full, key).size(), full + " lacks " + key);
        }
    }

    @Test
    void aHintTheReplicaRefusesDoesNotSlowTheDeliveryOfItsOthers() {
        // every refusal paused the replica's whole delivery for an interval: with one hint refused for good, each
        // pass over the line ended with a second's pause, for the ten minutes before that hint was given up
        Set<NodeId> down = new HashSet<>();
        NodeId absent = NodeId.of("n1");
        TestCluster cluster = new TestCluster(53, NODES, CONFIG, HintConfig.DEFAULT, node -> !down.contains(node),
            Set.of(absent));
        cutOff(cluster, down, absent);
        List<String> keys = writeKeysOwnedBy(cluster, absent, "k", 300);
        FullDiskEngine engine = (FullDiskEngine) cluster.engine(absent);
        engine.refuseWith(ErrorCode.STORAGE_FAILURE);
        engine.refuseOnly(Key.utf8(keys.getFirst()));
        cluster.sim.network().heal();
        down.remove(absent);
        cluster.sim.runFor(4_000 * MS);
        assertEquals(1, cluster.hintsPending(), "the refused hint alone is left");
        for (String key : keys.subList(1, keys.size())) {
            assertEquals(1, cluster.stored(absent, key).size(), absent + " lacks " + key);
        }
    }

    @Test
    void aPendingReplicaThatIsSilentDoesNotHoldUpTheOwnersOtherHints() {
        // a replica the key gains in a move, believed alive but answering nothing, kept a hint for the key's owner in
        // flight until the move ended, and the owner's other hints waited behind it; such a hint is now set aside
        // (still held) and delivered once the replica answers
        silentPendingReplica(false);
    }

    @Test
    void aHintSetAsideForASilentPendingReplicaIsDoneWhenTheMoveIsCalledOff() {
        // set aside, it waited for the silent replica for as long as that was believed alive, though the move that
        // made it a recipient was over and the hint's replica had it
        silentPendingReplica(true);
    }

    private static void silentPendingReplica(boolean callOffTheMove) {
        Set<NodeId> down = new HashSet<>();
        HintConfig fewInFlight = HintConfig.DEFAULT.withDelivery(4 << 20, 4, 1_000 * MS);
        TestCluster cluster = new TestCluster(47, 5, CONFIG, fewInFlight, node -> !down.contains(node), Set.of());
        NodeId leaving = cluster.ids.get(0);
        io.ringkv.ring.Ring future = cluster.ring.withoutNode(leaving);
        Map<NodeId, List<String>> byPending = new HashMap<>();
        for (int i = 0; byPending.values().stream().mapToInt(List::size).sum() < 60; i++) {
            String key = "k" + i;
            List<NodeId> owners = cluster.owners(key);
            if (owners.contains(leaving)) {
                for (io.ringkv.api.Node next : future.preferenceList(Key.utf8(key)).replicas()) {
                    if (!owners.contains(next.id())) {
                        byPending.computeIfAbsent(next.id(), n -> new ArrayList<>()).add(key);
                    }
                }
            }
        }
        NodeId silent = byPending.keySet().iterator().next();
        List<String> silentKeys = byPending.get(silent);
        List<String> otherKeys = byPending.entrySet().stream().filter(e -> !e.getKey().equals(silent))
            .flatMap(e -> e.getValue().stream()).toList();
        assertFalse(otherKeys.isEmpty(), "every key gains the same replica: the test would prove nothing");
        // the silent node's keys first, so that they come first in each holder's line; it is cut off while the
        // keys are written, so that others keep their hints
        cutOff(cluster, down, leaving);
        down.add(silent);
        cluster.sim.network().partition(List.of(leaving, silent), others(cluster, leaving).stream()
            .filter(id -> !id.equals(silent)).toList());
        cluster.sim.network().block(leaving, silent).block(silent, leaving);
        List<String> ordered = new ArrayList<>(silentKeys);
        ordered.addAll(otherKeys);
        for (String key : ordered) {
            NodeId via = cluster.owners(key).stream().filter(id -> !down.contains(id)).findFirst().orElseThrow();
            assertTrue(cluster.put(via, key, "v", null, QUORUM).succeeded(), key);
        }
        cluster.sim.runFor(1_000 * MS);
        for (NodeId id : cluster.ids) {
            cluster.node(id).updateRing(cluster.ring, future);
        }
        // the leaving node is back; the pending one is believed alive, and its network is cut off
        cluster.sim.network().heal();
        cluster.sim.network().partition(List.of(silent), others(cluster, silent));
        down.clear();
        // a few in flight at a time, each silent one sent three times before it is set aside
        cluster.sim.runFor(90_000 * MS);
        for (String key : otherKeys) {
            assertEquals(1, cluster.stored(leaving, key).size(), "the owner lacks " + key + ", behind a silent one");
        }
        assertTrue(cluster.hintsPending() > 0, "hints for the silent replica were given up");
        if (callOffTheMove) {
            for (NodeId id : cluster.ids) {
                cluster.node(id).updateRing(cluster.ring, cluster.ring);
            }
            cluster.sim.runFor(3_000 * MS);
            for (NodeId id : cluster.ids) {
                assertEquals(null, cluster.node(id).hints().pendingByTarget().get(leaving),
                    id + " still holds hints its replica took");
            }
            return;
        }
        cluster.sim.network().heal();
        cluster.sim.runFor(30_000 * MS);
        for (String key : silentKeys) {
            assertEquals(1, cluster.stored(silent, key).size(), silent + " lacks " + key);
        }
        assertEquals(0, cluster.hintsPending());
    }

    @Test
    void noNewHintsForAReplicaDownLongerThanTheWindow() {
        Set<NodeId> down = new HashSet<>();
        HintConfig window = HintConfig.DEFAULT.withWindow(10_000 * MS);
        TestCluster cluster = new TestCluster(13, NODES, CONFIG, window, node -> !down.contains(node), Set.of());
        NodeId absent = cluster.ids.get(1);
        cutOff(cluster, down, absent);
        int early = writeKeysOwnedBy(cluster, absent, "early", 10).size();
        cluster.sim.runFor(1_000 * MS);
        assertEquals(early, cluster.hintsPending());
        cluster.sim.runFor(11_000 * MS);
        int late = writeKeysOwnedBy(cluster, absent, "late", 10).size();
        cluster.sim.runFor(1_000 * MS);
        assertEquals(early, cluster.hintsPending(), "no hint kept past the window");
        assertTrue(cluster.hintCounter(HintCounter.DROPPED_WINDOW) >= late, "refusals counted");
    }

    @Test
    void aHolderRestartedWhileItsReplicaStaysDownKeepsTheWindowItsDownMarkBegan() {
        Set<NodeId> down = new HashSet<>();
        HintConfig window = HintConfig.DEFAULT.withWindow(10_000 * MS);
        TestCluster cluster = new TestCluster(23, NODES, CONFIG, window, node -> !down.contains(node), Set.of());
        NodeId absent = cluster.ids.get(1);
        cutOff(cluster, down, absent);
        int early = writeKeysOwnedBy(cluster, absent, "early", 10).size();
        cluster.sim.runFor(4_000 * MS);
        Map<NodeId, Integer> kept = new HashMap<>();
        for (NodeId holder : others(cluster, absent)) {
            Integer pending = cluster.node(holder).hints().pendingByTarget().get(absent);
            if (pending != null && pending > 0) {
                kept.put(holder, pending);
            }
        }
        assertEquals(early, kept.values().stream().mapToInt(Integer::intValue).sum(), kept.toString());
        // every holder restarts well inside the window; the replica stays down throughout
        for (NodeId holder : others(cluster, absent)) {
            cluster.sim.crash(holder);
            cluster.sim.restart(holder);
        }
        cluster.sim.runFor(8_000 * MS);
        // 12 s since the first hints: past the window, which a restart must not have started again for a holder
        // that kept hints (one that kept none has nothing to date the absence by: its window starts at its first
        // judgment, as any holder's does)
        writeKeysOwnedBy(cluster, absent, "late", 40);
        cluster.sim.runFor(1_000 * MS);
        long refused = 0;
        for (Map.Entry<NodeId, Integer> holder : kept.entrySet()) {
            HintedHandoff hints = cluster.node(holder.getKey()).hints();
            assertEquals(holder.getValue(), hints.pendingByTarget().get(absent), holder.getKey()
                + " kept a hint past the window its down mark from before the restart began");
            refused += hints.counter(HintCounter.DROPPED_WINDOW);
        }
        assertTrue(refused > 0, "the holders that kept hints were asked for none: " + kept);
        assertTrue(cluster.sim.handlerFailures().isEmpty(), cluster.sim.handlerFailures().toString());
    }

    @Test
    void aRunningHolderKeepsTheWindowOfAReplicaThatBeatOnOutOfItsReach() {
        heartbeatOutOfReach(false);
    }

    @Test
    void aRestartedHolderKeepsTheWindowOfAReplicaThatBeatOnOutOfItsReachSinceItsRestart() {
        heartbeatOutOfReach(true);
    }

    /**
     * The replica is alive but cut off from the holders (a partition): gossip brings its heartbeats made while the
     * holders ran, through a node on its side. They would have reached the holders had it been back: its absence
     * goes on, and so does the window.
     */
    private static void heartbeatOutOfReach(boolean restartFirst) {
        GossipView gossip = new GossipView();
        TestCluster cluster = cutOffWithHints(37, gossip, "early");
        NodeId absent = cluster.ids.get(1);
        List<NodeId> holders = others(cluster, absent);
        if (restartFirst) {
            holders.forEach(cluster.sim::crash);
            holders.forEach(cluster.sim::restart);
        }
        cluster.sim.runFor(1_000 * MS);
        gossip.lastBeats.put(absent, cluster.sim.now());
        cluster.sim.runFor(8_000 * MS);
        // 12 s after the first absence began
        writeKeysOwnedBy(cluster, absent, "late", 10);
        cluster.sim.runFor(1_000 * MS);
        assertTrue(cluster.hintCounter(HintCounter.DROPPED_WINDOW) > 0,
            "a heartbeat made out of the holders' reach started the window again");
        assertTrue(cluster.sim.handlerFailures().isEmpty(), cluster.sim.handlerFailures().toString());
    }

    @Test
    void aHolderRestartedDatesTheWindowFromTheReplicasLatestAbsenceNotFromHintsKeptThroughAnEarlierOne() {
        Set<NodeId> down = new HashSet<>();
        HintConfig window = HintConfig.DEFAULT.withWindow(10_000 * MS);
        TestCluster cluster = new TestCluster(29, NODES, CONFIG, window, node -> !down.contains(node), Set.of());
        NodeId absent = cluster.ids.get(1);
        List<NodeId> holders = others(cluster, absent);
        cutOff(cluster, down, absent);
        writeKeysOwnedBy(cluster, absent, "first", 10);
        cluster.sim.runFor(3_000 * MS);
        // back and judged alive, but what its holders send it is lost: their hints of the first absence stay
        down.remove(absent);
        cluster.sim.network().heal();
        holders.forEach(holder -> cluster.sim.network().block(holder, absent));
        cluster.sim.runFor(3_000 * MS);
        // down again: a second absence, 6 s after the first began
        cutOff(cluster, down, absent);
        writeKeysOwnedBy(cluster, absent, "second", 10);
        cluster.sim.runFor(2_000 * MS);
        holders.forEach(holder -> {
            cluster.sim.crash(holder);
            cluster.sim.restart(holder);
        });
        cluster.sim.runFor(5_000 * MS);
        // 13 s after the first absence began and 7 s into the second: inside the window of the one that lasts
        int pending = cluster.hintsPending();
        int late = writeKeysOwnedBy(cluster, absent, "late", 10).size();
        cluster.sim.runFor(1_000 * MS);
        assertEquals(0, cluster.hintCounter(HintCounter.DROPPED_WINDOW), "hints refused for the second absence");
        assertEquals(pending + late, cluster.hintsPending());
        // 11 s into the second absence (9 s after the restart): its holders' marks close the window
        cluster.sim.runFor(3_000 * MS);
        writeKeysOwnedBy(cluster, absent, "second", 10);
        cluster.sim.runFor(1_000 * MS);
        assertTrue(cluster.hintCounter(HintCounter.DROPPED_WINDOW) > 0, "the window of the second absence ran on"
            + " from its mark, not from the holders' restart");
        assertTrue(cluster.sim.handlerFailures().isEmpty(), cluster.sim.handlerFailures().toString());
    }

    @Test
    void aHolderRestartedAfterItsReplicaRestartedAndWentDownAgainDatesTheWindowFromTheNewRun() {
        holderRestartedAfterItsReplicaRestarted(false);
    }

    @Test
    void aLaterRunOfADownReplicaLearnedAfterTheHoldersFirstJudgmentStartsANewWindow() {
        // the restarted holders first judge the replica by the run they remember; gossip brings the later one after
        holderRestartedAfterItsReplicaRestarted(true);
    }

    @Test
    void aHolderRestartedAfterItsReplicaCameBackUnseenAndWentDownAgainStartsANewWindow() {
        // the replica did not restart: a partition healed, and it beat on in the same run, while the holders were down
        holderRestartedAfterItsReplicaRestarted(false, true);
    }

    @Test
    void aDownReplicasLaterHeartbeatLearnedAfterTheHoldersFirstJudgmentStartsANewWindow() {
        holderRestartedAfterItsReplicaRestarted(true, true);
    }

    private static void holderRestartedAfterItsReplicaRestarted(boolean learnedLate) {
        holderRestartedAfterItsReplicaRestarted(learnedLate, false);
    }

    /**
     * @param beatOn the replica comes back in the same run (gossip brings a heartbeat it made while the holders were
     *     down) rather than in a later run
     */
    private static void holderRestartedAfterItsReplicaRestarted(boolean learnedLate, boolean beatOn) {
        GossipView gossip = new GossipView();
        TestCluster cluster = cutOffWithHints(31, gossip, "first");
        NodeId absent = cluster.ids.get(1);
        List<NodeId> holders = others(cluster, absent);
        // the holders go down; meanwhile the replica comes back (a later run, or a heartbeat of its run, as gossip
        // will tell) and goes down again, which the holders, being down, do not see
        holders.forEach(cluster.sim::crash);
        cluster.sim.runFor(1_000 * MS);
        // gossip tells of a later run, or of a heartbeat of the same run made now, while the holders are down
        long madeWhileDown = cluster.sim.now();
        Runnable comesBack = beatOn ? () -> gossip.lastBeats.put(absent, madeWhileDown)
            : () -> gossip.generations.put(absent, 2L);
        if (!learnedLate) {
            comesBack.run();
        }
        cluster.sim.runFor(5_000 * MS);
        holders.forEach(cluster.sim::restart);
        if (learnedLate) {
            cluster.sim.runFor(2_000 * MS);
            comesBack.run();
            cluster.sim.runFor(2_000 * MS);
        } else {
            cluster.sim.runFor(4_000 * MS);
        }
        // 13 s after the first absence's mark, 4 s after the holders saw the replica down again: inside the window
        // of the run that is down now
        int pending = cluster.hintsPending();
        int late = writeKeysOwnedBy(cluster, absent, "late", 10).size();
        cluster.sim.runFor(1_000 * MS);
        assertEquals(0, cluster.hintCounter(HintCounter.DROPPED_WINDOW),
            "hints refused by the window of the replica's earlier run");
        assertEquals(pending + late, cluster.hintsPending());
        // that window closes in its turn: 12 s after the holders' restart, or after the later run was learned (each
        // judged at a delivery tick, up to 1 s later)
        cluster.sim.runFor((learnedLate ? 9_000 : 7_000) * MS);
        writeKeysOwnedBy(cluster, absent, "later", 10);
        cluster.sim.runFor(1_000 * MS);
        assertTrue(cluster.hintCounter(HintCounter.DROPPED_WINDOW) > 0, "the new run's window never closed");
        assertTrue(cluster.sim.handlerFailures().isEmpty(), cluster.sim.handlerFailures().toString());
    }

    @Test
    void aNodeThatLeftTheRingAndCameBackStartsAFreshWindowWhenItIsDownAgain() {
        Set<NodeId> down = new HashSet<>();
        HintConfig window = HintConfig.DEFAULT.withWindow(10_000 * MS);
        TestCluster cluster = new TestCluster(19, NODES, CONFIG, window, node -> !down.contains(node), Set.of());
        NodeId absent = cluster.ids.get(1);
        cutOff(cluster, down, absent);
        // down longer than the window, then taken off the ring (removed, as an operator does with a dead node)
        cluster.sim.runFor(12_000 * MS);
        for (NodeId other : others(cluster, absent)) {
            cluster.node(other).updateRing(cluster.ring.withoutNode(absent));
        }
        cluster.sim.runFor(2_000 * MS);
        // the same id back on the ring, and down again at once: its hints are for a new absence
        for (NodeId other : others(cluster, absent)) {
            cluster.node(other).updateRing(cluster.ring);
        }
        cluster.sim.runFor(1_000 * MS);
        int written = writeKeysOwnedBy(cluster, absent, "back", 10).size();
        cluster.sim.runFor(1_000 * MS);
        assertEquals(0, cluster.hintCounter(HintCounter.DROPPED_WINDOW), "no hint refused for the old absence");
        assertEquals(written, cluster.hintsPending(), "one hint per write for the replica down again");
        assertTrue(cluster.sim.handlerFailures().isEmpty(), cluster.sim.handlerFailures().toString());
    }

    @Test
    void theHintByteCapIsHonouredAndOverflowCounted() {
        Set<NodeId> down = new HashSet<>();
        HintConfig capped = HintConfig.DEFAULT.withCaps(2_000, 1L << 30);
        TestCluster cluster = new TestCluster(17, NODES, CONFIG, capped, node -> !down.contains(node), Set.of());
        NodeId absent = cluster.ids.get(2);
        cutOff(cluster, down, absent);
        writeKeysOwnedBy(cluster, absent, "capped", 60);
        cluster.sim.runFor(1_000 * MS);
        assertTrue(cluster.hintCounter(HintCounter.DROPPED_CAP) > 0, "the cap refused some hints");
        for (NodeId id : cluster.ids) {
            if (!id.equals(absent)) {
                assertTrue(cluster.node(id).hints().counter(HintCounter.PENDING_BYTES) <= 2_000,
                    id + " keeps more hint bytes than its cap");
            }
        }
        assertFalse(cluster.hintsPending() == 0, "hints under the cap are kept");
    }

    @Test
    void aHintedWriteMadeLaterThanTheSubstitutesClockAgesFromItsArrival() {
        // its time was taken as given: a year ahead, it stayed deliverable for a year past the tombstone grace, and
        // could bring back a delete purged meanwhile
        Set<NodeId> down = new HashSet<>();
        NodeId absent = NodeId.of("n3");
        NodeId holder = NodeId.of("n1");
        TestCluster cluster = new TestCluster(29, NODES, CONFIG.withTombstoneGraceMillis(10_000), HintConfig.DEFAULT,
            node -> !down.contains(node), Set.of());
        cutOff(cluster, down, absent);
        String key = "ahead";
        sendHintedWrites(cluster, holder, Map.of(key, absent), 365L * 24 * 3600 * 1000);
        cluster.sim.runFor(20_000 * MS);
        assertEquals(1, cluster.node(holder).hints().counter(HintCounter.STORED));

        down.remove(absent);
        cluster.sim.network().heal();
        cluster.sim.runFor(3_000 * MS);

        assertEquals(1, cluster.node(holder).hints().counter(HintCounter.DROPPED_EXPIRED));
        assertEquals(0, cluster.node(holder).hints().counter(HintCounter.DELIVERED));
        assertTrue(cluster.stored(absent, key).isEmpty(), "a hint past the grace was delivered");
    }

    /**
     * Adds a node that runs no replication of its own and, a millisecond in, sends {@code to} a hinted write of each
     * key for the owner beside it, made {@code aheadMillis} after its own clock says.
     */
    private static void sendHintedWrites(TestCluster cluster, NodeId to, Map<String, NodeId> ownerByKey,
                                         long aheadMillis) {
        io.ringkv.replication.internal.MessageCodec codec = new io.ringkv.replication.internal.MessageCodec(
            CONFIG.limits(), CONFIG.maxSiblings(), 64 * 1024);
        cluster.sim.addNode(NodeId.of("sender"), (context, disk) -> {
            context.timers().schedule(MS, id -> {
                long now = context.clock().wallClockMillis();
                io.ringkv.api.Versioned versioned = io.ringkv.api.Versioned.of(new Version(new io.ringkv.api.Dot(
                    NodeId.of("n2"), 1), io.ringkv.api.VectorClock.of(Map.of()),
                    new io.ringkv.api.HybridTimestamp(now, 0)), Value.utf8("v"));
                long correlation = 0;
                for (Map.Entry<String, NodeId> hinted : ownerByKey.entrySet()) {
                    Key key = Key.utf8(hinted.getKey());
                    int length = codec.encodeHintedWrite(correlation++, io.ringkv.ring.Partitioner.token(key), key,
                        List.of(versioned), hinted.getValue(), now + aheadMillis);
                    context.transport().send(to, codec.sendBuffer(), 0, length);
                }
            });
            return codec;
        });
    }

    @Test
    void aWriteWhoseSubstitutesKeptNoHintFailsSayingWhy() {
        // it said "see their logs", and a substitute that keeps no hint logs nothing: its reasons are counters
        Set<NodeId> down = new HashSet<>();
        TestCluster cluster = new TestCluster(23, NODES, CONFIG, HintConfig.DEFAULT.withCaps(1, 1),
            node -> !down.contains(node), Set.of());
        String key = "refused";
        List<NodeId> owners = cluster.owners(key);
        cutOff(cluster, down, owners.get(1));
        cutOff(cluster, down, owners.get(2));

        TestCluster.Outcome<Version> outcome = cluster.put(owners.get(0), key, "v", null, QUORUM);

        assertEquals(ErrorCode.STORAGE_FAILURE, outcome.error, outcome.message);
        assertTrue(outcome.message.contains("(2 substitutes kept no hint (past the hint window, at a hint cap"),
            outcome.message);
        assertFalse(outcome.message.contains("see their logs"), outcome.message);
    }

    @Test
    void hintsForAReplicaThatLeftTheRingGoToTheKeysCurrentReplicas() {
        Set<NodeId> down = new HashSet<>();
        TestCluster cluster = new TestCluster(21, NODES, CONFIG, HintConfig.DEFAULT, node -> !down.contains(node),
            Set.of());
        NodeId gone = cluster.ids.get(3);
        down.add(gone);
        cluster.sim.crash(gone);
        List<String> keys = writeKeysOwnedBy(cluster, gone, "r", 20);
        cluster.sim.runFor(1_000 * MS);
        assertTrue(cluster.hintsPending() >= keys.size());
        io.ringkv.ring.Ring without = cluster.ring.withoutNode(gone);
        for (NodeId id : cluster.ids) {
            if (!id.equals(gone)) {
                cluster.node(id).updateRing(without);
            }
        }
        cluster.sim.runFor(5_000 * MS);
        assertEquals(0, cluster.hintsPending(), "hints delivered to the new replicas");
        assertTrue(cluster.hintCounter(HintCounter.REDIRECTED) >= keys.size());
        for (String key : keys) {
            io.ringkv.ring.PreferenceList now = without.preferenceList(Key.utf8(key));
            for (int i = 0; i < 3; i++) {
                assertEquals(1, cluster.stored(now.get(i).id(), key).size(), now.get(i).id() + " lacks " + key);
            }
        }
    }

    @Test
    void aSilentReplicaOfRedirectedHintsDoesNotHoldUpTheOwnersOtherHints() {
        // a delivery of a redirected hint gave its slot back only when the owner answered, which it never does (it is
        // not a recipient): the first hints, waiting on a current replica believed alive but silent, held both slots,
        // and the owner's other hints waited behind them for as long as it stayed silent
        Set<NodeId> down = new HashSet<>();
        TestCluster cluster = new TestCluster(21, NODES, CONFIG,
            HintConfig.DEFAULT.withSloppyQuorum(false).withDelivery(1L << 30, 2, 100 * MS), node -> !down.contains(node),
            Set.of());
        NodeId gone = cluster.ids.get(3);
        NodeId holder = cluster.ids.get(2);
        NodeId silent = cluster.ids.get(1);
        io.ringkv.ring.Ring without = cluster.ring.withoutNode(gone);
        List<String> toSilent = new ArrayList<>();
        List<String> others = new ArrayList<>();
        for (int i = 0; (toSilent.size() < 2 || others.size() < 6) && i < 100_000; i++) {
            String key = "s" + i;
            List<NodeId> owners = cluster.owners(key);
            if (!owners.contains(gone) || !owners.contains(holder)) {
                continue;
            }
            boolean silentReplica = without.preferenceList(Key.utf8(key)).contains(silent);
            if (silentReplica && toSilent.size() < 2) {
                toSilent.add(key);
            } else if (!silentReplica && others.size() < 6) {
                others.add(key);
            }
        }
        assertTrue(toSilent.size() == 2 && others.size() == 6, "keys " + toSilent + " " + others);
        down.add(gone);
        cluster.sim.crash(gone);
        // the holder coordinates them all and keeps the hints, the silent replica's first
        for (String key : toSilent) {
            assertTrue(cluster.put(holder, key, "v", null, QUORUM).succeeded());
        }
        for (String key : others) {
            assertTrue(cluster.put(holder, key, "v", null, QUORUM).succeeded());
        }
        for (NodeId id : cluster.ids) {
            if (!id.equals(gone)) {
                cluster.node(id).updateRing(without);
            }
        }
        cluster.sim.network().block(holder, silent);
        cluster.sim.runFor(10_000 * MS);
        for (String key : others) {
            io.ringkv.ring.PreferenceList now = without.preferenceList(Key.utf8(key));
            for (int i = 0; i < 3; i++) {
                assertEquals(1, cluster.stored(now.get(i).id(), key).size(), now.get(i).id() + " lacks " + key);
            }
        }
    }

    @Test
    void hintsRedirectedWhileANodeJoinsGoToTheKeysPendingReplicasToo() {
        // a joiner may be past a key in its stream: a write goes to it as a pending replica, and so must a hint whose
        // replica left the ring, else the key misses a copy once the joiner owns it
        Set<NodeId> down = new HashSet<>();
        TestCluster cluster = new TestCluster(27, NODES, CONFIG, HintConfig.DEFAULT, node -> !down.contains(node),
            Set.of());
        NodeId gone = cluster.ids.get(3);
        NodeId joiner = cluster.ids.get(5);
        io.ringkv.ring.Ring withoutJoiner = cluster.ring.withoutNode(joiner);
        for (NodeId id : cluster.ids) {
            cluster.node(id).updateRing(withoutJoiner);
        }
        down.add(gone);
        cluster.sim.crash(gone);
        List<String> keys = writeKeysOwnedBy(cluster, gone, joiner, "p", 30);
        cluster.sim.runFor(1_000 * MS);
        assertTrue(cluster.hintsPending() >= keys.size());
        io.ringkv.ring.Ring current = withoutJoiner.withoutNode(gone);
        io.ringkv.ring.Ring future = cluster.ring.withoutNode(gone);
        for (NodeId id : cluster.ids) {
            if (!id.equals(gone)) {
                cluster.node(id).updateRing(current, future);
            }
        }
        cluster.sim.runFor(5_000 * MS);
        assertEquals(0, cluster.hintsPending(), "hints delivered");
        int pending = 0;
        for (String key : keys) {
            if (future.preferenceList(Key.utf8(key)).contains(joiner)) {
                pending++;
                assertEquals(1, cluster.stored(joiner, key).size(), "the joiner lacks " + key);
            }
        }
        assertTrue(pending > 0, "the joiner is a pending replica of no key: the test shows nothing");
    }

    @Test
    void hintsForAReplicaBackOnTheRingWithOtherTokensGoToTheKeysCurrentReplicas() {
        // its id removed and joined again with new tokens while its hints waited: delivered to it, they were deleted
        // once it acknowledged them, and the keys it no longer replicates kept one copy fewer until repair
        Set<NodeId> down = new HashSet<>();
        TestCluster cluster = new TestCluster(23, NODES, CONFIG, HintConfig.DEFAULT, node -> !down.contains(node),
            Set.of());
        NodeId back = cluster.ids.get(3);
        down.add(back);
        cluster.sim.crash(back);
        List<String> keys = writeKeysOwnedBy(cluster, back, "b", 20);
        cluster.sim.runFor(1_000 * MS);
        assertTrue(cluster.hintsPending() >= keys.size());
        io.ringkv.api.Node node = cluster.ring.node(cluster.ring.indexOf(back));
        io.ringkv.ring.Ring moved = cluster.ring.withoutNode(back).withNode(node,
            new java.util.SplittableRandom(2023).longs(cluster.ring.tokensOf(back).length).toArray());
        down.remove(back);
        cluster.sim.restart(back);
        for (NodeId id : cluster.ids) {
            cluster.node(id).updateRing(moved);
        }
        cluster.sim.runFor(5_000 * MS);
        assertEquals(0, cluster.hintsPending(), "hints delivered");
        int elsewhere = 0;
        for (String key : keys) {
            io.ringkv.ring.PreferenceList now = moved.preferenceList(Key.utf8(key));
            elsewhere += now.contains(back) ? 0 : 1;
            for (int i = 0; i < 3; i++) {
                assertEquals(1, cluster.stored(now.get(i).id(), key).size(), now.get(i).id() + " lacks " + key);
            }
        }
        assertTrue(elsewhere > 0, "every key still on the node that came back: the test shows nothing");
        assertTrue(cluster.hintCounter(HintCounter.REDIRECTED) >= elsewhere);
    }

    @Test
    void aLeavingNodeHandsHintsForAnOwnerThatNoLongerReplicatesTheirKeysToTheKeysReplicasAsWrites() {
        // handing off, the node sent such a hint as a hint to the first current replica only (the path meant for a
        // keeper of a DOWN owner's hints): the other replicas never got it, the delivery never completed, and it held
        // one of the owner's slots until the node gave up and left with the owner's hints
        Set<NodeId> down = new HashSet<>();
        TestCluster cluster = new TestCluster(23, NODES, CONFIG, HintConfig.DEFAULT, node -> !down.contains(node),
            Set.of());
        NodeId back = cluster.ids.get(3);
        down.add(back);
        cluster.sim.crash(back);
        List<String> keys = writeKeysOwnedBy(cluster, back, "b", 20);
        cluster.sim.runFor(1_000 * MS);
        io.ringkv.api.Node node = cluster.ring.node(cluster.ring.indexOf(back));
        io.ringkv.ring.Ring moved = cluster.ring.withoutNode(back).withNode(node,
            new java.util.SplittableRandom(2023).longs(cluster.ring.tokensOf(back).length).toArray());
        for (NodeId id : cluster.ids) {
            if (!id.equals(back)) {
                cluster.node(id).updateRing(moved);
            }
        }
        NodeId holder = cluster.ids.stream().filter(id -> !id.equals(back))
            .max(java.util.Comparator.comparingLong(id -> cluster.node(id).hints().pending())).orElseThrow();
        java.util.Set<String> held = cluster.hintedKeys(holder, back);
        List<String> elsewhere = keys.stream().filter(key -> held.contains(key)
            && !moved.preferenceList(Key.utf8(key)).contains(back)).toList();
        assertTrue(!elsewhere.isEmpty() && cluster.node(holder).hints().pending() > 0, "the test would show nothing");
        // the owner stays DOWN: the holder hands its hints off
        cluster.node(holder).hints().handOff();
        cluster.sim.runFor(10_000 * MS);
        assertEquals(0, cluster.node(holder).hints().pending(), "hints left with the holder");
        for (String key : elsewhere) {
            io.ringkv.ring.PreferenceList now = moved.preferenceList(Key.utf8(key));
            for (int i = 0; i < 3; i++) {
                assertEquals(1, cluster.stored(now.get(i).id(), key).size(), now.get(i).id() + " lacks " + key);
            }
        }
    }

    /**
     * The cluster's first node cut off while {@code count} keys it replicates were written through the others: one
     * hint each waits on them.
     */
    private record FirstCutOff(TestCluster cluster, Set<NodeId> down, NodeId absent, List<String> keys) {
        static FirstCutOff written(long seed, HintConfig hints, int count) {
            Set<NodeId> down = new HashSet<>();
            TestCluster cluster = new TestCluster(seed, NODES, CONFIG, hints, node -> !down.contains(node), Set.of());
            NodeId absent = cluster.ids.get(0);
            cutOff(cluster, down, absent);
            List<String> keys = writeKeysOwnedBy(cluster, absent, "k", count);
            cluster.sim.runFor(1_000 * MS);
            assertEquals(keys.size(), cluster.hintsPending());
            return new FirstCutOff(cluster, down, absent, keys);
        }

        void bringBack() {
            cluster.sim.network().heal();
            down.remove(absent);
        }

        void cutOffAgain() {
            cutOff(cluster, down, absent);
        }
    }

    /**
     * Writes {@code count} keys {@code owner} is a replica of, through another replica, each acknowledged.
     *
     * @return the keys
     */
    private static List<String> writeKeysOwnedBy(TestCluster cluster, NodeId owner, String prefix, int count) {
        return writeKeysOwnedBy(cluster, owner, null, prefix, count);
    }

    /** Writes {@code count} keys that {@code owner} replicates and {@code not} (when not null) does not. */
    private static List<String> writeKeysOwnedBy(TestCluster cluster, NodeId owner, NodeId not, String prefix,
                                                 int count) {
        List<String> keys = new ArrayList<>();
        for (int i = 0; keys.size() < count; i++) {
            String key = prefix + i;
            List<NodeId> owners = cluster.owners(key);
            if (owners.contains(owner) && (not == null || !owners.contains(not))) {
                NodeId via = owners.get(owners.get(0).equals(owner) ? 1 : 0);
                TestCluster.Outcome<Version> outcome = cluster.put(via, key, "value-of-" + key, null, QUORUM);
                assertTrue(outcome.succeeded(), key + ": " + outcome.error + " " + outcome.message);
                keys.add(key);
            }
        }
        return keys;
    }

    /** Cuts {@code node} off from every other node, which the failure detector stand-in then judges down. */
    private static void cutOff(TestCluster cluster, Set<NodeId> down, NodeId node) {
        down.add(node);
        cluster.sim.network().partition(List.of(node), others(cluster, node));
    }

    private static List<NodeId> others(TestCluster cluster, NodeId node) {
        List<NodeId> others = new ArrayList<>(cluster.ids);
        others.remove(node);
        return others;
    }

    /** @return a callback that records the version of an acknowledged write of {@code key} */
    static PutCallback recordInto(Map<String, Version> acked, String key) {
        return new PutCallback() {
            @Override
            public void onSuccess(Version written) {
                acked.put(key, written);
            }

            @Override
            public void onFailure(ErrorCode code, String message) {
                // not acknowledged: nothing is promised about it
            }
        };
    }

    /**
     * @return a cluster with a 10 s hint window, whose second node {@code gossip} holds DOWN (cut off), after 10 writes
     *     it owns (keys starting with {@code prefix}) and 3 s more: its holders keep those hints and its down mark
     */
    private static TestCluster cutOffWithHints(long seed, GossipView gossip, String prefix) {
        HintConfig window = HintConfig.DEFAULT.withWindow(10_000 * MS);
        TestCluster cluster = new TestCluster(seed, NODES, CONFIG, window, gossip, Set.of());
        NodeId absent = cluster.ids.get(1);
        cutOff(cluster, gossip.down, absent);
        writeKeysOwnedBy(cluster, absent, prefix, 10);
        cluster.sim.runFor(3_000 * MS);
        return cluster;
    }

    @Test
    void aHintedWriteForAReplicaNoRingHoldsIsRefusedAndLeavesNothingBehind() {
        // each made-up owner got a hint target, a down mark written to the hint store and a window, never cleared
        NodeId down = NodeId.of("n3");
        TestCluster cluster = new TestCluster(19, NODES, CONFIG, HintConfig.DEFAULT, node -> !node.equals(down),
            Set.of());
        NodeId holder = NodeId.of("n1");
        Map<String, NodeId> owners = new LinkedHashMap<>();
        for (int i = 0; i < 100; i++) {
            owners.put("k" + i, NodeId.of("ghost" + i));
        }
        owners.put("k100", down);
        sendHintedWrites(cluster, holder, owners, 0);

        cluster.sim.runFor(1_000 * MS);

        HintedHandoff hints = cluster.node(holder).hints();
        assertEquals(100, hints.counter(HintCounter.DROPPED_UNKNOWN_OWNER));
        assertEquals(1, hints.counter(HintCounter.STORED), "the hint for a ring member that is down");
        assertEquals(1, hints.counter(HintCounter.PENDING));
    }

    /**
     * Liveness as gossip gives it: DOWN nodes, each node's latest run (1 unless set), and when it made its newest
     * heartbeat known here (the simulation's clock, which every node's monotonic clock reads in these tests; absent:
     * none known).
     */
    private static final class GossipView implements LivenessView {
        final Set<NodeId> down = new HashSet<>();
        final Map<NodeId, Long> generations = new HashMap<>();
        final Map<NodeId, Long> lastBeats = new HashMap<>();

        @Override
        public boolean isAlive(NodeId node) {
            return !down.contains(node);
        }

        @Override
        public long generation(NodeId node) {
            return generations.getOrDefault(node, 1L);
        }

        @Override
        public boolean upAfter(NodeId node, long generation, long sinceNanos, long untilNanos) {
            // as gossip judges it: a later run, or a heartbeat made after then and no later than until
            Long made = lastBeats.get(node);
            return generation != 0 && generation(node) > generation
                || made != null && made > sinceNanos && made <= untilNanos;
        }
    }
}
