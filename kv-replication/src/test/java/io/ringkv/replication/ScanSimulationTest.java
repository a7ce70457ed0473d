package io.ringkv.replication;

import static io.ringkv.replication.TestCluster.MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.Consistency;
import io.ringkv.api.ErrorCode;
import io.ringkv.api.Key;
import io.ringkv.api.NodeId;
import io.ringkv.sim.LatencyModel;
import io.ringkv.sim.SimulationSeeds;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * SCAN's guarantee under faults: every key present (written to all its replicas, not deleted) for the whole scan
 * is returned at least once, and no deleted or never written key is, while messages are lost and duplicated and a
 * node crashes mid-scan; each call goes through a node chosen at random, so cursors move between coordinators.
 */
class ScanSimulationTest {
    private static final int NODES = 5;
    private static final int KEYS = 400;
    private static final int DELETED = 40;
    private static final Consistency ALL = new Consistency(3, 1, 3);

    @Test
    void everyPresentKeyIsReturnedUnderLossAndACrash() {
        SimulationSeeds.run(getClass(), "everyPresentKeyIsReturnedUnderLossAndACrash", "kv-replication", 8,
            ScanSimulationTest::run);
    }

    @Test
    void aScanOfAnEmptyClusterEndsWithNoKeys() {
        TestCluster cluster = new TestCluster(7, 3, ReplicationConfig.DEFAULT);
        TestCluster.Outcome<ScanPage> page = cluster.scan(cluster.ids.get(0), ScanCursor.START, 10);
        assertTrue(page.succeeded(), () -> page.message);
        // a page may stop early after MAX_PAGES_PER_CALL ranges; walk on until the end
        ScanCursor cursor = page.value.next();
        int calls = 1;
        while (!cursor.equals(ScanCursor.START)) {
            TestCluster.Outcome<ScanPage> next = cluster.scan(cluster.ids.get(calls % 3), cursor, 10);
            assertTrue(next.succeeded(), () -> next.message);
            assertEquals(List.of(), next.value.keys());
            cursor = next.value.next();
            calls++;
        }
        assertEquals(List.of(), page.value.keys());
    }

    @Test
    void keysSharingATokenComeInOneCallSoThatEveryCursorIsA64BitNumber() {
        // a call stopped within a token, and its cursor (a format byte, the token and a key) was a number of at
        // least 2^72, which clients keeping the cursor in a 64-bit integer cannot hand back
        TestCluster cluster = new TestCluster(11, 3, ReplicationConfig.DEFAULT);
        Set<String> written = new java.util.TreeSet<>();
        for (int i = 0; i < 20; i++) {
            assertTrue(cluster.put(cluster.ids.get(i % 3), "k" + i, "v", null, ALL).succeeded());
            written.add("k" + i);
        }
        // five more keys under k0's token at every replica of it (all three nodes), as a hash collision would put them
        Key model = Key.utf8("k0");
        long token = io.ringkv.ring.Partitioner.token(model);
        for (NodeId id : cluster.ids) {
            io.ringkv.storage.StorageRecord record = cluster.engine(id).get(token, model);
            for (int i = 0; i < 5; i++) {
                cluster.engine(id).put(token, Key.utf8("twin" + i), record.version(), record.value());
            }
        }
        for (int i = 0; i < 5; i++) {
            written.add("twin" + i);
        }
        for (int count : new int[] {1, 2, 7}) {
            Set<String> seen = new java.util.TreeSet<>();
            ScanCursor cursor = ScanCursor.START;
            int calls = 0;
            do {
                TestCluster.Outcome<ScanPage> page = cluster.scan(cluster.ids.get(calls % 3), cursor, count);
                assertTrue(page.succeeded(), page.message);
                String text = page.value.next().encode();
                assertTrue(text.length() <= 20, text);
                Long.parseUnsignedLong(text);
                page.value.keys().forEach(k -> seen.add(new String(k.toByteArray(),
                    java.nio.charset.StandardCharsets.UTF_8)));
                cursor = ScanCursor.parse(text, io.ringkv.api.Limits.DEFAULT);
                calls++;
                assertTrue(calls < 1_000, "the scan never ended");
            } while (!cursor.equals(ScanCursor.START));
            assertEquals(written, seen, "COUNT " + count);
        }
    }

    @Test
    void aScanGoesOnWhenEveryReplicasPagesComeLaterThanTheRetryInterval() {
        // a page answers after the force of every earlier write; with forces slower than the 200 ms the coordinator
        // waits before asking another replica, every ask timed out, each page was thrown away when it came, and
        // every call failed with TIMEOUT
        TestCluster cluster = new TestCluster(13, 3, ReplicationConfig.DEFAULT);
        Set<String> written = new java.util.TreeSet<>();
        for (int i = 0; i < 30; i++) {
            assertTrue(cluster.put(cluster.ids.get(i % 3), "k" + i, "v", null, ALL).succeeded());
            written.add("k" + i);
        }
        cluster.forcesSlowNanos = 1_000 * MS;
        cluster.slowForces.addAll(cluster.ids);
        // a writer keeps a write waiting for its force at every replica, so each page waits for one
        boolean[] writing = {true};
        Runnable[] writer = new Runnable[1];
        int[] writes = {0};
        writer[0] = () -> {
            if (writing[0]) {
                cluster.coordinator(cluster.ids.get(writes[0] % 3)).put(Key.utf8("w" + writes[0]++),
                    io.ringkv.api.Value.utf8("v"), null, Consistency.DEFAULT,
                    TestCluster.putInto(new TestCluster.Outcome<>()));
                cluster.sim.schedule(50 * MS, writer[0]);
            }
        };
        writer[0].run();
        Set<String> seen = new java.util.TreeSet<>();
        ScanCursor cursor = ScanCursor.START;
        int calls = 0;
        do {
            // each page waits up to a second for a force: a call of 64 pages takes longer than the usual wait
            TestCluster.Outcome<ScanPage> page = cluster.scan(cluster.ids.get(0), cursor, 100, 120_000 * MS);
            assertTrue(page.succeeded(), page.error + ": " + page.message);
            page.value.keys().forEach(k -> seen.add(new String(k.toByteArray(),
                java.nio.charset.StandardCharsets.UTF_8)));
            cursor = page.value.next();
            calls++;
            assertTrue(calls < 100, "the scan never ended");
        } while (!cursor.equals(ScanCursor.START));
        writing[0] = false;
        assertTrue(seen.containsAll(written), "missing: " + written.stream().filter(k -> !seen.contains(k)).toList());
        assertTrue(cluster.sim.node(cluster.ids.get(0)).counters().value("scan_retries") > 0,
            "no page came later than the retry interval: the test would prove nothing");
    }

    @Test
    void aCountOutOfRangeIsRefused() {
        TestCluster cluster = new TestCluster(3, 3, ReplicationConfig.DEFAULT);
        TestCluster.Outcome<ScanPage> page = cluster.scan(cluster.ids.get(0), ScanCursor.START,
            ScanCoordinator.MAX_COUNT + 1);
        assertEquals(ErrorCode.INVALID_ARGUMENT, page.error);
    }

    private static void run(long seed) {
        TestCluster cluster = new TestCluster(seed, NODES, ReplicationConfig.DEFAULT);
        SplittableRandom random = new SplittableRandom(seed ^ 0x5CA7);
        Set<Key> present = new HashSet<>();
        for (int i = 0; i < KEYS; i++) {
            String key = "key-" + i;
            TestCluster.Outcome<?> put = cluster.put(cluster.ids.get(i % NODES), key, "v" + i, null, ALL);
            assertTrue(put.succeeded(), () -> "write of " + key + ": " + put.message);
            present.add(Key.utf8(key));
        }
        Set<Key> deleted = new HashSet<>();
        for (int i = 0; i < DELETED; i++) {
            String key = "key-" + i * 7;
            TestCluster.Outcome<?> delete = cluster.delete(cluster.ids.get(i % NODES), key, null, ALL);
            assertTrue(delete.succeeded(), () -> "delete of " + key + ": " + delete.message);
            present.remove(Key.utf8(key));
            deleted.add(Key.utf8(key));
        }
        cluster.sim.network().dropRate(0.05).duplicateRate(0.03).latency(LatencyModel.exponential(100_000, 2 * MS));
        NodeId crashed = cluster.ids.get(random.nextInt(NODES));
        int crashAfter = 1 + random.nextInt(5);
        Set<Key> seen = new HashSet<>();
        ScanCursor cursor = ScanCursor.START;
        int calls = 0;
        int timeouts = 0;
        NodeId via = liveNode(cluster, random, crashed);
        do {
            if (calls == crashAfter && cluster.sim.node(crashed).isUp()) {
                // during the call, while replicas may be reading or answering its pages
                cluster.sim.schedule(random.nextLong(0, 5 * MS), () -> cluster.sim.crash(crashed));
            }
            TestCluster.Outcome<ScanPage> page = cluster.scan(via, cursor, 1 + random.nextInt(60));
            if (page.error == ErrorCode.TIMEOUT) {
                // a client retries a timed-out call with the same cursor, here through the same node: asking another
                // replica of the range is the coordinator's job
                timeouts++;
                assertTrue(timeouts < 5, "scan kept timing out; seed " + seed);
                continue;
            }
            assertTrue(page.succeeded(), () -> page.error + ": " + page.message);
            seen.addAll(page.value.keys());
            cursor = ScanCursor.parse(page.value.next().encode(), io.ringkv.api.Limits.DEFAULT);
            calls++;
            assertTrue(calls < 10_000, "the scan never ended; seed " + seed);
            // the next call goes through any node: the cursor alone says where the scan stands
            via = liveNode(cluster, random, crashed);
        } while (!cursor.equals(ScanCursor.START));
        Set<Key> missing = new HashSet<>(present);
        missing.removeAll(seen);
        assertEquals(Set.of(), missing, "keys present for the whole scan but never returned; seed " + seed
            + ", crashed " + crashed + " after " + crashAfter + " calls");
        Set<Key> extra = new HashSet<>(seen);
        extra.removeAll(present);
        assertEquals(Set.of(), extra, "deleted or never written keys returned; seed " + seed);
        assertTrue(seen.containsAll(present) && deleted.stream().noneMatch(seen::contains));
    }

    @Test
    void aScanThatNoReplicaAnswersCountsARetryForEachReplicaAskedAgainOnly() {
        // the last retry, which gave up and asked no one, was counted as one
        TestCluster cluster = new TestCluster(71, 4, ReplicationConfig.DEFAULT);
        io.ringkv.ring.PreferenceList first = cluster.ring.preferenceList(Long.MIN_VALUE);
        NodeId via = cluster.ids.stream().filter(id -> !first.contains(id)).findFirst().orElseThrow();
        List<NodeId> others = new java.util.ArrayList<>(cluster.ids);
        others.remove(via);
        cluster.sim.network().partition(List.of(via), others);
        TestCluster.Outcome<ScanPage> page = cluster.scan(via, ScanCursor.START, 10);
        assertEquals(ErrorCode.TIMEOUT, page.error, page.message);
        long asks = cluster.sim.node(via).counters().value("scan_replica_asks");
        assertEquals(6, asks, "each of the range's 3 replicas, twice");
        assertEquals(asks - 1, cluster.sim.node(via).counters().value("scan_retries"));
    }

    /** @return a running node other than {@code avoid}, to coordinate a call */
    @Test
    void aNodeThatLeftARangeInItsOwnRingRefusesToScanItAndAnotherReplicaAnswers() {
        SimulationSeeds.run(getClass(), "aNodeThatLeftARangeInItsOwnRingRefusesToScanItAndAnotherReplicaAnswers",
            "kv-replication", 5, seed -> {
                TestCluster cluster = new TestCluster(seed, 4, ReplicationConfig.DEFAULT);
                java.util.Set<String> written = new java.util.TreeSet<>();
                for (int i = 0; i < 200; i++) {
                    assertTrue(cluster.put(cluster.ids.get(i % 4), "k" + i, "v", null, new Consistency(3, 3, 3))
                        .succeeded());
                    written.add("k" + i);
                }
                // n4 has left the ring in its own view and dropped what it held; the others have not heard yet
                NodeId gone = cluster.ids.get(3);
                io.ringkv.ring.Ring without = cluster.ring.withoutNode(gone);
                cluster.node(gone).updateRing(without, without);
                cluster.engine(gone).dropUnless(token -> false);
                java.util.Set<String> seen = new java.util.TreeSet<>();
                ScanCursor cursor = ScanCursor.START;
                do {
                    // through n3: of the ranges n3 does not replicate, n4 is the first replica of some
                    TestCluster.Outcome<ScanPage> page = cluster.scan(cluster.ids.get(2), cursor, 50);
                    assertTrue(page.succeeded(), page.message);
                    page.value.keys().forEach(k -> seen.add(new String(k.toByteArray(),
                        java.nio.charset.StandardCharsets.UTF_8)));
                    cursor = page.value.next();
                } while (!cursor.equals(ScanCursor.START));
                assertEquals(written, seen);
                assertTrue(cluster.sim.node(gone).counters().value("scan_refused_not_replica") > 0,
                    "n4 was asked for ranges it no longer holds, and refused");
            });
    }

    private static NodeId liveNode(TestCluster cluster, SplittableRandom random, NodeId avoid) {
        while (true) {
            NodeId id = cluster.ids.get(random.nextInt(cluster.ids.size()));
            if (cluster.sim.node(id).isUp() && !id.equals(avoid)) {
                return id;
            }
        }
    }
}
