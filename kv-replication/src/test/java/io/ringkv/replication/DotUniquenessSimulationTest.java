package io.ringkv.replication;

import static io.ringkv.replication.TestCluster.MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.CausalContext;
import io.ringkv.api.Consistency;
import io.ringkv.api.Key;
import io.ringkv.api.NodeId;
import io.ringkv.api.Value;
import io.ringkv.api.Version;
import io.ringkv.ring.Partitioner;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A node never issues the same dot twice for a key, even when nothing stored for the key records its earlier
 * counters any more (a pruned past, a wiped data directory): a reissued dot would make a new write look like an old
 * one, and a stale context would then silently supersede an acknowledged write.
 */
class DotUniquenessSimulationTest {
    private static final Consistency QUORUM = Consistency.DEFAULT;
    private static final Consistency ALL = new Consistency(3, 3, 2);
    private static final NodeId N1 = NodeId.of("n1");
    private static final NodeId N2 = NodeId.of("n2");

    @Test
    void aWriteAfterPruningDroppedItsCoordinatorsEntryIsNotSupersededByAStaleContext() {
        TestCluster cluster = new TestCluster(1, 3, ReplicationConfig.DEFAULT.withMaxClockEntries(2));
        assertTrue(cluster.put(N1, "k", "w1", null, QUORUM).succeeded());
        CausalContext sawW1 = cluster.get(N1, "k", ALL).value.context();
        cluster.sim.runFor(10 * MS);
        assertTrue(cluster.put(N2, "k", "w2", sawW1, QUORUM).succeeded());
        cluster.sim.runFor(10 * MS);
        CausalContext sawW2 = cluster.get(N2, "k", ALL).value.context();
        // the past is pruned to one entry: n1's entry goes, and nothing stored mentions n1's counter any more
        assertTrue(cluster.put(N2, "k", "w3", sawW2, QUORUM).succeeded());
        cluster.sim.runFor(10 * MS);
        Version w4 = cluster.put(N1, "k", "w4", cluster.get(N1, "k", ALL).value.context(), QUORUM).value;
        assertTrue(w4 != null, "w4 acknowledged");
        // a client that read only w1 writes: it must not supersede w4, which it never saw
        assertTrue(cluster.put(N2, "k", "w5", sawW1, QUORUM).succeeded());
        cluster.sim.runFor(100 * MS);
        assertEquals(Set.of(Value.utf8("w4"), Value.utf8("w5")),
            Set.copyOf(cluster.get(N1, "k", ALL).value.values()), "acknowledged w4 lost");
    }

    @Test
    void aReplicaRestartedOnAWipedDiskIssuesDotsItNeverIssuedBefore() {
        TestCluster cluster = new TestCluster(1, 3, ReplicationConfig.DEFAULT);
        NodeId first = cluster.ring.preferenceList(Partitioner.token(Key.utf8("k"))).get(0).id();
        Version w1 = cluster.put(first, "k", "w1", null, QUORUM).value;
        cluster.sim.runFor(100 * MS);
        cluster.sim.crash(first);
        cluster.wipeOnRestart.add(first);
        cluster.sim.restart(first);
        // a write that saw nothing, through the wiped replica: concurrent with w1, which the other two replicas still
        // hold (a blind write would be made again to supersede w1, hiding the dot the wiped replica issued first)
        Version w2 = cluster.put(first, "k", "w2", CausalContext.EMPTY, QUORUM).value;
        assertTrue(w2 != null, "w2 acknowledged");
        assertNotEquals(w1.dot(), w2.dot(), "the wiped replica reissued " + w1.dot());
        assertTrue(w2.dot().counter() > w1.dot().counter(), "dots of a node grow across its runs");
        cluster.sim.runFor(100 * MS);
        assertEquals(Set.of(Value.utf8("w1"), Value.utf8("w2")),
            Set.copyOf(cluster.get(first, "k", ALL).value.values()), "an acknowledged write was lost");
    }

    @Test
    void aRestartedReplicaIssuesHigherDotsThanItsPreviousRunEvenForAKeyItNeverWrote() {
        TestCluster cluster = new TestCluster(3, 3, ReplicationConfig.DEFAULT);
        Version before = cluster.put(N1, "a", "1", null, QUORUM).value;
        NodeId writer = before.writer();
        cluster.sim.runFor(10 * MS);
        cluster.sim.crash(writer);
        cluster.sim.restart(writer);
        cluster.sim.runFor(10 * MS);
        Version after = cluster.put(writer, "b", "2", null, QUORUM).value;
        assertEquals(writer, after.writer(), "every node replicates every key with N=3 of 3 nodes");
        assertTrue(after.dot().counter() > before.dot().counter(), after + " after " + before);
    }
}
