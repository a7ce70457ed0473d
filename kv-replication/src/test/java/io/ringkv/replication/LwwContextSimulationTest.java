package io.ringkv.replication;

import static io.ringkv.replication.TestCluster.MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.CausalContext;
import io.ringkv.api.Consistency;
import io.ringkv.api.ErrorCode;
import io.ringkv.api.HybridClock;
import io.ringkv.api.HybridTimestamp;
import io.ringkv.api.NodeId;
import io.ringkv.api.SiblingSet;
import io.ringkv.api.Value;
import io.ringkv.api.Version;
import io.ringkv.sim.LatencyModel;
import io.ringkv.sim.SimulationSeeds;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Under last-write-wins a write with a causal context (SETV, an HTTP PUT with a context) is stamped after the latest
 * version its context was read from, as a blind write is stamped after what its coordinating replica holds: a
 * coordinating replica whose clock runs behind cannot make a write lose to a version its client saw.
 */
class LwwContextSimulationTest {
    private static final Consistency QUORUM = Consistency.DEFAULT;
    private static final Consistency ALL = new Consistency(3, 3, 3);

    private static NodeId n(int i) {
        return NodeId.of("n" + i);
    }

    @Test
    void underLwwAWriteWithAContextThroughAReplicaWhoseClockIsTenSecondsBehindWins() {
        SimulationSeeds.run(getClass(), "underLwwAWriteWithAContextThroughAReplicaWhoseClockIsTenSecondsBehindWins",
            "kv-replication", 20, seed -> {
                TestCluster cluster = new TestCluster(seed, 3, ReplicationConfig.DEFAULT.withResolver("lww"));
                cluster.sim.node(n(1)).clockSkewMillis(5_000);
                cluster.sim.node(n(2)).clockSkewMillis(-5_000);
                cluster.sim.network().latency(LatencyModel.exponential(100_000, MS));
                Version old = cluster.put(n(1), "k", "old", null, ALL).value;
                // n2 restarts: its hybrid clock forgets the timestamps it received and follows its wall clock again
                cluster.sim.crash(n(2));
                cluster.sim.restart(n(2));
                SiblingSet read = cluster.get(n(1), "k", QUORUM).value;
                CausalContext context = read.context();
                assertEquals(old.timestamp(), context.latest());
                Version written = cluster.put(n(2), "k", "new", context, ALL).value;
                assertTrue(written.timestamp().isAfter(old.timestamp()), written + " vs " + old);
                cluster.sim.runFor(100 * MS);
                for (int i = 1; i <= 3; i++) {
                    assertEquals(List.of(Value.utf8("new")), cluster.get(n(i), "k", ALL).value.values(),
                        "via n" + i);
                }
                assertEquals(List.of(), cluster.sim.handlerFailures());
            });
    }

    @Test
    void aContextStampedFarAheadOfTheCoordinatingReplicasClockIsRefusedAndWritesNothing() {
        TestCluster cluster = new TestCluster(11, 3, ReplicationConfig.DEFAULT.withResolver("lww"));
        assertTrue(cluster.put(n(1), "k", "old", null, ALL).succeeded());
        CausalContext read = cluster.get(n(1), "k", ALL).value.context();
        long farAhead = read.latest().physicalMillis() + HybridClock.MAX_AHEAD_MILLIS + 60_000;
        CausalContext forged = new CausalContext(read.clock(), new HybridTimestamp(farAhead, 0));
        TestCluster.Outcome<Version> refused = cluster.put(n(2), "k", "forged", forged, ALL);
        assertEquals(ErrorCode.INVALID_ARGUMENT, refused.error, refused.message);
        assertTrue(refused.message.contains("ahead"), refused.message);
        cluster.sim.runFor(100 * MS);
        assertEquals(List.of(Value.utf8("old")), cluster.get(n(3), "k", ALL).value.values());
    }
}
