package io.ringkv.replication;

import static io.ringkv.replication.TestCluster.MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.CausalContext;
import io.ringkv.api.Consistency;
import io.ringkv.api.ErrorCode;
import io.ringkv.api.Key;
import io.ringkv.api.KvException;
import io.ringkv.api.Limits;
import io.ringkv.api.NodeId;
import io.ringkv.api.SiblingSet;
import io.ringkv.api.Value;
import io.ringkv.api.Version;
import io.ringkv.replication.internal.SiblingCodec;
import io.ringkv.ring.Partitioner;
import io.ringkv.sim.LatencyModel;
import io.ringkv.sim.SimulationSeeds;
import io.ringkv.storage.StorageKey;
import io.ringkv.storage.StorageRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * What a causal context guarantees, checked against the ground truth of who saw what: a write supersedes exactly
 * the writes its context covered (the values its client read, and what those had superseded), never a write its
 * client did not see, and concurrent writes stay siblings. Values are unique per write, so the test keeps each
 * write's true causal past by value, independent of how versions are encoded.
 */
class CausalContextSimulationTest {
    private static final Consistency QUORUM = Consistency.DEFAULT;
    private static final Consistency ALL = new Consistency(3, 3, 2);
    private static final int NODES = 5;
    private static final int CLIENTS = 6;
    private static final int KEYS = 2;
    private static final long RUN_MILLIS = 2_000;

    private static NodeId n(int i) {
        return NodeId.of("n" + i);
    }

    /** Issue 12, item 2, as reported: the write with the older context must not vanish behind b. */
    @Test
    void aWriteWithAnOlderContextThroughTheSameCoordinatorIsKeptBesideTheNewerOne() {
        TestCluster cluster = new TestCluster(1, 3, ReplicationConfig.DEFAULT);
        assertTrue(cluster.put(n(1), "k", "base", null, QUORUM).succeeded());
        CausalContext ctx0 = cluster.get(n(1), "k", QUORUM).value.context();
        assertTrue(cluster.put(n(2), "k", "a", ctx0, QUORUM).succeeded());
        CausalContext ctxA = cluster.get(n(3), "k", QUORUM).value.context();
        assertTrue(cluster.put(n(3), "k", "b", ctxA, QUORUM).succeeded());
        TestCluster.Outcome<Version> c = cluster.put(n(3), "k", "c", ctx0, QUORUM);
        assertTrue(c.succeeded(), "c was refused: " + c.error + " " + c.message);
        for (int i = 1; i <= 3; i++) {
            assertEquals(Set.of(Value.utf8("b"), Value.utf8("c")),
                Set.copyOf(cluster.get(n(i), "k", ALL).value.values()), "GETV via n" + i);
        }
    }

    @Test
    void aWriteThroughANodeThatIsNotAReplicaIsCoordinatedByOneOfTheKeysReplicas() {
        TestCluster cluster = new TestCluster(3, NODES, ReplicationConfig.DEFAULT);
        NodeId outsider = cluster.ids.stream()
            .filter(id -> !cluster.ring.preferenceList(Partitioner.token(Key.utf8("k"))).contains(id))
            .findFirst().orElseThrow();
        TestCluster.Outcome<Version> written = cluster.put(outsider, "k", "v", null, QUORUM);
        assertTrue(written.succeeded(), written.error + " " + written.message);
        assertTrue(cluster.ring.preferenceList(Partitioner.token(Key.utf8("k"))).contains(written.value.writer()),
            "the dot was issued by " + written.value.writer() + ", not a replica");
        assertEquals(1, cluster.node(outsider).counters().writesForwarded());
        assertEquals(List.of(Value.utf8("v")), cluster.get(outsider, "k", QUORUM).value.values());
    }

    @Test
    void aRecordStoredBeforeDottedVersionVectorsIsRefusedWithAReason() {
        byte[] formatOne = {1, 0, 0};
        StorageRecord record = StorageRecord.live(new StorageKey(1, Key.utf8("k")), formatOne, new byte[0]);
        KvException e = assertThrows(KvException.class, () -> SiblingCodec.decode(record, Limits.DEFAULT));
        assertEquals(ErrorCode.STORAGE_FAILURE, e.code());
        assertTrue(e.getMessage().contains("format 1") && e.getMessage().contains("empty data directory"),
            e.getMessage());
    }

    /** The ground truth of one key: each write's value and the values it superseded (its true causal past). */
    private static final class History {
        final Map<String, Set<String>> pastOf = new HashMap<>();
        final Set<String> acknowledged = new HashSet<>();

        /** @return what a client that read {@code values} has seen: them and everything they superseded */
        Set<String> seenBy(List<Value> values) {
            Set<String> seen = new HashSet<>();
            for (Value value : values) {
                seen.add(value.asUtf8());
                seen.addAll(pastOf.getOrDefault(value.asUtf8(), Set.of()));
            }
            return seen;
        }
    }

    /** What one client last read of a key, and what it read the time before (a stale context to write with). */
    private static final class Client {
        CausalContext latest = CausalContext.EMPTY;
        Set<String> latestSeen = Set.of();
        CausalContext older = CausalContext.EMPTY;
        Set<String> olderSeen = Set.of();

        void read(SiblingSet siblings, Set<String> seen) {
            older = latest;
            olderSeen = latestSeen;
            latest = siblings.context();
            latestSeen = seen;
        }
    }

    @Test
    void everyAcknowledgedWriteSurvivesOrIsSupersededByAWriteThatSawIt() {
        SimulationSeeds.run(getClass(), "everyAcknowledgedWriteSurvivesOrIsSupersededByAWriteThatSawIt",
            "kv-replication", 16, CausalContextSimulationTest::run);
    }

    private static void run(long seed) {
        TestCluster cluster = new TestCluster(seed, NODES, ReplicationConfig.DEFAULT);
        SplittableRandom random = new SplittableRandom(seed ^ 0xD075);
        cluster.sim.network().dropRate(0.03).duplicateRate(0.03)
            .latency(LatencyModel.exponential(100_000, 2 * MS));
        scheduleCrashes(cluster, random);
        Map<String, History> histories = new HashMap<>();
        List<Map<String, Client>> clients = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            clients.add(new HashMap<>());
        }
        for (long at = 0; at < RUN_MILLIS; at += 3) {
            String key = "k" + random.nextInt(KEYS);
            Client client = clients.get(random.nextInt(CLIENTS)).computeIfAbsent(key, k -> new Client());
            History history = histories.computeIfAbsent(key, k -> new History());
            int action = random.nextInt(10);
            String value = "v" + at;
            NodeId via = cluster.ids.get(random.nextInt(NODES));
            cluster.sim.schedule(at * MS, () -> {
                if (!cluster.sim.node(via).isUp()) {
                    return;
                }
                if (action < 4) {
                    read(cluster, via, key, client, history);
                } else {
                    // mostly the latest context, often an older one: concurrent stale-context writers
                    boolean stale = action >= 8;
                    write(cluster, via, key, value, stale ? client.older : client.latest,
                        stale ? client.olderSeen : client.latestSeen, history);
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
        int acknowledged = 0;
        for (Map.Entry<String, History> entry : histories.entrySet()) {
            String key = entry.getKey();
            for (NodeId id : cluster.ids) {
                assertTrue(cluster.get(id, key, ALL).succeeded(), "read repair of " + key + " via " + id);
            }
            cluster.sim.runFor(100 * MS);
            TestCluster.Outcome<SiblingSet> last = cluster.get(n(1), key, ALL);
            assertTrue(last.succeeded(), "final read of " + key + ": " + last.error);
            check(key, entry.getValue(), last.value);
            acknowledged += entry.getValue().acknowledged.size();
        }
        assertTrue(acknowledged > 100, "the run acknowledged only " + acknowledged + " writes");
        assertEquals(List.of(), cluster.sim.handlerFailures());
    }

    private static void read(TestCluster cluster, NodeId via, String key, Client client, History history) {
        cluster.coordinator(via).get(Key.utf8(key), QUORUM, new GetCallback() {
            @Override
            public void onSuccess(SiblingSet siblings) {
                client.read(siblings, history.seenBy(siblings.values()));
            }

            @Override
            public void onFailure(ErrorCode code, String message) {
            }
        });
    }

    private static void write(TestCluster cluster, NodeId via, String key, String value, CausalContext context,
                              Set<String> seen, History history) {
        // recorded before the outcome: a failed write may still land, and then its past must be known too
        history.pastOf.put(value, seen);
        cluster.coordinator(via).put(Key.utf8(key), Value.utf8(value), context, QUORUM, new PutCallback() {
            @Override
            public void onSuccess(Version written) {
                history.acknowledged.add(value);
            }

            @Override
            public void onFailure(ErrorCode code, String message) {
                // indeterminate: the invariant speaks of acknowledged writes only
            }
        });
    }

    /**
     * Every acknowledged write is in the final read or in the true past of a value there (superseded by a write
     * whose client saw it); no value there is in the true past of another (siblings only for concurrency); and no
     * value is there twice (a write is applied once, with one dot).
     */
    private static void check(String key, History history, SiblingSet last) {
        Set<String> visible = new HashSet<>();
        for (Value value : last.values()) {
            // every write has its own value: a value twice is one write applied twice (two dots)
            if (!visible.add(value.asUtf8())) {
                throw new AssertionError(key + "=" + value.asUtf8() + " is stored as two siblings: one write got two"
                    + " dots; final siblings " + last.versions());
            }
        }
        Set<String> superseded = new HashSet<>();
        for (String value : visible) {
            superseded.addAll(history.pastOf.getOrDefault(value, Set.of()));
        }
        for (String write : history.acknowledged) {
            if (!visible.contains(write) && !superseded.contains(write)) {
                throw new AssertionError("acknowledged write " + key + "=" + write + " was lost: no write that saw it"
                    + " superseded it; final siblings " + last.versions());
            }
        }
        for (String value : visible) {
            if (superseded.contains(value)) {
                throw new AssertionError(key + "=" + value + " is a sibling of a write whose client had seen it;"
                    + " final siblings " + last.versions());
            }
        }
    }

    /** One node at a time crashes for a while and restarts: never more than N − W = 1 replica of a key down. */
    private static void scheduleCrashes(TestCluster cluster, SplittableRandom random) {
        long at = 200 + random.nextLong(300);
        while (at < RUN_MILLIS) {
            NodeId victim = cluster.ids.get(random.nextInt(NODES));
            long down = 100 + random.nextLong(300);
            cluster.sim.schedule(at * MS, () -> cluster.sim.crash(victim));
            cluster.sim.schedule((at + down) * MS, () -> cluster.sim.restart(victim));
            at += down + 50 + random.nextLong(300);
        }
    }
}
