package io.ringkv.replication;

import static io.ringkv.replication.TestCluster.MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.CausalContext;
import io.ringkv.api.Consistency;
import io.ringkv.api.Key;
import io.ringkv.api.NodeId;
import io.ringkv.api.SiblingSet;
import io.ringkv.api.Value;
import io.ringkv.api.Version;
import io.ringkv.api.Versioned;
import io.ringkv.sim.LatencyModel;
import io.ringkv.sim.SimulationSeeds;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Read-your-quorum-writes under faults: with W + R > N and at most N − W replicas of any key down at once, every
 * acknowledged write is seen (itself, or a version that supersedes it) by every quorum read that starts after the
 * acknowledgement, and by the final reads once the faults stop: no acknowledged write is lost.
 */
class QuorumVisibilitySimulationTest {
    private static final int NODES = 5;
    private static final int KEYS = 4;
    private static final long RUN_MILLIS = 3_000;

    private record AckedWrite(String key, long ackedAt, Version version) {
    }

    private record Read(String key, long startedAt, SiblingSet result) {
    }

    @Test
    void everyAcknowledgedWriteIsVisibleToLaterQuorumReadsWithLww() {
        SimulationSeeds.run(getClass(), "everyAcknowledgedWriteIsVisibleToLaterQuorumReadsWithLww",
            "kv-replication", 12, seed -> run(seed, "lww"));
    }

    @Test
    void everyAcknowledgedWriteIsVisibleToLaterQuorumReadsWithVectorClocks() {
        SimulationSeeds.run(getClass(), "everyAcknowledgedWriteIsVisibleToLaterQuorumReadsWithVectorClocks",
            "kv-replication", 12, seed -> run(seed, "vector-clock"));
    }

    private static void run(long seed, String resolver) {
        TestCluster cluster = new TestCluster(seed, NODES, ReplicationConfig.DEFAULT.withResolver(resolver));
        SplittableRandom random = new SplittableRandom(seed ^ 0x5EED);
        cluster.sim.network().dropRate(0.03).duplicateRate(0.03)
            .latency(LatencyModel.exponential(100_000, 2 * MS));
        for (NodeId id : cluster.ids) {
            cluster.sim.node(id).clockSkewMillis(random.nextLong(-50, 51));
        }
        List<AckedWrite> acked = new ArrayList<>();
        List<Read> reads = new ArrayList<>();
        Map<String, CausalContext> contexts = new HashMap<>();
        scheduleCrashes(cluster, random);
        for (long at = 0; at < RUN_MILLIS; at += 4) {
            long when = at;
            String key = "k" + random.nextInt(KEYS);
            boolean write = random.nextBoolean();
            String value = "v" + at;
            cluster.sim.schedule(when * MS, () -> {
                NodeId via = liveNode(cluster, key.hashCode() + when);
                if (via == null) {
                    return;
                }
                long startedAt = cluster.sim.now();
                if (write) {
                    cluster.coordinator(via).put(Key.utf8(key), Value.utf8(value), contexts.get(key),
                        callbackFor(cluster, key, acked));
                } else {
                    cluster.coordinator(via).get(Key.utf8(key), readInto(cluster, key, startedAt, reads, contexts));
                }
            });
        }
        cluster.sim.runFor((RUN_MILLIS + 2_000) * MS);
        cluster.sim.network().dropRate(0).duplicateRate(0);
        for (NodeId id : cluster.ids) {
            if (!cluster.sim.node(id).isUp()) {
                cluster.sim.restart(id);
            }
        }
        for (int k = 0; k < KEYS; k++) {
            for (NodeId via : cluster.ids) {
                long startedAt = cluster.sim.now();
                TestCluster.Outcome<SiblingSet> last = cluster.get(via, "k" + k, Consistency.DEFAULT);
                assertTrue(last.succeeded(), "final read of k" + k + " via " + via + ": " + last.error);
                reads.add(new Read("k" + k, startedAt, last.value));
            }
        }
        assertTrue(acked.size() > 50, "the run acknowledged only " + acked.size() + " writes");
        checkEveryReadSeesEveryEarlierAcknowledgedWrite(acked, reads, resolver);
        assertEquals(List.of(), cluster.sim.handlerFailures());
    }

    /** One node at a time crashes for a while and restarts: never more than N − W = 1 replica of a key down. */
    private static void scheduleCrashes(TestCluster cluster, SplittableRandom random) {
        long at = 200 + random.nextLong(300);
        while (at < RUN_MILLIS) {
            NodeId victim = cluster.ids.get(random.nextInt(NODES));
            long down = 100 + random.nextLong(400);
            cluster.sim.schedule(at * MS, () -> cluster.sim.crash(victim));
            cluster.sim.schedule((at + down) * MS, () -> cluster.sim.restart(victim));
            at += down + 50 + random.nextLong(300);
        }
    }

    private static NodeId liveNode(TestCluster cluster, long pick) {
        for (int i = 0; i < NODES; i++) {
            NodeId id = cluster.ids.get((int) Math.floorMod(pick + i, NODES));
            if (cluster.sim.node(id).isUp()) {
                return id;
            }
        }
        return null;
    }

    private static PutCallback callbackFor(TestCluster cluster, String key, List<AckedWrite> acked) {
        return new PutCallback() {
            @Override
            public void onSuccess(Version written) {
                acked.add(new AckedWrite(key, cluster.sim.now(), written));
            }

            @Override
            public void onFailure(io.ringkv.api.ErrorCode code, String message) {
                // an unacknowledged write is indeterminate: the invariant says nothing about it
            }
        };
    }

    private static GetCallback readInto(TestCluster cluster, String key, long startedAt, List<Read> reads,
                                        Map<String, CausalContext> contexts) {
        return new GetCallback() {
            @Override
            public void onSuccess(SiblingSet siblings) {
                reads.add(new Read(key, startedAt, siblings));
                contexts.put(key, siblings.context());
            }

            @Override
            public void onFailure(io.ringkv.api.ErrorCode code, String message) {
            }
        };
    }

    private static void checkEveryReadSeesEveryEarlierAcknowledgedWrite(List<AckedWrite> acked, List<Read> reads,
                                                                        String resolver) {
        for (Read read : reads) {
            for (AckedWrite write : acked) {
                if (write.key().equals(read.key()) && write.ackedAt() < read.startedAt()
                    && !covers(read.result(), write.version(), resolver)) {
                    throw new AssertionError("read of " + read.key() + " at " + read.startedAt() / MS + " ms returned "
                        + read.result().versions() + ", missing the write acknowledged at " + write.ackedAt() / MS
                        + " ms: " + write.version());
                }
            }
        }
    }

    /** The read holds the write itself or a version that supersedes it under the resolver's rule. */
    private static boolean covers(SiblingSet result, Version write, String resolver) {
        for (Versioned versioned : result.versions()) {
            Version seen = versioned.version();
            boolean supersedes = resolver.equals("lww")
                ? Version.LWW_ORDER.compare(seen, write) >= 0
                : seen.equals(write) || write.isSupersededBy(seen);
            if (supersedes) {
                return true;
            }
        }
        return false;
    }
}
