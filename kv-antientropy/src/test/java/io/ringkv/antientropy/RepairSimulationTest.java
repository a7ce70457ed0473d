package io.ringkv.antientropy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.Key;
import io.ringkv.api.Limits;
import io.ringkv.antientropy.internal.RepairCodec;
import io.ringkv.antientropy.internal.RepairMessage;
import io.ringkv.api.NodeId;
import io.ringkv.ring.Partitioner;
import io.ringkv.ring.TokenRange;
import io.ringkv.sim.ForwardingEngine;
import io.ringkv.sim.LatencyModel;
import io.ringkv.sim.SimStorageStage;
import io.ringkv.sim.Simulation;
import io.ringkv.sim.SimulationSeeds;
import io.ringkv.storage.EngineConfig;
import io.ringkv.storage.StorageCompletion;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageStage;
import io.ringkv.storage.StorageTask;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Repair sessions in the simulator, with loss and duplication: replicas that diverged (keys only one holds, keys
 * both hold differently, deletes one missed) hold the same records after one session, and the bytes a session moves
 * track the difference, not the range. The merger here keeps the record with the larger version blob: a stand-in
 * for the resolver that is deterministic, commutative and idempotent, which is all a repair relies on.
 */
class RepairSimulationTest {
    private static final long MS = 1_000_000;
    private static final Limits LIMITS = new Limits(256, 64 * 1024);
    /**
     * A tombstone whose version is below this stands for one past the grace: a replica holding nothing for its key
     * does not take it (as the node's replica does), and it is not sent to one. Only negative versions are.
     */
    private static final byte FORGOTTEN_BELOW = 0;
    /** Peers serve one session at a time (the default retry interval and session timeout). */
    private static final RepairConfig ONE_SLOT = new RepairConfig(1024, 500 * MS, 30_000 * MS, 1, 8);

    /** A simulated cluster whose nodes run only anti-entropy over their engines. */
    private static final class Cluster {
        final Simulation sim;
        final List<NodeId> ids = new ArrayList<>();
        final Map<NodeId, StorageEngine> engines = new HashMap<>();
        final Map<NodeId, AntiEntropy> repairs = new HashMap<>();
        /** Each node's storage stage as anti-entropy sees it: set {@code full} to have it refuse every task. */
        final Map<NodeId, Saturable> stages = new HashMap<>();
        /** Keys every node's engine lists in scans but no longer finds when asked for one (gone in between). */
        final java.util.Set<Key> vanished = new java.util.HashSet<>();
        /** Keys every node's engine lists in scans but fails to read (an I/O error). */
        final java.util.Set<Key> unreadable = new java.util.HashSet<>();
        /** Keys every node's merger refuses for good (a record that does not decode under its settings). */
        final java.util.Set<Key> refused = new java.util.HashSet<>();

        Cluster(long seed, int nodes) {
            this(seed, nodes, RepairConfig.DEFAULT);
        }

        Cluster(long seed, int nodes, RepairConfig config) {
            this(seed, nodes, config, 10_000);
        }

        /** @param firstStageCapacity how many tasks the first node's storage stage holds before it refuses more */
        Cluster(long seed, int nodes, RepairConfig config, int firstStageCapacity) {
            this(seed, nodes, config, firstStageCapacity, SimStorageStage.DEFAULT_FORCE_LATENCY);
        }

        /** @param forceLatency how long every node's storage stage takes to force its writes */
        Cluster(long seed, int nodes, RepairConfig config, int firstStageCapacity, LatencyModel forceLatency) {
            this(seed, nodes, config, firstStageCapacity, forceLatency, LIMITS);
        }

        /** @param limits every node's limits: its engine's, and the largest key its repair messages carry */
        Cluster(long seed, int nodes, RepairConfig config, int firstStageCapacity, LatencyModel forceLatency,
                Limits limits) {
            sim = new Simulation(seed);
            EngineConfig store = new EngineConfig(Path.of("sim"), "data", limits,
                EngineConfig.DEFAULT_MAX_VERSION_BYTES, Map.of());
            for (int i = 0; i < nodes; i++) {
                NodeId id = NodeId.of("n" + (i + 1));
                ids.add(id);
                int capacity = i == 0 ? firstStageCapacity : 10_000;
                sim.addNode(id, (context, disk) -> {
                    StorageEngine engine = new Vanishing(disk.open(store), vanished, unreadable);
                    engines.put(id, engine);
                    SimStorageStage stage = new SimStorageStage(context, engine,
                        SimStorageStage.DEFAULT_TASK_LATENCY, forceLatency, capacity);
                    Saturable saturable = new Saturable(stage);
                    stages.put(id, saturable);
                    AntiEntropy repair = new AntiEntropy(context, saturable, config,
                        refusing(LargerVersionWins.forgetting(stage, FORGOTTEN_BELOW), refused), limits.maxKeyBytes(),
                        64 * 1024);
                    repairs.put(id, repair);
                    return repair;
                });
            }
        }

        RepairResult repair(NodeId from, NodeId peer) {
            RepairResult[] result = new RepairResult[1];
            repairs.get(from).repair(TokenRange.wholeRing(), peer, done -> result[0] = done);
            sim.runUntil(() -> result[0] != null, 120_000 * MS);
            assertNotNull(result[0], "the session never ended");
            return result[0];
        }

        Map<String, String> contents(NodeId id) {
            Map<String, String> all = new TreeMap<>();
            engines.get(id).scan(0, 0, record -> {
                all.put(new String(record.key().toByteArray(), StandardCharsets.UTF_8),
                    Arrays.toString(record.version()) + "/" + (record.isTombstone() ? "deleted"
                        : new String(record.value(), StandardCharsets.UTF_8)));
                return true;
            });
            return all;
        }
    }


    /** @return {@code merger}, refusing for good the records of the keys in {@code refused} */
    private static RecordMerger refusing(RecordMerger merger, java.util.Set<Key> refused) {
        return new RecordMerger() {
            @Override
            public void merge(long token, Key key, byte[] version, byte[] value,
                              java.util.function.Consumer<Boolean> done) {
                merger.merge(token, key, version, value, done);
            }

            @Override
            public void merge(long token, Key key, byte[] version, byte[] value,
                              java.util.function.Consumer<Boolean> done, Runnable refusal) {
                if (refused.contains(key)) {
                    refusal.run();
                } else {
                    merger.merge(token, key, version, value, done);
                }
            }

            @Override
            public boolean takenWhereAbsent(long token, Key key, byte[] version, byte[] value) {
                return merger.takenWhereAbsent(token, key, version, value);
            }
        };
    }

    /**
     * An engine whose reads of a key miss once the key is in {@code vanished}, while its scans still list it: a
     * record purged, expired or cleaned up between the listing of a leaf and the read of the record; and whose reads
     * of a key in {@code unreadable} fail.
     */
    private static final class Vanishing extends ForwardingEngine {
        private final java.util.Set<Key> vanished;
        private final java.util.Set<Key> unreadable;

        private final StorageEngine engine;

        Vanishing(StorageEngine held, java.util.Set<Key> vanished, java.util.Set<Key> unreadable) {
            super(held);
            this.engine = held;
            this.vanished = vanished;
            this.unreadable = unreadable;
        }

        @Override
        public long dropUnless(java.util.function.LongPredicate keep) {
            return engine.dropUnless(keep);
        }

        @Override
        public io.ringkv.storage.StorageRecord get(long token, Key key) {
            if (unreadable.contains(key)) {
                throw new java.io.UncheckedIOException(new java.io.IOException("simulated read error"));
            }
            return vanished.contains(key) ? null : super.get(token, key);
        }
    }

    /** A storage stage that refuses every task while {@code full} is set: a saturated stage, on demand. */
    private static final class Saturable implements StorageStage {
        final StorageStage inner;
        boolean full;

        Saturable(StorageStage inner) {
            this.inner = inner;
        }

        @Override
        public <T> boolean read(long token, StorageTask<T> task, StorageCompletion<T> completion) {
            return !full && inner.read(token, task, completion);
        }

        @Override
        public <T> boolean scan(long token, StorageTask<T> task, StorageCompletion<T> completion) {
            return !full && inner.scan(token, task, completion);
        }

        @Override
        public <T> boolean write(long token, StorageTask<T> task, StorageCompletion<T> completion) {
            return !full && inner.write(token, task, completion);
        }
    }

    private static void put(StorageEngine engine, String key, int version, String value) {
        Key k = Key.utf8(key);
        byte[] stamp = {(byte) version};
        if (value == null) {
            engine.delete(Partitioner.token(k), k, stamp);
        } else {
            engine.put(Partitioner.token(k), k, stamp, value.getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void divergedReplicasHoldTheSameRecordsAfterOneSession() {
        SimulationSeeds.run(getClass(), "divergedReplicasHoldTheSameRecordsAfterOneSession", "kv-antientropy", 10,
            seed -> divergedRun(seed, RepairConfig.DEFAULT));
    }

    @Test
    void aTreeNeverShowsAWriteACrashCouldStillTakeBack() {
        // both hold k; the initiator's delete of it is on disk, the peer's is applied and waits for a force of 50 ms
        // when the session starts. A tree that showed it before the force made the two look in sync, and the peer,
        // crashed right after, was left with the deleted value while the initiator counted the range as repaired
        // (a tombstone purge then relies on that)
        Cluster cluster = new Cluster(23, 2, RepairConfig.DEFAULT, 10_000, LatencyModel.uniform(50 * MS, 50 * MS));
        NodeId initiator = cluster.ids.get(0);
        NodeId peer = cluster.ids.get(1);
        for (NodeId id : cluster.ids) {
            put(cluster.engines.get(id), "k", 1, "v");
            cluster.engines.get(id).flush();
        }
        put(cluster.engines.get(initiator), "k", 2, null);
        cluster.engines.get(initiator).flush();
        Key k = Key.utf8("k");
        long token = Partitioner.token(k);
        cluster.stages.get(peer).write(token, engine -> {
            engine.delete(token, k, new byte[] {2});
            return null;
        }, (ignored, failure) -> { });
        RepairResult result = cluster.repair(initiator, peer);
        assertTrue(result.completed(), String.valueOf(result.failure()));
        cluster.sim.crash(peer);
        cluster.sim.restart(peer);
        assertEquals("[2]/deleted", cluster.contents(peer).get("k"), "the peer lost the delete the session counted on");
    }

    @Test
    void aTreeOfMoreLeavesThanOneReplyHoldsArrivesInChunks() {
        // 8,192 leaf hashes are 64 KiB, more than one message carries
        RepairConfig config = new RepairConfig(8192, RepairConfig.DEFAULT.retryIntervalNanos(),
            RepairConfig.DEFAULT.sessionTimeoutNanos(), RepairConfig.DEFAULT.maxResponderSessions(),
            RepairConfig.DEFAULT.maxLeavesInFlight());
        SimulationSeeds.run(getClass(), "aTreeOfMoreLeavesThanOneReplyHoldsArrivesInChunks", "kv-antientropy", 5,
            seed -> divergedRun(seed, config));
    }

    private static void divergedRun(long seed, RepairConfig config) {
        Cluster cluster = new Cluster(seed, 2, config);
        SplittableRandom random = new SplittableRandom(seed);
        StorageEngine a = cluster.engines.get(cluster.ids.get(0));
        StorageEngine b = cluster.engines.get(cluster.ids.get(1));
        for (int i = 0; i < 3_000; i++) {
            String key = "key" + i;
            switch (random.nextInt(6)) {
                case 0 -> put(a, key, 1, "a" + i);
                case 1 -> put(b, key, 1, "b" + i);
                case 2 -> {
                    put(a, key, 1, "old" + i);
                    put(b, key, 2, "new" + i);
                }
                case 3 -> {
                    put(a, key, 2, null);
                    put(b, key, 1, "deleted on a" + i);
                }
                default -> {
                    put(a, key, 1, "same" + i);
                    put(b, key, 1, "same" + i);
                }
            }
        }
        cluster.sim.network().dropRate(0.05).duplicateRate(0.05).latency(LatencyModel.exponential(100_000, MS));
        RepairResult result = cluster.repair(cluster.ids.get(0), cluster.ids.get(1));
        assertTrue(result.completed(), "session failed: " + result.failure());
        cluster.sim.runFor(5_000 * MS);
        Map<String, String> first = cluster.contents(cluster.ids.get(0));
        assertEquals(first, cluster.contents(cluster.ids.get(1)), "replicas differ after the session");
        assertEquals(3_000, first.size());
        cluster.sim.network().dropRate(0).duplicateRate(0);
        RepairResult again = cluster.repair(cluster.ids.get(1), cluster.ids.get(0));
        assertTrue(again.completed(), again.failure());
        assertEquals(0, again.differingLeaves(), "a second session finds nothing to do");
        assertEquals(0, again.keysSent() + again.keysReceived());
    }

    @Test
    void aTombstonePastTheGraceIsNotSentToAPeerHoldingNothingForItsKeyInEitherDirection() {
        SimulationSeeds.run(getClass(),
            "aTombstonePastTheGraceIsNotSentToAPeerHoldingNothingForItsKeyInEitherDirection",
            "kv-antientropy", 5, seed -> {
                Cluster cluster = new Cluster(seed, 2);
                NodeId first = cluster.ids.get(0);
                NodeId second = cluster.ids.get(1);
                StorageEngine a = cluster.engines.get(first);
                StorageEngine b = cluster.engines.get(second);
                for (int i = 0; i < 30; i++) {
                    put(a, "old-delete-on-a" + i, -5, null);
                    put(b, "old-delete-on-b" + i, -5, null);
                    put(a, "recent-delete" + i, 5, null);
                }
                for (int i = 0; i < 10; i++) {
                    // b still holds the value a's old tombstone deletes: it must take the tombstone, and does
                    put(a, "deletes-a-value" + i, -5, null);
                    put(b, "deletes-a-value" + i, -10, "stale");
                    put(b, "only-b" + i, 1, "v");
                }
                RepairResult result = cluster.repair(first, second);
                assertTrue(result.completed(), result.failure());
                assertEquals(40, result.keysSent(), "the recent tombstones and those deleting a value");
                assertEquals(20, result.keysReceived(),
                    "the values only b held, and the stale ones a's tombstones delete (they change nothing on a)");
                assertEquals(30, cluster.repairs.get(first).counter(RepairCounter.TOMBSTONES_NOT_SENT));
                assertEquals(30, cluster.repairs.get(second).counter(RepairCounter.TOMBSTONES_NOT_SENT));
                assertEquals(0, cluster.repairs.get(second).counter(RepairCounter.KEYS_GONE),
                    "a tombstone not sent is not a key gone");
                Map<String, String> onA = cluster.contents(first);
                Map<String, String> onB = cluster.contents(second);
                for (int i = 0; i < 10; i++) {
                    assertEquals("[-5]/deleted", onB.get("deletes-a-value" + i));
                }
                for (int i = 0; i < 30; i++) {
                    assertFalse(onB.containsKey("old-delete-on-a" + i), "old-delete-on-a" + i + " on b");
                    assertFalse(onA.containsKey("old-delete-on-b" + i), "old-delete-on-b" + i + " on a");
                    assertEquals("[5]/deleted", onB.get("recent-delete" + i));
                }
                // nothing is left to move in either direction, however often the replicas repair
                for (NodeId from : List.of(first, second, first)) {
                    RepairResult again = cluster.repair(from, from.equals(first) ? second : first);
                    assertTrue(again.completed(), again.failure());
                    assertEquals(0, again.keysSent() + again.keysReceived(), "records moved again");
                }
            });
    }

    @Test
    void aListingIsNeverPiecedTogetherFromChunksOfTwoScansOfTheLeaf() {
        // the peer's leaves list in two chunks; the first scan's second chunk is lost, a key of the first chunk is
        // purged, and the second scan's first chunk is lost. Pieced together, the two chunks left would miss the key
        // the purge moved across the cut; the initiator would take the peer for holding nothing of it and keep its
        // old tombstone to itself, leaving the stale value it deletes there
        RepairConfig config = new RepairConfig(16, 500 * MS, 30_000 * MS, 4, 8);
        Cluster cluster = new Cluster(41, 2, config);
        NodeId initiator = cluster.ids.get(0);
        NodeId peer = cluster.ids.get(1);
        String pad = "k".repeat(200);
        for (int i = 0; i < 9_000; i++) {
            put(cluster.engines.get(initiator), pad + i, -5, null);
            put(cluster.engines.get(peer), pad + i, -10, "stale");
        }
        RepairCodec codec = new RepairCodec(256, 64 * 1024);
        int[] target = {-1};
        int[] scan = {0};
        cluster.sim.network().dropWhen((from, to, message) -> {
            if (!from.equals(peer) || !(decode(codec, message) instanceof RepairMessage.DigestReply reply)
                || (target[0] >= 0 && reply.leaf() != target[0])) {
                return false;
            }
            if (target[0] < 0 && reply.chunk() == 1) {
                // the first scan's second chunk: lost, and the first key of the leaf purged before the next scan
                target[0] = reply.leaf();
                scan[0] = 1;
                return dropFirstOf(cluster.engines.get(peer), config, reply.leaf());
            }
            if (scan[0] == 1 && reply.chunk() == 0) {
                scan[0] = 2;
                return true;
            }
            return false;
        });
        RepairResult result = cluster.repair(initiator, peer);
        assertTrue(result.completed(), String.valueOf(result.failure()));
        assertEquals(2, scan[0], "the second scan's first chunk never came");
        List<String> stale = new ArrayList<>();
        cluster.contents(peer).forEach((key, held) -> {
            if (!held.endsWith("deleted")) {
                stale.add(key);
            }
        });
        assertEquals(List.of(), stale, "values the initiator's tombstones delete, left on the peer");
    }

    /** Purges the first record of {@code leaf} of the whole ring's tree from {@code engine}; @return true */
    private static boolean dropFirstOf(StorageEngine engine, RepairConfig config, int leaf) {
        TokenRange slice = TreeShape.of(TokenRange.wholeRing(), config.leafCount()).leafRange(leaf);
        long[] first = {0};
        boolean[] found = {false};
        engine.scan(slice.start(), slice.end(), record -> {
            first[0] = record.token();
            found[0] = true;
            return false;
        });
        assertTrue(found[0], "leaf " + leaf + " is empty");
        engine.dropUnless(token -> token != first[0]);
        return true;
    }

    @Test
    void bytesMovedTrackTheDifferenceNotTheRange() {
        Cluster cluster = new Cluster(3, 2);
        StorageEngine a = cluster.engines.get(cluster.ids.get(0));
        StorageEngine b = cluster.engines.get(cluster.ids.get(1));
        String value = "v".repeat(1_000);
        for (int i = 0; i < 20_000; i++) {
            put(a, "key" + i, 1, value);
            put(b, "key" + i, 1, value);
        }
        for (int i = 0; i < 20; i++) {
            put(a, "only-a" + i, 1, value);
        }
        RepairResult result = cluster.repair(cluster.ids.get(0), cluster.ids.get(1));
        assertEquals(20, cluster.repairs.get(cluster.ids.get(1)).counter(RepairCounter.KEYS_RECEIVED));
        assertTrue(result.completed(), result.failure());
        assertEquals(20, result.keysSent());
        assertEquals(0, result.keysReceived());
        // 20 records of about 1 KiB each; the range holds 20 MB
        assertTrue(result.recordBytes() < 20 * 1_100 * 11 / 10, "record bytes " + result.recordBytes());
        assertTrue(result.treeBytes() < 1_000_000, "tree and digest bytes " + result.treeBytes());
    }

    @Test
    void aSessionBesideConcurrentWritesCompletesAndTheNextOneLeavesTheReplicasIdentical() {
        SimulationSeeds.run(getClass(), "aSessionBesideConcurrentWritesCompletes", "kv-antientropy", 5, seed -> {
            Cluster cluster = new Cluster(seed, 2);
            SplittableRandom random = new SplittableRandom(seed);
            StorageEngine a = cluster.engines.get(cluster.ids.get(0));
            StorageEngine b = cluster.engines.get(cluster.ids.get(1));
            for (int i = 0; i < 2_000; i++) {
                put(random.nextBoolean() ? a : b, "key" + i, 1, "v" + i);
            }
            // writes land on one replica or both (as replication's would) all through the first session
            for (int w = 0; w < 400; w++) {
                String key = "key" + random.nextInt(3_000);
                int version = 2 + random.nextInt(100);
                int where = random.nextInt(3);
                cluster.sim.schedule(w * 500_000L, () -> {
                    if (where != 1) {
                        put(a, key, version, "w" + version);
                    }
                    if (where != 0) {
                        put(b, key, version, "w" + version);
                    }
                });
            }
            cluster.sim.network().dropRate(0.02).latency(LatencyModel.exponential(100_000, MS));
            RepairResult first = cluster.repair(cluster.ids.get(0), cluster.ids.get(1));
            assertTrue(first.completed(), "a session beside writes failed: " + first.failure());
            cluster.sim.runFor(1_000 * MS);
            RepairResult second = cluster.repair(cluster.ids.get(1), cluster.ids.get(0));
            assertTrue(second.completed(), second.failure());
            cluster.sim.runFor(1_000 * MS);
            assertEquals(cluster.contents(cluster.ids.get(0)), cluster.contents(cluster.ids.get(1)),
                "replicas differ once the writes stopped and a session ran");
        });
    }

    @Test
    void aRangeNarrowerThanTheLeavesIsRepairedToo() {
        // a joining node's token may sit right after another's: the range between them holds a single token
        Cluster cluster = new Cluster(9, 2);
        Key key = Key.utf8("narrow");
        long token = Partitioner.token(key);
        put(cluster.engines.get(cluster.ids.get(0)), "narrow", 1, "v");
        RepairResult[] result = new RepairResult[1];
        cluster.repairs.get(cluster.ids.get(0)).repair(new TokenRange(token - 1, token), cluster.ids.get(1),
            done -> result[0] = done);
        cluster.sim.runUntil(() -> result[0] != null, 60_000 * MS);
        assertTrue(result[0].completed(), result[0].failure());
        assertEquals(cluster.contents(cluster.ids.get(0)), cluster.contents(cluster.ids.get(1)));
    }

    @Test
    void aResponderForgetsEndedSessionsSoThatManyCanFollowOneAnother() {
        Cluster cluster = new Cluster(7, 2);
        put(cluster.engines.get(cluster.ids.get(0)), "k", 1, "v");
        for (int i = 0; i < 3 * RepairConfig.DEFAULT.maxResponderSessions(); i++) {
            RepairResult result = cluster.repair(cluster.ids.get(0), cluster.ids.get(1));
            assertTrue(result.completed(), "session " + i + ": " + result.failure());
        }
        cluster.sim.runFor(100 * MS);
        assertEquals(0, cluster.repairs.get(cluster.ids.get(1)).sessions(), "the responder kept ended sessions");
    }

    @Test
    void aPeerThatNeverAnswersFailsTheSessionAndCountsIt() {
        Cluster cluster = new Cluster(5, 2);
        put(cluster.engines.get(cluster.ids.get(0)), "k", 1, "v");
        cluster.sim.crash(cluster.ids.get(1));
        RepairResult result = cluster.repair(cluster.ids.get(0), cluster.ids.get(1));
        assertTrue(!result.completed() && result.failure().contains("no progress"), String.valueOf(result.failure()));
        assertEquals(1, cluster.repairs.get(cluster.ids.get(0)).counter(RepairCounter.SESSIONS_FAILED));
        assertEquals(0, cluster.repairs.get(cluster.ids.get(0)).sessions());
    }

    /** Sends {@code length} bytes of {@code codec}'s buffer from the node of {@code context} to {@code to}. */
    private static void send(io.ringkv.api.NodeContext context, NodeId to, RepairCodec codec, int length) {
        context.transport().send(to, codec.sendBuffer(), 0, length);
    }

    /** Answers {@code request} with a tree whose every leaf hash is 1: every leaf differs from a real tree's. */
    private static void sendTreeOfOnes(io.ringkv.api.NodeContext context, NodeId to, RepairCodec codec,
                                       RepairMessage.TreeRequest request) {
        long[] leaves = new long[request.leafCount()];
        Arrays.fill(leaves, 1);
        send(context, to, codec, codec.encodeTreeReply(request.sessionId(), RepairMessage.Status.OK, leaves, 0,
            leaves.length));
    }

    /**
     * Adds a node that runs no anti-entropy of its own: it answers (or sends) what {@code handler} does with the
     * messages it receives, decoded.
     */
    private static void addScripted(Cluster cluster, NodeId id,
                                    java.util.function.BiFunction<io.ringkv.api.NodeContext, RepairCodec,
                                        java.util.function.BiConsumer<NodeId, RepairMessage>> handler) {
        cluster.sim.addNode(id, (context, disk) -> {
            RepairCodec codec = new RepairCodec(256, 64 * 1024);
            java.util.function.BiConsumer<NodeId, RepairMessage> onMessage = handler.apply(context, codec);
            io.ringkv.api.MessageHandler received = (sender, buffer, offset, length) ->
                onMessage.accept(sender, codec.decode(buffer, offset, length));
            context.transport().register(AntiEntropy.SCHEMA_ID, received);
            return received;
        });
    }

    @Test
    void aPeerWhoseListingsNeverEndFailsTheSessionOnceTheyOutgrowTheBoundInsteadOfHoldingThem() {
        // the initiator held every chunk of a leaf's listing until its last came: a peer that never sent the last
        // (65,536 chunks of up to 64 KiB each, in four listings of each of eight leaves) filled its heap
        long bound = 64 * 1024;
        RepairConfig config = new RepairConfig(16, 500 * MS, 30_000 * MS, 4, 8, bound);
        Cluster cluster = new Cluster(43, 1, config);
        NodeId initiator = cluster.ids.get(0);
        NodeId endless = NodeId.of("endless");
        List<RepairMessage.Entry> entries = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            entries.add(new RepairMessage.Entry(i, ("k".repeat(200) + i).getBytes(StandardCharsets.UTF_8), i + 1));
        }
        addScripted(cluster, endless, (context, codec) -> (sender, message) -> {
            if (message instanceof RepairMessage.TreeRequest request) {
                sendTreeOfOnes(context, sender, codec, request);
            } else if (message instanceof RepairMessage.DigestRequest request) {
                for (int chunk = 0; chunk < 3; chunk++) {
                    send(context, sender, codec, codec.encodeDigestReply(request.sessionId(), request.leaf(),
                        RepairMessage.Status.OK, chunk, false, 7, entries));
                }
            }
        });
        put(cluster.engines.get(initiator), "k", 1, "v");

        RepairResult result = cluster.repair(initiator, endless);

        assertFalse(result.completed());
        assertTrue(result.failure().contains("outgrew the " + bound + " bytes"), result.failure());
        assertEquals(1, cluster.repairs.get(initiator).counter(RepairCounter.LISTINGS_TOO_LARGE));
        assertEquals(0, cluster.repairs.get(initiator).sessions());
    }

    @Test
    void chunksNoResponderCutsAreDroppedNotHeld() {
        // an empty chunk that is not the last, and a last chunk below a chunk held, were held: a peer could fill
        // 65,536 chunk numbers of four listings of eight leaves without a byte of entries
        Cluster cluster = new Cluster(67, 1, new RepairConfig(16, 500 * MS, 30_000 * MS, 4, 8));
        NodeId initiator = cluster.ids.get(0);
        NodeId odd = NodeId.of("odd");
        List<RepairMessage.Entry> one = List.of(new RepairMessage.Entry(1, new byte[] {1}, 2));
        int[] asks = {0};
        addScripted(cluster, odd, (context, codec) -> (sender, message) -> {
            if (message instanceof RepairMessage.TreeRequest request) {
                sendTreeOfOnes(context, sender, codec, request);
            } else if (message instanceof RepairMessage.DigestRequest request) {
                long listing = ++asks[0]; // each ask a scan of its own: no chunk of one is held for another
                long id = request.sessionId();
                int leaf = request.leaf();
                // dropped (empty, not the last), held, dropped (a last below chunk 2); the listing never completes
                send(context, sender, codec, codec.encodeDigestReply(id, leaf, RepairMessage.Status.OK, 0, false,
                    listing, List.of()));
                send(context, sender, codec, codec.encodeDigestReply(id, leaf, RepairMessage.Status.OK, 2, false,
                    listing, one));
                // after the others: the network may reorder messages sent together
                context.timers().schedule(50 * MS, timer -> send(context, sender, codec, codec.encodeDigestReply(id,
                    leaf, RepairMessage.Status.OK, 1, true, listing, one)));
            }
        });
        put(cluster.engines.get(initiator), "k", 1, "v");

        RepairResult result = cluster.repair(initiator, odd);

        assertTrue(!result.completed() && result.failure().contains("no progress"), result.failure());
        long dropped = cluster.repairs.get(initiator).counter(RepairCounter.DROPPED_MALFORMED);
        assertTrue(asks[0] >= 8 && dropped > 3L * asks[0] / 2, dropped + " of the chunks of " + asks[0]
            + " asks dropped, not two of each three");
    }

    /** Two nodes of trees of {@code leaves} leaves and the given bound; the second holds {@code keys} keys. */
    private static Cluster onlyThePeerHolds(long seed, int leaves, long bound, String pad, int keys) {
        Cluster cluster = new Cluster(seed, 2, new RepairConfig(leaves, 500 * MS, 30_000 * MS, 4, 8, bound));
        for (int i = 0; i < keys; i++) {
            put(cluster.engines.get(cluster.ids.get(1)), pad + i, 1, "v" + i);
        }
        return cluster;
    }

    /** Repairs {@link #onlyThePeerHolds}'s first node with its second: it completes, and all {@code keys} move. */
    private static void repairMovesEveryRecord(Cluster cluster, int keys) {
        RepairResult result = cluster.repair(cluster.ids.get(0), cluster.ids.get(1));
        assertTrue(result.completed(), String.valueOf(result.failure()));
        assertEquals(keys, result.keysReceived());
        assertEquals(cluster.contents(cluster.ids.get(1)), cluster.contents(cluster.ids.get(0)));
    }

    @Test
    void aRecordThePeerWillNeverTakeIsDroppedAndTheSessionEndsWithoutIt() {
        // it was acknowledged FAILED and sent again at every retry: the session never ended, and a join or leave
        // streaming the range retried it forever
        Cluster cluster = onlyThePeerHolds(79, 16, 128 * 1024, "k", 50);
        cluster.refused.add(Key.utf8("k7"));
        RepairResult result = cluster.repair(cluster.ids.get(0), cluster.ids.get(1));
        assertTrue(result.completed(), String.valueOf(result.failure()));
        assertEquals(49, result.keysReceived());
        assertEquals(49, cluster.contents(cluster.ids.get(0)).size());
        assertEquals(1, cluster.repairs.get(cluster.ids.get(0)).counter(RepairCounter.RECORDS_REFUSED));
        assertEquals(1, cluster.repairs.get(cluster.ids.get(1)).counter(RepairCounter.RECORDS_REFUSED_BY_PEER));
    }

    @Test
    void keysLongerThanTheDefaultLimitAreRepairedWhereTheConfiguredLimitAllowsThem() {
        // the receiver checked a record's key against the default limit (1 KiB), not the configured one: with
        // max-key-bytes raised, every longer key was dropped as malformed, and repair and streaming never moved it
        Limits larger = new Limits(4096, 64 * 1024);
        Cluster cluster = new Cluster(73, 2, RepairConfig.DEFAULT, 10_000, SimStorageStage.DEFAULT_FORCE_LATENCY,
            larger);
        for (int i = 0; i < 20; i++) {
            Key key = Key.of(("long-" + i + "-" + "k".repeat(2_000)).getBytes(StandardCharsets.UTF_8), larger);
            cluster.engines.get(cluster.ids.get(1)).put(Partitioner.token(key), key, new byte[] {1},
                ("v" + i).getBytes(StandardCharsets.UTF_8));
        }

        repairMovesEveryRecord(cluster, 20);

        assertEquals(0, cluster.repairs.get(cluster.ids.get(0)).counter(RepairCounter.DROPPED_MALFORMED));
    }

    @Test
    void leavesWhoseListingsTogetherOutgrowTheBoundAreComparedAFewAtATime() {
        // sixteen leaves of about 300 keys of 200 bytes: each leaf's listing comes in two chunks and takes about
        // 80 KB, eight leaves' first chunks together about four times the bound. The session used to fail once the
        // leaves in flight together outgrew it
        Cluster cluster = onlyThePeerHolds(71, 16, 128 * 1024, "r".repeat(196), 4_800);

        repairMovesEveryRecord(cluster, 4_800);

        assertEquals(0, cluster.repairs.get(cluster.ids.get(0)).counter(RepairCounter.LISTINGS_TOO_LARGE));
    }

    @Test
    void aTreeRequestOfFewerLeavesThanTheNodesSettingGiveTheRangeIsRefused() {
        // a request for the whole ring in one leaf made the node list every key it holds in memory for one reply
        Cluster cluster = new Cluster(47, 1);
        NodeId responder = cluster.ids.get(0);
        for (int i = 0; i < 50; i++) {
            put(cluster.engines.get(responder), "key" + i, 1, "v" + i);
        }
        Map<Integer, RepairMessage.Status> answers = new TreeMap<>();
        NodeId asker = NodeId.of("asker");
        addScripted(cluster, asker, (context, codec) -> {
            context.timers().schedule(MS, id -> {
                TokenRange ring = TokenRange.wholeRing();
                send(context, responder, codec, codec.encodeTreeRequest(1, ring.start(), ring.end(), 1));
                send(context, responder, codec, codec.encodeTreeRequest(2, ring.start(), ring.end(),
                    RepairConfig.DEFAULT.leafCount() / 2));
                send(context, responder, codec, codec.encodeTreeRequest(3, ring.start(), ring.end(),
                    RepairConfig.DEFAULT.leafCount()));
            });
            return (sender, message) -> {
                if (message instanceof RepairMessage.TreeReply reply) {
                    answers.putIfAbsent((int) reply.sessionId(), reply.status());
                }
            };
        });

        cluster.sim.runUntil(() -> answers.size() == 3, 10_000 * MS);

        assertEquals(Map.of(1, RepairMessage.Status.FAILED, 2, RepairMessage.Status.FAILED,
            3, RepairMessage.Status.OK), answers);
        assertEquals(2, cluster.repairs.get(responder).counter(RepairCounter.TREE_REQUESTS_REFUSED));
    }

    @Test
    void aServedSessionSetsAsideKeysAskedForBeyondTheBoundAndDropsKeysOutsideItsRange() {
        // a peer that asked for keys and never acknowledged a record made the responder queue every key it named
        long bound = 64 * 1024;
        Cluster cluster = new Cluster(53, 1, new RepairConfig(1024, 500 * MS, 30_000 * MS, 4, 8, bound));
        NodeId responder = cluster.ids.get(0);
        TokenRange range = new TokenRange(Long.MIN_VALUE / 2, 0);
        List<RepairMessage.Wanted> inside = new ArrayList<>();
        RepairMessage.Wanted outside = null;
        String pad = "p".repeat(40);
        for (int i = 0; inside.size() < 3_000; i++) {
            Key key = Key.utf8(pad + i);
            long token = Partitioner.token(key);
            put(cluster.engines.get(responder), pad + i, 1, "v");
            RepairMessage.Wanted wanted = new RepairMessage.Wanted(token, key.toByteArray(), false);
            if (range.contains(token)) {
                inside.add(wanted);
            } else if (outside == null) {
                outside = wanted;
            }
        }
        List<RepairMessage.Wanted> outsideOnly = List.of(outside);
        boolean[] served = {false};
        int[] records = {0};
        NodeId asker = NodeId.of("asker");
        addScripted(cluster, asker, (context, codec) -> {
            context.timers().schedule(MS, id -> send(context, responder, codec,
                codec.encodeTreeRequest(9, range.start(), range.end(), RepairConfig.DEFAULT.leafCount())));
            return (sender, message) -> {
                if (message instanceof RepairMessage.TreeReply reply && reply.status() == RepairMessage.Status.OK
                    && !served[0]) {
                    served[0] = true;
                    send(context, responder, codec, codec.encodeKeysRequest(9, outsideOnly));
                    for (int from = 0; from < inside.size(); from += 500) {
                        send(context, responder, codec, codec.encodeKeysRequest(9,
                            inside.subList(from, Math.min(inside.size(), from + 500))));
                    }
                } else if (message instanceof RepairMessage.Record) {
                    records[0]++; // never acknowledged
                }
            };
        });

        cluster.sim.runUntil(() -> records[0] >= AntiEntropy.RECORDS_IN_FLIGHT, 10_000 * MS);
        cluster.sim.runFor(100 * MS);

        AntiEntropy node = cluster.repairs.get(responder);
        long setAside = node.counter(RepairCounter.KEYS_SET_ASIDE);
        int smallest = inside.stream().mapToInt(wanted -> RepairCodec.entryBytes(wanted.key())).min().orElseThrow();
        assertTrue(setAside > 0, "every key asked for was queued");
        assertTrue(inside.size() - setAside <= bound / smallest, (inside.size() - setAside) + " keys queued");
        assertEquals(1, node.counter(RepairCounter.DROPPED_MALFORMED), "the key outside the session's range");
    }

    @Test
    void aSessionWhoseKeysOutgrowTheResponderBoundStillMovesEveryRecord() {
        // the keys the responder sets aside are asked for again. 64 leaves of about 80 keys: eight leaves' listings
        // fit the initiator's bound, while the keys it asks for pile up faster than 64 records in flight carry them,
        // past the responder's
        Cluster cluster = onlyThePeerHolds(59, 64, 64 * 1024, "q".repeat(60), 5_000);

        repairMovesEveryRecord(cluster, 5_000);

        assertTrue(cluster.repairs.get(cluster.ids.get(1)).counter(RepairCounter.KEYS_SET_ASIDE) > 0,
            "the bound was never met");
    }

    @Test
    void aRecordTooLargeForOneMessageFailsTheSessionThatNeedsItAndStopsNoOther() {
        // encoding it overflowed the codec's buffer inside a storage completion: the record stayed in the outbox,
        // and every retry threw again before the timer was set for the next
        Cluster cluster = new Cluster(61, 3);
        NodeId initiator = cluster.ids.get(0);
        put(cluster.engines.get(initiator), "large", 1, "x".repeat(LIMITS.maxValueBytes()));
        put(cluster.engines.get(initiator), "small", 1, "v");

        RepairResult result = cluster.repair(initiator, cluster.ids.get(1));

        assertFalse(result.completed());
        assertTrue(result.failure().contains("does not fit one anti-entropy message"), result.failure());
        assertEquals(1, cluster.repairs.get(initiator).counter(RepairCounter.RECORDS_TOO_LARGE));
        cluster.engines.get(initiator).delete(Partitioner.token(Key.utf8("large")), Key.utf8("large"), new byte[] {2});
        assertTrue(cluster.repair(initiator, cluster.ids.get(2)).completed(), "the next session failed too");
    }

    @Test
    void aStorageStageWithRoomForFewTasksSlowsTheSessionDownButItCompletesWithEveryRecord() {
        // three tasks fit on the first node's stage; a session with many differing leaves starts up to eight at once
        // and reads a record for each key the peer lacks: the tasks the stage refuses wait, and the session used to
        // fail at the first of them
        Cluster cluster = new Cluster(11, 2, RepairConfig.DEFAULT, 3);
        for (int i = 0; i < 500; i++) {
            put(cluster.engines.get(cluster.ids.get(0)), "key" + i, 1, "v" + i);
        }
        RepairResult result = cluster.repair(cluster.ids.get(0), cluster.ids.get(1));
        assertTrue(result.completed(), String.valueOf(result.failure()));
        AntiEntropy initiator = cluster.repairs.get(cluster.ids.get(0));
        assertTrue(initiator.counter(RepairCounter.STORAGE_DEFERRED) > 0, "the stage never refused a task");
        assertEquals(0, initiator.counter(RepairCounter.SESSIONS_FAILED));
        assertEquals(cluster.contents(cluster.ids.get(0)), cluster.contents(cluster.ids.get(1)));
        assertEquals(500, cluster.contents(cluster.ids.get(1)).size());
    }

    @Test
    void aSessionHoldsABoundedNumberOfRecordsInFlightHoweverManyKeysDiffer() {
        // 3,000 keys only the initiator holds, and every acknowledgement of a record lost: what the initiator keeps
        // in memory to send again is what it sent and was not acknowledged
        Cluster cluster = new Cluster(13, 2);
        NodeId initiator = cluster.ids.get(0);
        NodeId peer = cluster.ids.get(1);
        for (int i = 0; i < 3000; i++) {
            put(cluster.engines.get(initiator), "key" + i, 1, "v" + i);
        }
        RepairCodec codec = new RepairCodec(256, 64 * 1024);
        java.util.Set<Integer> sequences = new java.util.HashSet<>();
        cluster.sim.network().dropWhen((from, to, message) -> {
            RepairMessage decoded = decode(codec, message);
            if (from.equals(initiator) && decoded instanceof RepairMessage.Record record) {
                sequences.add(record.sequence());
            }
            return decoded instanceof RepairMessage.RecordAck;
        });
        boolean[] ended = {false};
        cluster.repairs.get(initiator).repair(TokenRange.wholeRing(), peer, done -> ended[0] = true);
        cluster.sim.runFor(5_000 * MS);
        assertFalse(ended[0]);
        assertEquals(AntiEntropy.RECORDS_IN_FLIGHT, sequences.size(), "records sent unacknowledged");
        // once acknowledgements arrive again, the rest follows and the session completes with every record
        cluster.sim.network().dropWhen(null);
        assertTrue(cluster.sim.runUntil(() -> ended[0], 120_000 * MS));
        assertEquals(3000, cluster.contents(peer).size());
    }

    @Test
    void aResponderKeepsASessionThatOnlyReceivesRecordsLongerThanTheSessionTimeout() {
        // 20,000 keys only the initiator holds, a peer whose forces take 200 ms, sessions that time out after 2 s:
        // for seconds at a time the initiator only sends records (no leaf starts while 4,096 keys wait), and the
        // peer, which took no message but records as progress, forgot the session and failed it
        RepairConfig config = new RepairConfig(16, 500 * MS, 2_000 * MS, 4, 8);
        Cluster cluster = new Cluster(31, 2, config, 10_000, LatencyModel.uniform(200 * MS, 200 * MS));
        for (int i = 0; i < 20_000; i++) {
            put(cluster.engines.get(cluster.ids.get(0)), "key" + i, 1, "v" + i);
        }
        RepairResult result = cluster.repair(cluster.ids.get(0), cluster.ids.get(1));
        assertTrue(result.completed(), String.valueOf(result.failure()));
        assertEquals(20_000, cluster.contents(cluster.ids.get(1)).size());
    }

    private static RepairMessage decode(RepairCodec codec, byte[] message) {
        try {
            return codec.decode(new org.agrona.concurrent.UnsafeBuffer(message), 0, message.length);
        } catch (RuntimeException e) {
            return null;
        }
    }

    @Test
    void aResponderForgetsEndedSessionsOnALossyNetworkLongBeforeTheirTimeout() {
        // a lost end, or a late copy of a request after it, used to keep a session served until its 30 s timeout,
        // and a lost acknowledgement of a record the responder sent kept an ended one in its slot until a resend:
        // a few of them and sessions are refused as busy
        SimulationSeeds.run(getClass(), "aResponderForgetsEndedSessionsOnALossyNetworkLongBeforeTheirTimeout",
            "kv-antientropy", 5, seed -> {
                Cluster cluster = new Cluster(seed, 2);
                for (int i = 0; i < 50; i++) {
                    put(cluster.engines.get(cluster.ids.get(0)), "key" + i, 1, "v" + i);
                }
                cluster.sim.network().dropRate(0.15).duplicateRate(0.15)
                    .latency(LatencyModel.exponential(100_000, 5 * MS));
                AntiEntropy responder = cluster.repairs.get(cluster.ids.get(1));
                for (int i = 0; i < 30; i++) {
                    // each session brings the initiator records only the responder holds
                    for (int k = 0; k < 20; k++) {
                        put(cluster.engines.get(cluster.ids.get(1)), "new" + i + "-" + k, 1, "v");
                    }
                    RepairResult result = cluster.repair(cluster.ids.get(0), cluster.ids.get(1));
                    assertTrue(result.completed(), "session " + i + ": " + result.failure());
                }
                // six retries: the end is lost every time in about one seed in four million
                cluster.sim.runFor(3_000 * MS);
                assertEquals(0, responder.sessions(), "sessions still served 3 s after the last ended");
                assertEquals(0, responder.counter(RepairCounter.SESSIONS_REFUSED_BUSY));
            });
    }

    @Test
    void anEndLostForManyRetriesStillReachesTheResponderOnceTheLinkIsBack() {
        // the end used to be told four times in its first second only: a link down for longer kept the session
        // served until its 30 s timeout
        Cluster cluster = new Cluster(19, 2);
        NodeId initiator = cluster.ids.get(0);
        NodeId peer = cluster.ids.get(1);
        AntiEntropy responder = cluster.repairs.get(peer);
        put(cluster.engines.get(initiator), "k", 1, "v");
        RepairResult[] result = new RepairResult[1];
        long session = cluster.repairs.get(initiator).repair(TokenRange.wholeRing(), peer, done -> result[0] = done);
        cluster.sim.runUntil(() -> responder.sessions() == 1, 10_000 * MS);
        assertEquals(1, responder.sessions(), "the responder never started serving the session");
        cluster.sim.network().block(initiator, peer);
        assertTrue(cluster.repairs.get(initiator).cancel(session, "no longer needed"));
        assertFalse(result[0].completed());
        cluster.sim.runFor(5_000 * MS);
        assertEquals(1, responder.sessions(), "an end reached the responder over the blocked link");
        cluster.sim.network().heal();
        cluster.sim.runFor(1_100 * MS);
        assertEquals(0, responder.sessions(), "the responder still serves the session a second after the link is back");
        cluster.sim.runFor(2_000 * MS);
        long sent = cluster.sim.stats().sent();
        cluster.sim.runFor(5_000 * MS);
        assertEquals(sent, cluster.sim.stats().sent(), "the end is told again after the responder acknowledged it");
    }

    @Test
    void aSessionAnsweredBusyAsksAgainAndCompletesOnceASlotFrees() {
        // a peer serving one session at a time: the third node's session ends at once (nothing differs), and its
        // end, lost while the link is down, leaves the session in the peer's one slot
        Cluster cluster = new Cluster(29, 3, ONE_SLOT);
        NodeId first = cluster.ids.get(0);
        NodeId peer = cluster.ids.get(1);
        NodeId third = cluster.ids.get(2);
        AntiEntropy responder = cluster.repairs.get(peer);
        put(cluster.engines.get(first), "k", 1, "v");
        holdTheOnlySlot(cluster, third, peer);
        RepairResult[] result = new RepairResult[1];
        cluster.repairs.get(first).repair(TokenRange.wholeRing(), peer, done -> result[0] = done);
        cluster.sim.runFor(3_000 * MS);
        assertNull(result[0], "the session ended while the peer was busy");
        long refused = responder.counter(RepairCounter.SESSIONS_REFUSED_BUSY);
        assertTrue(refused >= 2, "refused " + refused + " times: the session did not ask again");
        cluster.sim.network().heal();
        cluster.sim.runUntil(() -> result[0] != null, 5_000 * MS);
        assertNotNull(result[0], "the session never ended after the slot freed");
        assertTrue(result[0].completed(), result[0].failure());
        assertEquals(cluster.contents(first), cluster.contents(peer));
    }

    @Test
    void aPeerBusyForTheSessionTimeoutFailsTheSessionAndSaysForHowLong() {
        // the first node's storage stage refuses every task: it answers every tree request BUSY
        RepairConfig config = new RepairConfig(1024, 500 * MS, 5_000 * MS, 4, 8);
        Cluster cluster = new Cluster(31, 2, config, 0);
        NodeId peer = cluster.ids.get(0);
        RepairResult result = cluster.repair(cluster.ids.get(1), peer);
        assertFalse(result.completed());
        Matcher busy = Pattern.compile("peer n1 answered BUSY for (\\d+) ms and made no progress for (\\d+) ms")
            .matcher(result.failure());
        assertTrue(busy.find(), result.failure());
        // busy from the first answer (one round trip after the session's last progress, its tree built) until the
        // retry tick that found the timeout passed
        long busyMillis = Long.parseLong(busy.group(1));
        long silentMillis = Long.parseLong(busy.group(2));
        assertTrue(silentMillis > 5_000 && busyMillis > silentMillis - 100 && busyMillis <= silentMillis,
            result.failure());
        assertTrue(cluster.repairs.get(cluster.ids.get(1)).counter(RepairCounter.RETRANSMITS) >= 9,
            "the tree was not asked for again at every retry");
    }

    @Test
    void aLeafThePeerCannotListYetIsAskedForAgainInsteadOfFailingTheSession() {
        // two tasks fit on the first node's stage: it builds the tree, then answers BUSY to most of the eight
        // leaves asked for at once (a full stage used to fail the session at the first leaf)
        Cluster cluster = new Cluster(43, 2, RepairConfig.DEFAULT, 2);
        NodeId peer = cluster.ids.get(0);
        NodeId initiator = cluster.ids.get(1);
        for (int i = 0; i < 40; i++) {
            put(cluster.engines.get(initiator), "key" + i, 1, "v" + i);
        }
        RepairResult result = cluster.repair(initiator, peer);
        assertTrue(result.completed(), result.failure());
        assertEquals(cluster.contents(initiator), cluster.contents(peer));
        assertTrue(result.differingLeaves() > 8, "leaves differing: " + result.differingLeaves());
        assertTrue(cluster.repairs.get(initiator).counter(RepairCounter.RETRANSMITS) > 0, "no leaf was asked again");
    }

    @Test
    void aFreedSlotGoesToTheSessionThatWaitedLongestNotToTheNextRequest() {
        // a peer serving one session at a time; the first node opens its next session as soon as one ends, and used
        // to take back the slot its end freed within milliseconds, while the third node, asking every half second,
        // waited for it
        Cluster cluster = new Cluster(37, 3, ONE_SLOT);
        NodeId first = cluster.ids.get(0);
        NodeId peer = cluster.ids.get(1);
        NodeId third = cluster.ids.get(2);
        AntiEntropy responder = cluster.repairs.get(peer);
        put(cluster.engines.get(first), "k", 1, "v");
        put(cluster.engines.get(third), "t", 1, "v");
        List<String> completed = new ArrayList<>();
        cluster.repairs.get(first).repair(TokenRange.wholeRing(), peer, done -> {
            completed.add("first's first: " + done.failure());
            cluster.repairs.get(first).repair(TokenRange.wholeRing(), peer,
                again -> completed.add("first's second: " + again.failure()));
        });
        // the first session is served, and stalls while the peer's answers to it are lost
        cluster.sim.runUntil(() -> responder.sessions() == 1, 10_000 * MS);
        cluster.sim.network().block(peer, first);
        cluster.repairs.get(third).repair(TokenRange.wholeRing(), peer,
            done -> completed.add("third's: " + done.failure()));
        cluster.sim.runFor(2_000 * MS);
        assertEquals(List.of(), completed);
        assertTrue(responder.counter(RepairCounter.SESSIONS_REFUSED_BUSY) >= 2, "the third node did not wait");
        assertEquals(1, responder.counter(RepairCounter.SESSIONS_SERVING));
        assertEquals(1, responder.counter(RepairCounter.SESSIONS_WAITING), "the third node's session is not in line");
        cluster.sim.network().heal();
        cluster.sim.runUntil(() -> completed.size() == 3, 20_000 * MS);
        assertEquals(List.of("first's first: null", "third's: null", "first's second: null"), completed);
        cluster.sim.runFor(100 * MS);
        assertEquals(0, responder.counter(RepairCounter.SESSIONS_SERVING));
        assertEquals(0, responder.counter(RepairCounter.SESSIONS_WAITING));
    }

    @Test
    void aSessionThatStoppedAskingIsNotServedWhenASlotFrees() {
        // the third node's end is lost, so its session keeps the peer's one slot until it times out (5 s); the
        // first node's session waits, then is cancelled while its link is down (its end lost too): serving it when
        // the slot frees would hold the slot for nobody for another 5 s
        RepairConfig oneSlot = new RepairConfig(1024, 500 * MS, 5_000 * MS, 1, 8);
        Cluster cluster = new Cluster(41, 3, oneSlot);
        NodeId first = cluster.ids.get(0);
        NodeId peer = cluster.ids.get(1);
        AntiEntropy responder = cluster.repairs.get(peer);
        holdTheOnlySlot(cluster, cluster.ids.get(2), peer);
        long session = cluster.repairs.get(first).repair(TokenRange.wholeRing(), peer, done -> { });
        cluster.sim.runFor(1_000 * MS);
        assertTrue(responder.counter(RepairCounter.SESSIONS_REFUSED_BUSY) >= 1, "the session did not wait");
        cluster.sim.network().block(first, peer);
        assertTrue(cluster.repairs.get(first).cancel(session, "no longer needed"));
        cluster.sim.runFor(6_000 * MS);
        assertEquals(0, responder.sessions(), "the peer served a session whose initiator stopped asking");
    }

    @Test
    void sessionsWaitingWhileThePeersStorageStageIsFullKeepTheirTurn() {
        // the slot frees while the peer's stage refuses every task: the first in line cannot be served then, and
        // used to be dropped from the line with every request that came meanwhile, so that when the stage had room
        // again the slot went to whichever session asked first. The fourth node asks a quarter second after each
        // of the first node's asks; the stage has room again just after one of the first node's asks, then just
        // after one of the fourth node's
        for (long lastAsker : new long[] {2_010, 2_260}) {
            Cluster cluster = new Cluster(47, 4, ONE_SLOT);
            NodeId first = cluster.ids.get(0);
            NodeId peer = cluster.ids.get(1);
            NodeId fourth = cluster.ids.get(3);
            AntiEntropy responder = cluster.repairs.get(peer);
            holdTheOnlySlot(cluster, cluster.ids.get(2), peer);
            List<String> completed = new ArrayList<>();
            cluster.repairs.get(first).repair(TokenRange.wholeRing(), peer,
                done -> completed.add("first: " + done.failure()));
            cluster.sim.runFor(1_250 * MS);
            cluster.repairs.get(fourth).repair(TokenRange.wholeRing(), peer,
                done -> completed.add("fourth: " + done.failure()));
            cluster.sim.runFor(750 * MS);
            cluster.stages.get(peer).full = true;
            cluster.sim.network().heal(); // the holder's end gets through at its next retry, and frees the slot
            cluster.sim.runFor(lastAsker * MS);
            assertEquals(0, responder.sessions(), "the peer served a session with its stage full");
            assertEquals(0, responder.counter(RepairCounter.SESSIONS_SERVING));
            assertEquals(2, responder.counter(RepairCounter.SESSIONS_WAITING), "a session lost its place");
            cluster.stages.get(peer).full = false;
            cluster.sim.runUntil(() -> completed.size() == 2, 10_000 * MS);
            assertEquals(List.of("first: null", "fourth: null"), completed, "room again after " + lastAsker + " ms");
        }
    }

    @Test
    void onePeersManySessionsDoNotFillTheLine() {
        // the fourth node opens six sessions with a peer serving one at a time, then the first node opens one: it
        // waits behind one of the fourth node's (a peer waits in as many places as the peer has slots), not six
        Cluster cluster = new Cluster(53, 4, ONE_SLOT);
        NodeId first = cluster.ids.get(0);
        NodeId peer = cluster.ids.get(1);
        NodeId fourth = cluster.ids.get(3);
        holdTheOnlySlot(cluster, cluster.ids.get(2), peer);
        List<String> completed = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            cluster.repairs.get(fourth).repair(TokenRange.wholeRing(), peer, done -> completed.add("fourth"));
        }
        cluster.sim.runFor(1_000 * MS);
        cluster.repairs.get(first).repair(TokenRange.wholeRing(), peer, done -> completed.add("first"));
        cluster.sim.runFor(1_000 * MS);
        cluster.sim.network().heal();
        cluster.sim.runUntil(() -> completed.size() == 7, 30_000 * MS);
        assertEquals(7, completed.size());
        assertEquals("first", completed.get(1), "the first node's session waited behind " + completed);
    }

    /**
     * Starts a session of {@code holder} with {@code peer} and, once {@code peer} serves it, blocks the link from
     * {@code holder}: the session ends at once (nothing differs) and its end is lost, so it stays in {@code peer}'s
     * slot.
     */
    private static void holdTheOnlySlot(Cluster cluster, NodeId holder, NodeId peer) {
        cluster.repairs.get(holder).repair(TokenRange.wholeRing(), peer, done -> { });
        cluster.sim.runUntil(() -> cluster.repairs.get(peer).sessions() == 1, 10_000 * MS);
        cluster.sim.network().block(holder, peer);
    }

    @Test
    void anEndFromAnotherNodeDoesNotDisplaceTheInitiatorsOwnEnd() {
        // the responder remembered one sender per ended session: a third node's end of the same session id replaced
        // the initiator's, and a late copy of the initiator's request was then served for nobody until the timeout
        Cluster cluster = new Cluster(59, 3);
        NodeId initiator = cluster.ids.get(0);
        NodeId peer = cluster.ids.get(1);
        NodeId third = cluster.ids.get(2);
        put(cluster.engines.get(initiator), "k", 1, "v");
        RepairResult[] result = new RepairResult[1];
        long session = cluster.repairs.get(initiator).repair(TokenRange.wholeRing(), peer, done -> result[0] = done);
        cluster.sim.runUntil(() -> result[0] != null, 10_000 * MS);
        assertTrue(result[0].completed(), String.valueOf(result[0].failure()));
        cluster.sim.runFor(50 * MS);
        AntiEntropy responder = cluster.repairs.get(peer);
        assertEquals(0, responder.sessions());

        RepairCodec codec = new RepairCodec(256, 64 * 1024);
        cluster.sim.node(third).transport().send(peer, codec.sendBuffer(), 0, codec.encodeSessionEnd(session));
        cluster.sim.runFor(50 * MS);
        TokenRange ring = TokenRange.wholeRing();
        int request = codec.encodeTreeRequest(session, ring.start(), ring.end(), RepairConfig.DEFAULT.leafCount());
        cluster.sim.node(initiator).transport().send(peer, codec.sendBuffer(), 0, request);
        cluster.sim.runFor(50 * MS);
        assertEquals(0, responder.sessions(), "a late copy of an ended session's request was served");
    }

    @Test
    void anAcknowledgedEndIsNotToldAgain() {
        Cluster cluster = new Cluster(23, 2);
        put(cluster.engines.get(cluster.ids.get(0)), "k", 1, "v");
        assertTrue(cluster.repair(cluster.ids.get(0), cluster.ids.get(1)).completed());
        // the two copies sent at the end, and their acknowledgements, arrive within the network's 1 ms
        cluster.sim.runFor(50 * MS);
        long sent = cluster.sim.stats().sent();
        assertEquals(0, cluster.repairs.get(cluster.ids.get(1)).sessions());
        cluster.sim.runFor(5_000 * MS);
        assertEquals(sent, cluster.sim.stats().sent(), "messages sent after the end was acknowledged");
        assertEquals(0, cluster.repairs.get(cluster.ids.get(0)).sessions());
    }

    @Test
    void sessionsEndedWithUnacknowledgedRecordsLeaveTheirSlotsToNewOnes() {
        // three nodes repair with a fourth, each starting its next session as the last ends; the fourth sends each
        // new records, and an acknowledgement lost on the way keeps an ended session until its records are resent.
        // A new session's request can overtake the end of the one before it (the network reorders): the fourth may
        // then answer busy, and the initiator asks again instead of failing
        SimulationSeeds.run(getClass(), "sessionsEndedWithUnacknowledgedRecordsLeaveTheirSlotsToNewOnes",
            "kv-antientropy", 5, seed -> {
                Cluster cluster = new Cluster(seed, 4);
                NodeId responder = cluster.ids.get(3);
                cluster.sim.network().dropRate(0.1).latency(LatencyModel.exponential(100_000, 2 * MS));
                int[] completed = new int[3];
                List<String> failures = new ArrayList<>();
                for (int n = 0; n < 3; n++) {
                    chain(cluster, n, responder, 12, completed, failures);
                }
                cluster.sim.runUntil(() -> completed[0] + completed[1] + completed[2] == 36, 600_000 * MS);
                assertEquals(List.of(), failures);
                assertEquals(36, completed[0] + completed[1] + completed[2]);
                cluster.sim.runFor(3_000 * MS);
                assertEquals(0, cluster.repairs.get(responder).sessions(), "sessions served 3 s after the last ended");
            });
    }

    /** Runs {@code left} sessions of node {@code n} with {@code responder}, one after another. */
    private static void chain(Cluster cluster, int n, NodeId responder, int left, int[] completed,
                              List<String> failures) {
        if (left == 0) {
            return;
        }
        for (int k = 0; k < 10; k++) {
            put(cluster.engines.get(responder), "from-" + n + "-" + left + "-" + k, 1, "v");
        }
        // each node repairs its own slice of the ring, so that the records are the ones only the responder holds
        long width = Long.MAX_VALUE / 3;
        long start = Long.MIN_VALUE + n * width;
        cluster.repairs.get(cluster.ids.get(n)).repair(new TokenRange(start, start + width), responder, result -> {
            if (result.completed()) {
                completed[n]++;
            } else {
                failures.add(cluster.ids.get(n) + ": " + result.failure());
            }
            chain(cluster, n, responder, left - 1, completed, failures);
        });
    }

    @Test
    void sessionsCancelledWhileAnotherOneTimesOutAreNotRetried() {
        Cluster cluster = new Cluster(13, 3);
        NodeId self = cluster.ids.get(0);
        put(cluster.engines.get(self), "k", 1, "v");
        cluster.sim.crash(cluster.ids.get(1));
        cluster.sim.crash(cluster.ids.get(2));
        AntiEntropy initiator = cluster.repairs.get(self);
        List<Long> others = new ArrayList<>();
        long[] retransmitsAtCancel = {-1};
        RepairResult[] first = new RepairResult[1];
        // the first session's end (its peer never answers) cancels the others, in the retry tick that goes through
        // all sessions (in whatever order their map keeps them, some of the others come after the first)
        initiator.repair(TokenRange.wholeRing(), cluster.ids.get(1), result -> {
            first[0] = result;
            others.forEach(id -> assertTrue(initiator.cancel(id, "its owner no longer needs it")));
            retransmitsAtCancel[0] = initiator.counter(RepairCounter.RETRANSMITS);
        });
        cluster.sim.schedule(5_000 * MS, () -> {
            for (int i = 0; i < 6; i++) {
                others.add(initiator.repair(TokenRange.wholeRing(), cluster.ids.get(2), result -> { }));
            }
        });
        cluster.sim.runUntil(() -> first[0] != null, 120_000 * MS);
        assertTrue(first[0] != null && first[0].failure().contains("no progress"), String.valueOf(first[0]));
        cluster.sim.runFor(2_000 * MS);
        assertEquals(retransmitsAtCancel[0], initiator.counter(RepairCounter.RETRANSMITS),
            "a cancelled session was sent again");
        assertEquals(0, initiator.sessions());
    }

    @Test
    void aRecordThatCannotBeReadForThePeerFailsTheSessionInsteadOfCompletingWithoutIt() {
        // one of the keys only the initiator has cannot be read when it is to be sent (the engine fails)
        Cluster cluster = new Cluster(17, 2);
        for (int i = 0; i < 100; i++) {
            put(cluster.engines.get(cluster.ids.get(0)), "key" + i, 1, "v" + i);
        }
        cluster.unreadable.add(Key.utf8("key42"));
        RepairResult result = cluster.repair(cluster.ids.get(0), cluster.ids.get(1));
        assertTrue(!result.completed() && result.failure().contains("could not read a record to send"),
            String.valueOf(result.failure()));
        assertEquals(1, cluster.repairs.get(cluster.ids.get(0)).counter(RepairCounter.SESSIONS_FAILED));
    }

    /**
     * A record the initiator asked for that vanished on the responder since the responder listed it: the responder
     * says so, and the session completes with every other record instead of waiting out its timeout.
     */
    @Test
    void aRecordGoneSinceItWasListedIsReportedAndTheSessionCompletesWithoutWaiting() {
        Cluster cluster = new Cluster(19, 2);
        NodeId initiator = cluster.ids.get(0);
        NodeId responder = cluster.ids.get(1);
        for (int i = 0; i < 50; i++) {
            put(cluster.engines.get(responder), "key" + i, 1, "v" + i);
        }
        for (int i = 0; i < 5; i++) {
            cluster.vanished.add(Key.utf8("key" + i * 10));
        }
        long started = cluster.sim.now();
        RepairResult result = cluster.repair(initiator, responder);
        assertTrue(result.completed(), String.valueOf(result.failure()));
        assertTrue(cluster.sim.now() - started < RepairConfig.DEFAULT.sessionTimeoutNanos(),
            "the session waited " + (cluster.sim.now() - started) / MS + " ms for records that are gone");
        assertEquals(5, cluster.repairs.get(responder).counter(RepairCounter.KEYS_GONE));
        Map<String, String> held = cluster.contents(initiator);
        assertEquals(45, held.size(), held.toString());
        assertTrue(!held.containsKey("key0") && held.containsKey("key1"), held.toString());
    }
}
