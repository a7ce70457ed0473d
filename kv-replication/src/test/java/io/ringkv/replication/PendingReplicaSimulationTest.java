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
                for (NodeId id : cluster.ids) {
                    // every copy reached its replica: a pending one's acknowledgement does not count toward W, and
                    // used to be counted as a copy given up
                    assertEquals(0, cluster.node(id).counters().catchUpsAbandoned(), "copies given up by " + id);
                }
            });
    }

    @Test
    void theNodeThatGainsAKeyFromALeaverNeverStandsInForADownOwnerAndGetsTheWriteAsAReplica() {
        // sloppy quorum's substitute is the next healthy node past the key's replicas: while a node leaves, that is
        // the one gaining its ranges, which then held the write as a hint for the down owner only, and the leaver's
        // departure left the write on fewer replicas than W
        java.util.Map<NodeId, Boolean> alive = new java.util.HashMap<>();
        // strict hinted writes: W counts the key's replicas only, so no read follows the write (a blind write that
        // counted a substitute reads the owners, and its read repair would reach the gainer anyway)
        TestCluster cluster = new TestCluster(3, 5, ReplicationConfig.DEFAULT,
            HintConfig.DEFAULT.withHintedWrites(HintConfig.HintedWrites.STRICT), node -> alive.getOrDefault(node, true),
            java.util.Set.of());
        NodeId leaver = NodeId.of("n5");
        Ring current = cluster.ring;
        Ring future = current.withoutNode(leaver);
        for (NodeId id : cluster.ids) {
            cluster.node(id).updateRing(current, future);
        }
        String key = null;
        NodeId gainer = null;
        NodeId down = null;
        for (int i = 0; key == null && i < 10_000; i++) {
            List<NodeId> now = replicas(current, "k" + i);
            List<NodeId> next = new ArrayList<>(replicas(future, "k" + i));
            next.removeAll(now);
            if (!now.contains(leaver) || next.size() != 1) {
                continue;
            }
            for (NodeId owner : now) {
                if (owner.equals(leaver)) {
                    continue;
                }
                NodeId candidate = owner;
                // without the rule the gainer is the substitute chosen for this down owner
                SloppyQuorum.Targets plain = SloppyQuorum.select(current, io.ringkv.ring.Partitioner.token(
                    Key.utf8("k" + i)), 3, node -> !node.equals(candidate), true);
                if (java.util.Arrays.asList(plain.substitutes()).contains(next.getFirst())) {
                    key = "k" + i;
                    gainer = next.getFirst();
                    down = owner;
                    break;
                }
            }
        }
        assertTrue(key != null, "no key whose gainer would stand in: the test would prove nothing");
        alive.put(down, false);
        cluster.sim.crash(down);
        NodeId via = leaver;
        assertTrue(cluster.put(via, key, "v", null, QUORUM).succeeded());
        cluster.sim.runFor(500 * TestCluster.MS);
        assertEquals(1, cluster.stored(gainer, key).size(), gainer + " holds the write as data, not only as a hint");
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

    /**
     * n4 has just left and every node but one already routes by the ring without it: a blind write the lagging node
     * hands to n4, which no longer replicates anything in its own view, is refused there (nothing written) and goes
     * to the key's next replica, so the client sees no error while the views converge.
     */
    @Test
    void aWriteHandedToANodeThatNoLongerReplicatesTheKeyGoesToTheKeysNextReplica() {
        SimulationSeeds.run(getClass(), "aWriteHandedToANodeThatNoLongerReplicatesTheKeyGoesToTheKeysNextReplica",
            "kv-replication", 5, seed -> {
                TestCluster cluster = new TestCluster(seed, 5, ReplicationConfig.DEFAULT);
                Ring before = cluster.ring;
                Ring after = before.withoutNode(JOINER);
                String key = null;
                NodeId sender = null;
                for (int i = 0; key == null && i < 10_000; i++) {
                    List<NodeId> owners = replicas(before, "k" + i);
                    for (NodeId candidate : cluster.ids) {
                        if (owners.get(0).equals(JOINER) && !owners.contains(candidate)) {
                            key = "k" + i;
                            sender = candidate;
                            break;
                        }
                    }
                }
                assertTrue(key != null, "no key n4 replicated first");
                for (NodeId id : cluster.ids) {
                    Ring view = id.equals(sender) ? before : after;
                    cluster.node(id).updateRing(view, view);
                }
                TestCluster.Outcome<io.ringkv.api.Version> put = cluster.put(sender, key, "v", null, QUORUM);
                assertTrue(put.succeeded(), key + " through " + sender + ": " + put.error + " " + put.message);
                long redirected = cluster.sim.node(sender).counters().counters().stream()
                    .filter(c -> c.name().equals("replication_forwards_redirected")).findFirst().orElseThrow().get();
                assertEquals(1, redirected, "handed to n4, then to the key's next replica");
                cluster.sim.runFor(1_000 * TestCluster.MS);
                int copies = 0;
                for (NodeId id : replicas(after, key)) {
                    copies += cluster.stored(id, key).size();
                }
                assertTrue(copies >= 2, "the write is on a quorum of the key's replicas now: " + copies);
            });
    }

    private static List<NodeId> replicas(Ring ring, String key) {
        PreferenceList list = ring.preferenceList(Key.utf8(key));
        List<NodeId> replicas = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            replicas.add(list.get(i).id());
        }
        return replicas;
    }
}
