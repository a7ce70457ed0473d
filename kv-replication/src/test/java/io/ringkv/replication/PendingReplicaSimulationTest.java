package io.ringkv.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.Consistency;
import io.ringkv.api.ErrorCode;
import io.ringkv.api.Key;
import io.ringkv.api.NodeId;
import io.ringkv.ring.PreferenceList;
import io.ringkv.ring.Ring;
import io.ringkv.sim.SimulationSeeds;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Writes while a node joins: n4 is in the ring the cluster moves to but not yet in the one requests are routed by.
 * Every write also reaches the key's pending replicas (here n4, where the future ring makes it one), so that a node
 * streaming its new ranges misses no write made meanwhile; their acknowledgements never count toward W.
 */
class PendingReplicaSimulationTest {
    private static final Consistency QUORUM = Consistency.DEFAULT;
    private static final NodeId JOINER = NodeId.of("n4");

    /** A four-node cluster whose nodes route by the ring without n4 and send pending writes by the ring with it. */
    private static TestCluster joining(long seed) {
        TestCluster cluster = new TestCluster(seed, 4, ReplicationConfig.DEFAULT);
        Ring future = cluster.ring;
        Ring current = future.withoutNode(JOINER);
        for (NodeId id : cluster.ids) {
            cluster.node(id).updateRing(current, future);
        }
        return cluster;
    }

    private static boolean pendingFor(TestCluster cluster, String key) {
        PreferenceList next = cluster.ring.preferenceList(Key.utf8(key));
        for (int i = 0; i < 3; i++) {
            if (next.get(i).id().equals(JOINER)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void everyWriteOfAKeyTheJoinerWillReplicateReachesIt() {
        SimulationSeeds.run(getClass(), "everyWriteOfAKeyTheJoinerWillReplicateReachesIt", "kv-replication", 5,
            seed -> {
                TestCluster cluster = joining(seed);
                List<String> pending = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    String key = "key" + i;
                    NodeId via = cluster.ids.get(i % 3);
                    assertTrue(cluster.put(via, key, "v" + i, null, QUORUM).succeeded(), key);
                    if (pendingFor(cluster, key)) {
                        pending.add(key);
                    }
                }
                cluster.sim.runFor(2_000 * TestCluster.MS);
                assertFalse(pending.isEmpty(), "no key moves to n4: the test would prove nothing");
                for (String key : pending) {
                    assertEquals(1, cluster.stored(JOINER, key).size(), "n4 missed a write of " + key);
                }
                assertEquals(pending.size(), cluster.contents(JOINER).size(), "n4 holds only the keys it will own");
            });
    }

    @Test
    void aPendingReplicasAcknowledgementNeverCountsTowardW() {
        TestCluster cluster = joining(3);
        String key = null;
        for (int i = 0; key == null; i++) {
            if (pendingFor(cluster, "k" + i)) {
                key = "k" + i;
            }
        }
        List<NodeId> owners = new ArrayList<>();
        PreferenceList now = cluster.node(cluster.ids.get(0)).coordinator().ring().preferenceList(Key.utf8(key));
        for (int i = 0; i < 3; i++) {
            owners.add(now.get(i).id());
        }
        NodeId coordinator = owners.get(0);
        // one owner silent (but not judged DOWN): W=3 can only be met by it, never by n4
        cluster.sim.network().block(coordinator, owners.get(2));
        TestCluster.Outcome<io.ringkv.api.Version> all = cluster.put(coordinator, key, "v", null,
            new Consistency(3, 1, 3));
        assertEquals(ErrorCode.TIMEOUT, all.error, "n4's acknowledgement counted toward W=3: " + all.message);
        cluster.sim.runFor(500 * TestCluster.MS);
        assertEquals(1, cluster.stored(JOINER, key).size(), "the pending replica still got the write");
        cluster.sim.network().heal();
        assertTrue(cluster.put(coordinator, key, "w", null, new Consistency(3, 1, 3)).succeeded());
    }
}
