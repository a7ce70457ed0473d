package io.ringkv.antientropy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.Key;
import io.ringkv.api.Limits;
import io.ringkv.api.Node;
import io.ringkv.api.NodeId;
import io.ringkv.ring.Partitioner;
import io.ringkv.ring.Ring;
import io.ringkv.ring.TokenRange;
import io.ringkv.sim.ForwardingEngine;
import io.ringkv.sim.SimStorageStage;
import io.ringkv.sim.Simulation;
import io.ringkv.sim.SimulationSeeds;
import io.ringkv.storage.EngineConfig;
import io.ringkv.storage.RecordListener;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageKey;
import io.ringkv.storage.StorageRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Live hash trees in the simulator: kept up to date by every write reported to them, they equal a tree built from a
 * scan; replicas diverged by writes repair in one session that takes both trees from them and scans no range; a
 * session before the rebuild scans and still converges; a leaf that missed a write is corrected by the session
 * that lists it. Writes go through a writer that reads the held record, writes and reports both to the listener, as
 * the replica's storage tasks do.
 */
class LiveTreesSimulationTest {
    private static final long MS = 1_000_000;
    private static final Limits LIMITS = new Limits(256, 64 * 1024);
    private static final EngineConfig STORE = new EngineConfig(Path.of("sim"), "data", LIMITS,
        EngineConfig.DEFAULT_MAX_VERSION_BYTES, Map.of());
    private static final NodeId N1 = NodeId.of("n1");
    private static final NodeId N2 = NodeId.of("n2");

    /** One node: its engine, stage, live trees, their rebuilder and anti-entropy. */
    private static final class Member {
        StorageEngine engine;
        SimStorageStage stage;
        LiveTrees live;
        LiveTreeRebuilder rebuilder;
        AntiEntropy repair;
    }

    /** Two nodes that both replicate every range of a ring of 8 ranges. */
    private static final class Cluster {
        final Simulation sim;
        final Ring ring;
        final Map<NodeId, Member> members = new HashMap<>();

        Cluster(long seed, LiveTreeConfig config) {
            sim = new Simulation(seed);
            SplittableRandom random = new SplittableRandom(seed);
            ring = Ring.builder().replicationFactor(2)
                .add(Node.of("n1", "127.0.0.1", 1, 2), random.nextLong(), random.nextLong(), random.nextLong(),
                    random.nextLong())
                .add(Node.of("n2", "127.0.0.1", 3, 4), random.nextLong(), random.nextLong(), random.nextLong(),
                    random.nextLong())
                .build();
            for (NodeId id : List.of(N1, N2)) {
                sim.addNode(id, (context, disk) -> {
                    Member member = new Member();
                    member.engine = disk.open(STORE);
                    member.stage = new SimStorageStage(context, member.engine);
                    member.live = new LiveTrees(RepairConfig.DEFAULT.leafCount());
                    member.rebuilder = new LiveTreeRebuilder(context, member.stage, member.live, config);
                    SimStorageStage stage = member.stage;
                    LiveTrees live = member.live;
                    member.repair = new AntiEntropy(context, stage, RepairConfig.DEFAULT, live,
                        (token, key, version, value, done) -> stage.write(token,
                            e -> merge(e, live, token, key, version, value), (stored, failure) ->
                                done.accept(failure == null)), 256, 64 * 1024);
                    members.put(id, member);
                    return member.repair;
                });
            }
        }

        Member member(NodeId id) {
            return members.get(id);
        }

        void startTrees() {
            members.values().forEach(member -> member.rebuilder.updateRing(ring));
        }

        void runUntilTreesReady() {
            assertTrue(sim.runUntil(() -> members.values().stream().allMatch(m -> m.rebuilder.idle()),
                600_000 * MS), "the live trees never became ready");
            for (Member member : members.values()) {
                assertEquals(List.of(), member.live.notReady());
            }
        }

        /** Repairs every range from n1 with n2, one session after another. */
        List<RepairResult> repairAll() {
            List<RepairResult> results = new ArrayList<>();
            for (TokenRange range : ring.ranges()) {
                RepairResult[] result = new RepairResult[1];
                member(N1).repair.repair(range, N2, done -> result[0] = done);
                sim.runUntil(() -> result[0] != null, 120_000 * MS);
                assertNotNull(result[0], "the session on " + range + " never ended");
                assertTrue(result[0].completed(), result[0].failure());
                results.add(result[0]);
            }
            sim.runFor(1_000 * MS);
            return results;
        }
    }

    /** What the replica's storage tasks do: read the held record, write, report both. */
    private static void write(StorageEngine engine, RecordListener listener, String key, int version,
                              String value) {
        Key k = Key.utf8(key);
        long token = Partitioner.token(k);
        StorageRecord before = engine.get(token, k);
        byte[] stamp = {(byte) version};
        StorageRecord after;
        if (value == null) {
            engine.delete(token, k, stamp);
            after = StorageRecord.tombstone(new StorageKey(token, k), stamp);
        } else {
            byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
            engine.put(token, k, stamp, bytes);
            after = StorageRecord.live(new StorageKey(token, k), stamp, bytes);
        }
        listener.replaced(before, after);
    }

    /** The repair merge: keep the larger version blob, reported like any write. */
    private static Boolean merge(StorageEngine engine, RecordListener listener, long token, Key key,
                                 byte[] version, byte[] value) {
        StorageRecord held = engine.get(token, key);
        if (held == null || Arrays.compare(version, held.version()) > 0) {
            StorageKey storageKey = new StorageKey(token, key);
            if (value == null) {
                engine.delete(token, key, version);
                listener.replaced(held, StorageRecord.tombstone(storageKey, version));
            } else {
                engine.put(token, key, version, value);
                listener.replaced(held, StorageRecord.live(storageKey, version, value));
            }
        }
        return Boolean.TRUE;
    }

    private static Map<String, String> contents(StorageEngine engine) {
        Map<String, String> all = new TreeMap<>();
        engine.scan(0, 0, record -> {
            all.put(new String(record.key().toByteArray(), StandardCharsets.UTF_8),
                Arrays.toString(record.version()) + "/" + (record.isTombstone() ? "deleted"
                    : new String(record.value(), StandardCharsets.UTF_8)));
            return true;
        });
        return all;
    }

    /** Every ready tree equals the tree a scan of its range builds now. */
    private static void assertTreesMatchScans(Member member, Ring ring) {
        for (TokenRange range : ring.ranges()) {
            TreeShape shape = TreeShape.of(range, RepairConfig.DEFAULT.leafCount());
            long[] live = member.live.leaves(shape);
            assertNotNull(live, "no ready tree for " + range);
            assertArrayEquals(RepairTasks.leafHashes(member.engine, shape), live, "live tree of " + range
                + " differs from a scan");
        }
    }

    private static long counter(Member member, RepairCounter counter) {
        return member.repair.counter(counter);
    }

    @Test
    void liveTreesEqualTreesBuiltFromAScanAfterRandomWrites() {
        SimulationSeeds.run(getClass(), "liveTreesEqualTreesBuiltFromAScanAfterRandomWrites", "kv-antientropy", 6,
            seed -> {
                Cluster cluster = new Cluster(seed, LiveTreeConfig.DEFAULT);
                Member member = cluster.member(N1);
                SplittableRandom random = new SplittableRandom(seed);
                // data from before the start (a restart): the rebuild's scan must take it
                for (int i = 0; i < 500; i++) {
                    write(member.engine, RecordListener.NONE, "key" + random.nextInt(1_000), 1, "old" + i);
                }
                cluster.startTrees();
                cluster.runUntilTreesReady();
                for (int i = 0; i < 4_000; i++) {
                    String key = "key" + random.nextInt(1_000);
                    int version = random.nextInt(1, 100);
                    String value = random.nextInt(4) == 0 ? null : "v" + random.nextInt(50);
                    write(member.engine, member.live, key, version, value);
                }
                assertTreesMatchScans(member, cluster.ring);
            });
    }

    @Test
    void divergedReplicasConvergeInOneSessionPerRangeWithTreesFromLiveTreesAndNoScan() {
        SimulationSeeds.run(getClass(), "divergedReplicasConvergeInOneSessionPerRangeWithTreesFromLiveTreesAndNoScan",
            "kv-antientropy", 5, seed -> {
                Cluster cluster = new Cluster(seed, LiveTreeConfig.DEFAULT);
                cluster.startTrees();
                cluster.runUntilTreesReady();
                Member a = cluster.member(N1);
                Member b = cluster.member(N2);
                SplittableRandom random = new SplittableRandom(seed);
                for (int i = 0; i < 2_000; i++) {
                    String key = "key" + i;
                    switch (random.nextInt(6)) {
                        case 0 -> write(a.engine, a.live, key, 1, "a" + i);
                        case 1 -> write(b.engine, b.live, key, 1, "b" + i);
                        case 2 -> {
                            write(a.engine, a.live, key, 1, "old" + i);
                            write(b.engine, b.live, key, 2, "new" + i);
                        }
                        case 3 -> {
                            write(a.engine, a.live, key, 2, null);
                            write(b.engine, b.live, key, 1, "deleted on a" + i);
                        }
                        default -> {
                            write(a.engine, a.live, key, 1, "same" + i);
                            write(b.engine, b.live, key, 1, "same" + i);
                        }
                    }
                }
                List<RepairResult> results = cluster.repairAll();
                assertTrue(results.stream().mapToLong(RepairResult::keysSent).sum() > 0, "nothing was repaired");
                assertEquals(contents(a.engine), contents(b.engine), "replicas differ after one session per range");
                int ranges = cluster.ring.ranges().size();
                assertEquals(0, counter(a, RepairCounter.TREES_SCANNED), "the initiator scanned a range");
                assertEquals(0, counter(b, RepairCounter.TREES_SCANNED), "the responder scanned a range");
                assertEquals(ranges, counter(a, RepairCounter.TREES_FROM_LIVE));
                assertEquals(ranges, counter(b, RepairCounter.TREES_FROM_LIVE));
                // the merges went through the listener: the trees still match, and a second pass finds nothing
                assertTreesMatchScans(a, cluster.ring);
                assertTreesMatchScans(b, cluster.ring);
                for (RepairResult again : cluster.repairAll()) {
                    assertEquals(0, again.differingLeaves(), "a second session found differences");
                }
            });
    }

    @Test
    void aSessionBeforeTheRebuildScansAndStillConverges() {
        SimulationSeeds.run(getClass(), "aSessionBeforeTheRebuildScansAndStillConverges", "kv-antientropy", 4,
            seed -> {
                // a rebuild period and a pause so long that no tree is rebuilt before the sessions run
                Cluster cluster = new Cluster(seed, new LiveTreeConfig(32L << 20, 60_000_000_000L, 0));
                Member a = cluster.member(N1);
                Member b = cluster.member(N2);
                SplittableRandom random = new SplittableRandom(seed);
                // diverged before the start (e.g. writes n2 missed while down, then both restarted)
                for (int i = 0; i < 1_000; i++) {
                    write(random.nextBoolean() ? a.engine : b.engine, RecordListener.NONE, "key" + i, 1, "v" + i);
                }
                cluster.startTrees();
                assertEquals(cluster.ring.ranges().size(), a.live.notReady().size());
                // writes after the start do reach the trees, but the trees are not ready: they must not be used
                for (int i = 0; i < 100; i++) {
                    write(a.engine, a.live, "new" + i, 1, "v" + i);
                }
                cluster.repairAll();
                assertEquals(contents(a.engine), contents(b.engine), "replicas differ after the scanned sessions");
                assertEquals(1_100, contents(a.engine).size());
                assertTrue(counter(a, RepairCounter.TREES_SCANNED) > 0, "the initiator did not scan");
                assertTrue(counter(b, RepairCounter.TREES_SCANNED) > 0, "the responder did not scan");
            });
    }

    @Test
    void aLeafThatMissedAWriteIsCorrectedByTheSessionThatListsIt() {
        Cluster cluster = new Cluster(11, LiveTreeConfig.DEFAULT);
        cluster.startTrees();
        cluster.runUntilTreesReady();
        Member a = cluster.member(N1);
        Member b = cluster.member(N2);
        for (int i = 0; i < 200; i++) {
            write(a.engine, a.live, "key" + i, 1, "v" + i);
            write(b.engine, b.live, "key" + i, 1, "v" + i);
        }
        // the same record on both, but n2's tree never heard of it (as when an engine drops a record on its own)
        write(a.engine, a.live, "missed", 1, "v");
        write(b.engine, RecordListener.NONE, "missed", 1, "v");
        List<RepairResult> first = cluster.repairAll();
        assertEquals(1, first.stream().mapToInt(RepairResult::differingLeaves).sum());
        assertEquals(0, first.stream().mapToLong(r -> r.keysSent() + r.keysReceived()).sum());
        assertEquals(1, counter(b, RepairCounter.LIVE_LEAVES_HEALED), "n2's leaf was not corrected");
        assertEquals(0, counter(a, RepairCounter.LIVE_LEAVES_HEALED), "n1's right leaf was touched");
        assertTreesMatchScans(b, cluster.ring);
        for (RepairResult again : cluster.repairAll()) {
            assertEquals(0, again.differingLeaves(), "the wrong leaf still differs");
        }
        assertEquals(0, counter(a, RepairCounter.TREES_SCANNED) + counter(b, RepairCounter.TREES_SCANNED));
    }

    @Test
    void aRingChangeKeepsTheTreesOfUnchangedRangesAndRebuildsTheRest() {
        Cluster cluster = new Cluster(5, LiveTreeConfig.DEFAULT);
        cluster.startTrees();
        cluster.runUntilTreesReady();
        Member a = cluster.member(N1);
        for (int i = 0; i < 300; i++) {
            write(a.engine, a.live, "key" + i, 1, "v" + i);
        }
        // a third node's token splits one range in two; every other range keeps its bounds
        TokenRange split = cluster.ring.ranges().get(3);
        long middle = split.start() + ((split.end() - split.start()) >>> 1);
        Ring bigger = cluster.ring.withNode(Node.of("n3", "127.0.0.1", 5, 6), new long[] {middle});
        List<TokenRange> held = LiveTreeRebuilder.replicatedBy(bigger, N1);
        a.rebuilder.updateRing(bigger);
        for (TokenRange range : held) {
            boolean unchanged = cluster.ring.ranges().contains(range);
            assertEquals(unchanged, a.live.ready(range), range + (unchanged ? " lost its tree" : " is ready unbuilt"));
        }
        assertTrue(held.size() > a.live.readyCount(), "no range of n1 changed");
        for (int i = 0; i < 300; i++) {
            write(a.engine, a.live, "key" + i, 2, null);
        }
        assertTrue(cluster.sim.runUntil(() -> a.rebuilder.idle(), 600_000 * MS));
        assertEquals(List.of(), a.live.notReady());
        for (TokenRange range : held) {
            TreeShape shape = TreeShape.of(range, RepairConfig.DEFAULT.leafCount());
            assertArrayEquals(RepairTasks.leafHashes(a.engine, shape), a.live.leaves(shape), "tree of " + range);
        }
    }

    @Test
    void aWriteDuringARebuildScanVoidsTheRebuildAndOneAfterItLandsInTheTree() {
        LiveTrees live = new LiveTrees(RepairConfig.DEFAULT.leafCount());
        TokenRange whole = TokenRange.wholeRing();
        live.ranges(List.of(whole));
        Simulation sim = new Simulation(1);
        StorageEngine[] opened = new StorageEngine[1];
        sim.addNode(N1, (context, disk) -> opened[0] = disk.open(STORE));
        StorageEngine engine = opened[0];
        write(engine, RecordListener.NONE, "before", 1, "v");
        // a storage thread that wrote while another scanned: the scan may or may not have seen it
        StorageEngine racing = new ScanHook(engine, () -> write(engine, live, "during", 1, "v"));
        LiveTrees.Rebuild raced = RepairTasks.rebuild(racing, live, whole);
        assertEquals(LiveTrees.Rebuilt.RACED, raced.outcome());
        assertFalse(live.ready(whole));
        assertNull(live.leaves(TreeShape.of(whole, RepairConfig.DEFAULT.leafCount())));
        LiveTrees.Rebuild clean = RepairTasks.rebuild(engine, live, whole);
        assertEquals(LiveTrees.Rebuilt.READY, clean.outcome());
        write(engine, live, "after", 1, "v");
        TreeShape shape = TreeShape.of(whole, RepairConfig.DEFAULT.leafCount());
        assertArrayEquals(RepairTasks.leafHashes(engine, shape), live.leaves(shape));
        assertEquals(3, contents(engine).size());
    }

    /** An engine whose scan runs a hook before it starts visiting: a write that races the scan. */
    private static final class ScanHook extends ForwardingEngine {
        private final Runnable hook;

        ScanHook(StorageEngine engine, Runnable hook) {
            super(engine);
            this.hook = hook;
        }

        @Override
        public void scan(long startExclusive, long endInclusive, io.ringkv.storage.RecordVisitor visitor) {
            hook.run();
            super.scan(startExclusive, endInclusive, visitor);
        }
    }
}
