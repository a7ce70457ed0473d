package io.ringkv.replication;

import static io.ringkv.replication.TestCluster.MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.Key;
import io.ringkv.api.NodeId;
import io.ringkv.api.SiblingSet;
import io.ringkv.api.Value;
import io.ringkv.api.Version;
import io.ringkv.api.Versioned;
import io.ringkv.sim.LatencyModel;
import io.ringkv.sim.SimulationSeeds;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A write acknowledged by W of N replicas still reaches the other N − W: its coordinator keeps sending it to the
 * replicas that have not acknowledged it while they are believed alive, so a lost datagram does not leave a key
 * with one copy fewer. A replica judged down, or one that stays silent past the catch-up window, is given up and
 * counted, and the coordinator's pending requests drain.
 */
class ReplicaCatchUpSimulationTest {
    private static final int NODES = 3;
    private static final int WRITES = 300;

    @Test
    void everyReplicaHoldsEveryAcknowledgedWriteDespiteLostDatagrams() {
        SimulationSeeds.run(getClass(), "everyReplicaHoldsEveryAcknowledgedWriteDespiteLostDatagrams",
            "kv-replication", 10, ReplicaCatchUpSimulationTest::lossyRun);
    }

    private static void lossyRun(long seed) {
        TestCluster cluster = new TestCluster(seed, NODES, ReplicationConfig.DEFAULT);
        SplittableRandom random = new SplittableRandom(seed ^ 0xC47C4);
        cluster.sim.network().dropRate(0.1).latency(LatencyModel.exponential(100_000, 2 * MS));
        Map<String, Version> acked = writeDistinctKeys(cluster, random);
        cluster.sim.runFor(20_000 * MS);
        assertTrue(acked.size() > WRITES / 2, "only " + acked.size() + " of " + WRITES + " writes were acknowledged");
        for (NodeId replica : cluster.ids) {
            for (Map.Entry<String, Version> write : acked.entrySet()) {
                SiblingSet held = cluster.stored(replica, write.getKey());
                assertTrue(holds(held, write.getValue()), replica + " lacks the acknowledged write of "
                    + write.getKey() + " (" + write.getValue() + "); it holds " + held.versions());
            }
        }
        for (NodeId id : cluster.ids) {
            assertEquals(0, cluster.coordinator(id).pendingRequests(), "requests still tracked by " + id);
            assertEquals(0, cluster.node(id).counters().catchUpsInFlight(), "catch-ups still open at " + id);
            assertEquals(0, cluster.node(id).counters().catchUpsAbandoned(), "copies given up by " + id);
        }
        assertEquals(List.of(), cluster.sim.handlerFailures());
    }

    @Test
    void aReplicaJudgedDownIsGivenUpAtTheNextRetryAndCounted() {
        Map<NodeId, Boolean> alive = new LinkedHashMap<>();
        TestCluster cluster = new TestCluster(7, NODES, ReplicationConfig.DEFAULT,
            node -> alive.getOrDefault(node, true));
        NodeId down = cluster.ids.get(2);
        cluster.sim.network().block(cluster.ids.get(0), down);
        for (int i = 0; i < 20; i++) {
            TestCluster.Outcome<Version> outcome = cluster.put(cluster.ids.get(0), "key" + i, "v" + i, null,
                cluster.config.consistency());
            assertTrue(outcome.succeeded(), "write " + i + ": " + outcome.error);
        }
        cluster.sim.runFor(1_000 * MS);
        assertEquals(20, cluster.coordinator(cluster.ids.get(0)).pendingRequests(),
            "acknowledged writes wait for the replica they could not reach");
        assertTrue(cluster.node(cluster.ids.get(0)).counters().catchUpWrites() >= 20,
            "the writes were sent again while the replica was believed alive");
        alive.put(down, false);
        cluster.sim.runFor(2_000 * MS);
        assertEquals(0, cluster.coordinator(cluster.ids.get(0)).pendingRequests());
        assertEquals(20, cluster.node(cluster.ids.get(0)).counters().catchUpsAbandoned(),
            "one replica copy given up per write");
        assertEquals(0, cluster.node(cluster.ids.get(0)).counters().catchUpsInFlight());
    }

    @Test
    void aSilentReplicaIsGivenUpWhenTheCatchUpWindowPasses() {
        ReplicationConfig config = ReplicationConfig.DEFAULT.withCatchUpWindow(5_000 * MS);
        TestCluster cluster = new TestCluster(11, NODES, config);
        NodeId silent = cluster.ids.get(2);
        cluster.sim.network().block(cluster.ids.get(0), silent);
        for (int i = 0; i < 10; i++) {
            assertTrue(cluster.put(cluster.ids.get(0), "key" + i, "v" + i, null, config.consistency()).succeeded());
        }
        cluster.sim.runFor(4_000 * MS);
        assertEquals(10, cluster.coordinator(cluster.ids.get(0)).pendingRequests(), "still inside the window");
        assertEquals(10, cluster.node(cluster.ids.get(0)).counters().catchUpsInFlight());
        long sentInWindow = cluster.node(cluster.ids.get(0)).counters().catchUpWrites();
        // backing off: far fewer sends than one per retry interval over four seconds
        assertTrue(sentInWindow <= 10 * 12, "catch-up sends back off, were " + sentInWindow);
        cluster.sim.runFor(2_000 * MS);
        assertEquals(0, cluster.coordinator(cluster.ids.get(0)).pendingRequests(), "given up after the window");
        assertEquals(10, cluster.node(cluster.ids.get(0)).counters().catchUpsAbandoned());
    }

    /** Writes {@link #WRITES} distinct keys, spread over 1.5 s, through random coordinators. */
    private static Map<String, Version> writeDistinctKeys(TestCluster cluster, SplittableRandom random) {
        Map<String, Version> acked = new LinkedHashMap<>();
        for (int i = 0; i < WRITES; i++) {
            String key = "key" + i;
            NodeId via = cluster.ids.get(random.nextInt(NODES));
            cluster.sim.schedule(i * 5L * MS, () -> cluster.coordinator(via).put(Key.utf8(key),
                Value.utf8("value" + key), null, new PutCallback() {
                    @Override
                    public void onSuccess(Version written) {
                        acked.put(key, written);
                    }

                    @Override
                    public void onFailure(ErrorCode code, String message) {
                        // not acknowledged: nothing is promised about it
                    }
                }));
        }
        return acked;
    }

    private static boolean holds(SiblingSet held, Version version) {
        for (Versioned versioned : held.versions()) {
            if (versioned.version().equals(version)) {
                return true;
            }
        }
        return false;
    }
}
