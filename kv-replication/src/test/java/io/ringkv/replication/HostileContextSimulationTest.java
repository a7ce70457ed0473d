package io.ringkv.replication;

import static io.ringkv.replication.TestCluster.MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.CausalContext;
import io.ringkv.api.Consistency;
import io.ringkv.api.Dot;
import io.ringkv.api.ErrorCode;
import io.ringkv.api.NodeId;
import io.ringkv.api.Value;
import io.ringkv.api.VectorClock;
import io.ringkv.api.Version;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A causal context is client input: one with a counter no node issued is refused, and one at the bound does not
 * poison a key.
 */
class HostileContextSimulationTest {
    private static final Consistency QUORUM = Consistency.DEFAULT;
    private static final Consistency ALL = new Consistency(3, 3, 2);
    private static final NodeId N1 = NodeId.of("n1");
    private static final NodeId N2 = NodeId.of("n2");
    private static final NodeId N3 = NodeId.of("n3");

    @Test
    void aContextWithACounterNoNodeIssuesIsRefusedAndWritesNothing() {
        TestCluster cluster = new TestCluster(1, 3, ReplicationConfig.DEFAULT);
        CausalContext forged = new CausalContext(VectorClock.of(Map.of(N2, Long.MAX_VALUE)));
        TestCluster.Outcome<Version> refused = cluster.put(N1, "k", "x", forged, QUORUM);
        assertEquals(ErrorCode.INVALID_ARGUMENT, refused.error, refused.message);
        assertEquals(1, cluster.node(N1).counters().contextsRefused());
        cluster.sim.runFor(100 * MS);
        assertTrue(cluster.get(N2, "k", ALL).value.versions().isEmpty(), "nothing written");
        assertTrue(cluster.put(N2, "k", "y", null, QUORUM).succeeded(), "the key stays writable");
    }

    @Test
    void aKeyRaisedToTheBoundStaysWritableThroughEveryReplicaAndACounterAboveWhatItHoldsIsRefused() {
        // a context at the bound was once enough to poison a key: its replica's next dot went above the bound, and
        // every context read back from the key was refused from then on
        TestCluster cluster = new TestCluster(1, 3, ReplicationConfig.DEFAULT);
        CausalContext atBound = new CausalContext(VectorClock.of(Map.of(N2, Dot.MAX_COUNTER)));
        assertTrue(cluster.put(N1, "k", "x", atBound, QUORUM).succeeded());
        cluster.sim.runFor(100 * MS);
        int written = 0;
        for (int round = 0; round < 3; round++) {
            for (NodeId node : List.of(N1, N2, N3)) {
                // as a client holds it: the context's bytes, decoded again
                CausalContext read = CausalContext.fromBytes(cluster.get(node, "k", ALL).value.context().toBytes());
                TestCluster.Outcome<Version> next = cluster.put(node, "k", "v" + written, read, QUORUM);
                assertTrue(next.succeeded(), "round " + round + " through " + node + ": " + next.error + " "
                    + next.message);
                written++;
                cluster.sim.runFor(100 * MS);
            }
        }
        CausalContext last = cluster.get(N1, "k", ALL).value.context();
        long counter = last.clock().counter(N2);
        assertTrue(counter > Dot.MAX_COUNTER && counter <= Dot.MAX_COUNTER + written,
            "a counter above the bound rises by one a write at most: " + counter);
        assertEquals(List.of(Value.utf8("v" + (written - 1))), cluster.get(N3, "k", ALL).value.values());
        // a counter above the bound that no replica's copy holds was never issued
        CausalContext forged = new CausalContext(last.clock().merge(VectorClock.of(Map.of(N2, counter + 1_000))));
        long refusedBefore = cluster.node(N1).counters().contextsRefused();
        TestCluster.Outcome<Version> refused = cluster.put(N1, "k", "forged", forged, QUORUM);
        assertEquals(ErrorCode.INVALID_ARGUMENT, refused.error, refused.message);
        assertTrue(refused.message.contains("never issued"), refused.message);
        assertEquals(refusedBefore + 1, cluster.node(N1).counters().contextsRefused());
        cluster.sim.runFor(100 * MS);
        assertEquals(last.clock(), cluster.get(N2, "k", ALL).value.context().clock(), "nothing written");
        assertTrue(cluster.put(N1, "k", "after", last, QUORUM).succeeded(), "the key stays writable");
    }

    @Test
    void aContextTooLargeForOneMessageIsPrunedBeforeANodeThatIsNotAReplicaHandsTheWriteOn() {
        TestCluster cluster = new TestCluster(1, 4, ReplicationConfig.DEFAULT);
        String key = "k";
        NodeId outsider = cluster.ids.stream().filter(id -> !cluster.owners(key).contains(id)).findFirst()
            .orElseThrow();
        // 700 entries of 64-character ids (about 57 KB) with a 10 KiB value: more than one 64 KiB Coordinate
        java.util.Map<NodeId, Long> entries = new java.util.HashMap<>();
        for (int i = 0; i < 700; i++) {
            entries.put(NodeId.of(String.format("%064d", i)), 1L);
        }
        CausalContext huge = new CausalContext(VectorClock.of(entries));
        String value = "v".repeat(10 * 1024);
        TestCluster.Outcome<Version> written = cluster.put(outsider, key, value, huge, QUORUM);
        assertTrue(written.succeeded(), written.error + " " + written.message);
        assertEquals(ReplicationConfig.DEFAULT.maxClockEntries(), written.value.clock().size(),
            "the context was pruned to leave room for the write's dot");
        assertEquals(List.of(), cluster.sim.handlerFailures());
    }
}
