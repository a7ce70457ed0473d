package io.ringkv.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.Consistency;
import io.ringkv.api.ErrorCode;
import io.ringkv.api.NodeId;
import io.ringkv.api.Version;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Replicas on a full disk: the client learns that a full disk failed its write, and where; reads go on. */
class DiskFullSimulationTest {
    private static final Consistency QUORUM = Consistency.DEFAULT;

    private static NodeId n(int i) {
        return NodeId.of("n" + i);
    }

    @Test
    void aWriteFailedByRemoteFullDisksSaysDiskFullAndNamesTheNodes() {
        TestCluster cluster = new TestCluster(1, 3, ReplicationConfig.DEFAULT, LivenessView.ALL_ALIVE,
            Set.of(n(2), n(3)));
        TestCluster.Outcome<Version> put = cluster.put(n(1), "k", "v", null, QUORUM);
        assertEquals(ErrorCode.DISK_FULL, put.error, put.message);
        assertTrue(put.message.contains("node n2: disk full") && put.message.contains("node n3: disk full"),
            put.message);
        assertEquals(1, cluster.node(n(2)).counters().diskFullRefusals());
        assertEquals(0, cluster.node(n(2)).counters().storageFailures());
    }

    @Test
    void theLocalReplicaGivesItsEnginesReasonWithHowMuchIsFree() {
        TestCluster cluster = new TestCluster(1, 1, ReplicationConfig.DEFAULT.withConsistency(
            new Consistency(1, 1, 1)), LivenessView.ALL_ALIVE, Set.of(n(1)));
        TestCluster.Outcome<Version> put = cluster.put(n(1), "k", "v", null, new Consistency(1, 1, 1));
        assertEquals(ErrorCode.DISK_FULL, put.error, put.message);
        assertTrue(put.message.contains("node n1: " + FullDiskEngine.REFUSAL), put.message);
    }

    @Test
    void fullDisksStillServeReadsOfWhatTheyHold() {
        TestCluster cluster = new TestCluster(1, 3, ReplicationConfig.DEFAULT, LivenessView.ALL_ALIVE,
            Set.of(n(3)));
        assertTrue(cluster.put(n(1), "k", "v", null, QUORUM).succeeded(), "two of three replicas have room");
        assertTrue(cluster.get(n(3), "k", QUORUM).succeeded(), "a node with a full disk still coordinates reads");
    }

    private static io.ringkv.ring.PreferenceList replicasOfK(int nodes) {
        return new TestCluster(1, nodes, ReplicationConfig.DEFAULT).ring
            .preferenceList(io.ringkv.ring.Partitioner.token(io.ringkv.api.Key.utf8("k")));
    }

    @Test
    void aWriteHandedToAReplicaWithAFullDiskGoesToTheNextReplica() {
        io.ringkv.ring.PreferenceList replicas = replicasOfK(5);
        NodeId first = replicas.get(0).id();
        TestCluster cluster = new TestCluster(1, 5, ReplicationConfig.DEFAULT, LivenessView.ALL_ALIVE, Set.of(first));
        NodeId outsider = cluster.ids.stream().filter(id -> !replicas.contains(id)).findFirst().orElseThrow();
        TestCluster.Outcome<Version> put = cluster.put(outsider, "k", "v", null, QUORUM);
        assertTrue(put.succeeded(), "W=2 of 3 with one full disk: " + put.error + " " + put.message);
        assertEquals(replicas.get(1).id(), put.value.writer());
        assertEquals(1, cluster.node(outsider).counters().diskFullHandOvers());
        cluster.sim.runFor(100 * TestCluster.MS);
        assertEquals(1, cluster.get(outsider, "k", QUORUM).value.versions().size(), "written once");
    }

    @Test
    void aReplicaWhoseOwnDiskIsFullHandsItsClientsWriteToAnother() {
        TestCluster cluster = new TestCluster(1, 3, ReplicationConfig.DEFAULT, LivenessView.ALL_ALIVE,
            Set.of(n(1)));
        TestCluster.Outcome<Version> put = cluster.put(n(1), "k", "v", null, QUORUM);
        assertTrue(put.succeeded(), "two of three replicas have room: " + put.error + " " + put.message);
        assertTrue(!put.value.writer().equals(n(1)), "coordinated by a replica with room: " + put.value);
        assertEquals(1, cluster.node(n(1)).counters().diskFullHandOvers());
    }

    @Test
    void whenEveryReplicaIsFullTheWriteFailsWithDiskFullNamingThemAll() {
        io.ringkv.ring.PreferenceList replicas = replicasOfK(5);
        Set<NodeId> full = Set.of(replicas.get(0).id(), replicas.get(1).id(), replicas.get(2).id());
        TestCluster cluster = new TestCluster(1, 5, ReplicationConfig.DEFAULT, LivenessView.ALL_ALIVE, full);
        NodeId outsider = cluster.ids.stream().filter(id -> !full.contains(id)).findFirst().orElseThrow();
        TestCluster.Outcome<Version> put = cluster.put(outsider, "k", "v", null, QUORUM);
        assertEquals(ErrorCode.DISK_FULL, put.error, put.message);
        for (NodeId node : full) {
            assertTrue(put.message.contains("node " + node.value() + ": " + FullDiskEngine.REFUSAL), put.message);
        }
        assertEquals(2, cluster.node(outsider).counters().diskFullHandOvers());
    }
}
