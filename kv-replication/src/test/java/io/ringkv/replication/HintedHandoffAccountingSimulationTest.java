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
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Hinted handoff's books, in the simulator: under lost, duplicated and late messages, paused replicas, cut-off nodes
 * hint stores that refuse writes or everything for a while, and replicas whose disk refuses writes (full, or failing)
 * while hints wait for them, every hint a node stores ends in exactly one way
 * (delivered, or dropped and counted), a node's count of the hints it holds never exceeds what its hint store holds
 * nor goes below zero, and once the faults end the count and the store agree at zero, with every acknowledged write
 * on every one of its replicas. No node restarts here: counters start again with a node, and the books are per run.
 */
class HintedHandoffAccountingSimulationTest {
    private static final int NODES = 6;
    private static final Consistency QUORUM = new Consistency(3, 2, 2);
    private static final ReplicationConfig CONFIG = ReplicationConfig.DEFAULT.withConsistency(QUORUM);

    @Test
    void everyStoredHintEndsInExactlyOneWayAndTheCountNeverLeavesTheStore() {
        long[] totals = {0, 0, 0};
        SimulationSeeds.run(getClass(), "everyStoredHintEndsInExactlyOneWayAndTheCountNeverLeavesTheStore",
            "kv-replication", 10, seed -> {
                long[] run = run(seed);
                for (int i = 0; i < totals.length; i++) {
                    totals[i] += run[i];
                }
            });
        assertTrue(totals[0] > 0, "handoff delivered nothing over all seeds: the test does not exercise it");
        assertTrue(totals[1] > 0, "no replica refused a hint over all seeds: the test does not exercise refusals");
        assertTrue(totals[2] > 0, "no hinted write was repeated over all seeds: the test does not exercise repeats");
    }

    /** @return hints delivered, delivery refusals and hinted writes recognised as repeats in the run */
    private static long[] run(long seed) {
        Set<NodeId> down = new HashSet<>();
        TestCluster cluster = new TestCluster(seed, NODES, CONFIG, HintConfig.DEFAULT, node -> !down.contains(node),
            Set.of(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3"), NodeId.of("n4"), NodeId.of("n5"),
                NodeId.of("n6")));
        // every data engine can be made to refuse writes; none does at first
        cluster.ids.forEach(id -> disk(cluster, id).free());
        SplittableRandom random = new SplittableRandom(seed ^ 0xB00C5L);
        cluster.sim.network().dropRate(0.02).duplicateRate(0.05).latency(LatencyModel.exponential(100_000, MS));
        scheduleFaults(cluster, random, down);
        List<String> broken = new ArrayList<>();
        for (long at = 50; at < 72_000; at += 50) {
            cluster.sim.schedule(at * MS, () -> checkCounts(cluster, broken));
        }
        Map<String, Version> acked = new LinkedHashMap<>();
        for (int i = 0; i < 400; i++) {
            String key = "key" + i;
            NodeId via = cluster.ids.get(random.nextInt(NODES));
            cluster.sim.schedule(i * 50L * MS, () -> cluster.coordinator(via).put(Key.utf8(key),
                Value.utf8("v" + key), null, QUORUM, HintedHandoffSimulationTest.recordInto(acked, key)));
        }
        // faults end by 27 s; every node is reachable and believed alive from then on
        cluster.sim.runFor(27_000 * MS);
        cluster.sim.network().dropRate(0).duplicateRate(0);
        cluster.sim.runFor(45_000 * MS);

        assertEquals(List.of(), broken, "counts out of step with the hint stores during the run");
        assertTrue(acked.size() > 250, "writes stayed available: only " + acked.size() + " of 400 acknowledged");
        for (Map.Entry<String, Version> write : acked.entrySet()) {
            for (NodeId owner : cluster.owners(write.getKey())) {
                SiblingSet held = cluster.stored(owner, write.getKey());
                assertEquals(1, held.size(), owner + " holds " + held.versions() + " for " + write.getKey());
                assertEquals(write.getValue(), held.versions().getFirst().version(),
                    owner + " lacks the acknowledged write of " + write.getKey());
            }
        }
        long[] totals = {0, 0, 0};
        for (NodeId id : cluster.ids) {
            HintedHandoff hints = cluster.node(id).hints();
            assertEquals(Map.of(), hints.pendingByTarget(), id + " still counts hints");
            assertEquals(Map.of(), cluster.hintsStored(id), id + "'s hint store still holds hints");
            long stored = hints.counter(HintCounter.STORED);
            long ended = hints.counter(HintCounter.DELIVERED) + hints.counter(HintCounter.DROPPED_EXPIRED)
                + hints.counter(HintCounter.DROPPED_REFUSED);
            assertEquals(stored, ended, id + ": hints stored and hints that ended (delivered or dropped) differ");
            totals[0] += hints.counter(HintCounter.DELIVERED);
            totals[1] += hints.counter(HintCounter.DELIVERY_REFUSALS);
            totals[2] += hints.counter(HintCounter.RECEIVED_REPEATS);
        }
        assertEquals(List.of(), cluster.sim.handlerFailures());
        return totals;
    }

    /** A node counts no hint its store does not hold (it counts one once written, and deletes it once taken off). */
    private static void checkCounts(TestCluster cluster, List<String> broken) {
        if (broken.size() >= 5) {
            return;
        }
        for (NodeId id : cluster.ids) {
            Map<NodeId, Integer> counted = cluster.node(id).hints().pendingByTarget();
            Map<NodeId, Integer> stored = cluster.hintsStored(id);
            counted.forEach((owner, count) -> {
                if (count < 0 || count > stored.getOrDefault(owner, 0)) {
                    broken.add("at " + cluster.sim.now() / MS + " ms " + id + " counts " + count + " hints for "
                        + owner + ", its store holds " + stored.getOrDefault(owner, 0));
                }
            });
        }
    }

    /**
     * One fault at a time between 1 s and about 26 s: one or two nodes cut off (believed DOWN at once); a node paused
     * (believed alive for 1.5 s, then DOWN until it resumes); a node's hint store refusing writes; a node's hint
     * store refusing everything, reads and deletes too, while another node is cut off (so there is delivery to
     * refuse); a node cut off, then back with a data disk that refuses writes for a while, and cut off again for a
     * moment meanwhile.
     */
    private static void scheduleFaults(TestCluster cluster, SplittableRandom random, Set<NodeId> down) {
        long at = 1_000;
        while (at < 20_000) {
            long length = 2_000 + random.nextInt(3_000);
            List<NodeId> shuffled = new ArrayList<>(cluster.ids);
            Collections.shuffle(shuffled, new Random(random.nextLong()));
            NodeId first = shuffled.getFirst();
            long start = at;
            switch (random.nextInt(5)) {
                case 0 -> cutOff(cluster, down, shuffled.subList(0, 1 + random.nextInt(2)), start, length);
                case 1 -> {
                    cluster.sim.schedule(start * MS, () -> cluster.sim.pause(first, length * MS));
                    cluster.sim.schedule((start + 1_500) * MS, () -> down.add(first));
                    cluster.sim.schedule((start + length) * MS, () -> down.remove(first));
                }
                case 2 -> {
                    cluster.sim.schedule(start * MS, () -> cluster.hintWritesRefusing.add(first));
                    cluster.sim.schedule((start + length) * MS, () -> cluster.hintWritesRefusing.remove(first));
                }
                case 4 -> {
                    // its replica refuses writes (a full disk, or another storage failure) while hints wait for it
                    ErrorCode code = random.nextBoolean() ? ErrorCode.DISK_FULL : ErrorCode.STORAGE_FAILURE;
                    cutOff(cluster, down, List.of(first), start, length / 2);
                    cluster.sim.schedule((start + length / 2 - 100) * MS, () -> {
                        disk(cluster, first).refuseWith(code);
                        disk(cluster, first).fill();
                    });
                    // and cut off again for a moment while hints it refused wait to be tried again
                    cutOff(cluster, down, List.of(first), start + length * 3 / 4, 600);
                    cluster.sim.schedule((start + length + 700) * MS, () -> disk(cluster, first).free());
                }
                default -> {
                    cutOff(cluster, down, List.of(shuffled.get(1)), start, length);
                    cluster.sim.schedule((start + 500) * MS, () -> cluster.hintStoresRefusing.add(first));
                    cluster.sim.schedule((start + length + 1_000) * MS,
                        () -> cluster.hintStoresRefusing.remove(first));
                }
            }
            at += length + 1_500;
        }
    }

    private static FullDiskEngine disk(TestCluster cluster, NodeId id) {
        return (FullDiskEngine) cluster.engine(id);
    }

    private static void cutOff(TestCluster cluster, Set<NodeId> down, List<NodeId> cut, long start, long length) {
        List<NodeId> side = List.copyOf(cut);
        List<NodeId> others = new ArrayList<>(cluster.ids);
        others.removeAll(side);
        cluster.sim.schedule(start * MS, () -> {
            cluster.sim.network().partition(side, others);
            down.addAll(side);
        });
        cluster.sim.schedule((start + length) * MS, () -> {
            cluster.sim.network().heal();
            down.removeAll(side);
        });
    }
}
