package io.ringkv.antientropy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.Key;
import io.ringkv.api.Limits;
import io.ringkv.api.Node;
import io.ringkv.api.NodeId;
import io.ringkv.ring.Partitioner;
import io.ringkv.ring.Ring;
import io.ringkv.sim.SimStorageStage;
import io.ringkv.sim.Simulation;
import io.ringkv.sim.SimulationSeeds;
import io.ringkv.storage.EngineConfig;
import io.ringkv.storage.PurgeGate;
import io.ringkv.storage.StorageEngine;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Tombstone purge gated on repair, in the simulator. Three replicas of every key hold a value; two of them take its
 * delete while the third is cut off. Long past the tombstones' grace, compaction runs. Then the third comes back and
 * every node repairs. With the node's rule (a tombstone goes only after a pass that began after it covered every
 * replica of its range) no deleted key comes back, and once full passes ran every tombstone is purged everywhere.
 * With the grace alone, the same history brings the deleted keys back: that is the hazard the rule exists for.
 */
class TombstonePurgeSimulationTest {
    private static final long MS = 1_000_000;
    private static final long HOUR_MS = 3_600_000;
    private static final long GRACE_MS = HOUR_MS;
    private static final int KEYS = 200;
    private static final Limits LIMITS = new Limits(256, 64 * 1024);

    /** Three nodes, each replicating every key (N=3), with a repair scheduler and its history per node. */
    private static final class Cluster {
        final Simulation sim;
        final List<NodeId> ids = List.of(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3"));
        final Map<NodeId, StorageEngine> engines = new HashMap<>();
        final Map<NodeId, RepairScheduler> schedulers = new HashMap<>();
        private Ring ring;
        /** The ring the current joins lead to (the current one when none runs). */
        private Ring future;

        Ring ring() {
            return ring;
        }

        Ring future() {
            return future == null ? ring : future;
        }

        Cluster(long seed, boolean gated) {
            this(seed, gated, List.of());
        }

        /** @param outside nodes of the simulation that hold a data store but are not on the ring */
        Cluster(long seed, boolean gated, List<NodeId> outside) {
            sim = new Simulation(seed);
            SplittableRandom random = new SplittableRandom(seed);
            Ring.Builder builder = Ring.builder().replicationFactor(3);
            for (int i = 0; i < ids.size(); i++) {
                long[] tokens = random.longs(8).toArray();
                builder.add(Node.of(ids.get(i).value(), "127.0.0.1", 7001 + i, 8001 + i), tokens);
            }
            Ring built = builder.build();
            this.ring = built;
            List<NodeId> every = new ArrayList<>(ids);
            every.addAll(outside);
            for (NodeId id : every) {
                sim.addNode(id, (context, disk) -> {
                    RepairHistory history = new RepairHistory(false);
                    PurgeGate gate = gated ? history : PurgeGate.GRACE_ONLY;
                    StorageEngine engine = disk.open(new EngineConfig(Path.of("sim"), "data", LIMITS,
                        EngineConfig.DEFAULT_MAX_VERSION_BYTES, Map.of(), gate));
                    engines.put(id, engine);
                    SimStorageStage stage = new SimStorageStage(context, engine);
                    AntiEntropy repair = new AntiEntropy(context, stage, RepairConfig.DEFAULT,
                        LargerVersionWins.through(stage), 256, 64 * 1024);
                    schedulers.put(id, new RepairScheduler(context, repair, this::ring, this::future, peer -> true, 0,
                        history));
                    return repair;
                });
            }
        }

        void pass(NodeId id) {
            RepairScheduler scheduler = schedulers.get(id);
            scheduler.start();
            assertTrue(sim.runUntil(() -> !scheduler.running(), 4 * HOUR_MS * MS), "the pass never ended");
        }

        int compact(NodeId id) {
            return sim.node(id).disk().compact("data", GRACE_MS);
        }

        List<String> liveDeletedKeys(NodeId id) {
            List<String> live = new ArrayList<>();
            engines.get(id).scan(0, 0, record -> {
                if (!record.isTombstone()) {
                    live.add(new String(record.key().toByteArray()));
                }
                return true;
            });
            return live;
        }

        /** @return records held, tombstones included */
        int records(NodeId id) {
            int[] count = {0};
            engines.get(id).scan(0, 0, record -> {
                count[0]++;
                return true;
            });
            return count[0];
        }
    }


    /** Every node holds every key at version 1; n1 and n2 delete them at version 2 while n3 is cut off. */
    private static Cluster divergedByAMissedDelete(long seed, boolean gated) {
        Cluster cluster = new Cluster(seed, gated);
        for (int i = 0; i < KEYS; i++) {
            Key key = Key.utf8("key" + i);
            for (NodeId id : cluster.ids) {
                cluster.engines.get(id).put(Partitioner.token(key), key, new byte[] {1}, ("v" + i).getBytes());
            }
        }
        NodeId cutOff = cluster.ids.get(2);
        cluster.sim.network().partition(List.of(cutOff), cluster.ids.subList(0, 2));
        for (int i = 0; i < KEYS; i++) {
            Key key = Key.utf8("key" + i);
            for (NodeId id : cluster.ids.subList(0, 2)) {
                cluster.engines.get(id).delete(Partitioner.token(key), key, new byte[] {2});
            }
        }
        // long past the grace, n1 and n2 repair (each other only: n3 does not answer) and compact
        cluster.sim.runFor(2 * HOUR_MS * MS);
        for (NodeId id : cluster.ids.subList(0, 2)) {
            cluster.pass(id);
        }
        for (NodeId id : cluster.ids.subList(0, 2)) {
            cluster.compact(id);
        }
        cluster.sim.network().heal();
        return cluster;
    }

    @Test
    void aReplicaThatMissedADeleteDoesNotBringTheKeyBackAndTombstonesGoOnceEveryReplicaWasRepaired() {
        SimulationSeeds.run(getClass(), "aReplicaThatMissedADeleteDoesNotBringTheKeyBack", "kv-antientropy", 3,
            seed -> {
                Cluster cluster = divergedByAMissedDelete(seed, true);
                NodeId n1 = cluster.ids.get(0);
                assertEquals(KEYS, cluster.records(n1), "a pass that missed n3 covered nothing: no tombstone went");
                for (NodeId id : cluster.ids) {
                    cluster.pass(id);
                }
                for (NodeId id : cluster.ids) {
                    assertEquals(List.of(), cluster.liveDeletedKeys(id), "a deleted key came back on " + id);
                }
                // the tombstones reached n3 during its pass; once past their grace, full passes let every node purge
                cluster.sim.runFor(2 * HOUR_MS * MS);
                for (NodeId id : cluster.ids) {
                    cluster.pass(id);
                }
                for (NodeId id : cluster.ids) {
                    assertEquals(KEYS, cluster.compact(id), "tombstones purged on " + id);
                }
                for (NodeId id : cluster.ids) {
                    cluster.pass(id);
                    assertEquals(0, cluster.records(id), id + " holds records after every replica purged");
                }
            });
    }

    @Test
    void aPassLimitedToOneReplicaOrOneRangeRunsOnlyThoseSessionsAndLetsNoTombstoneGo() {
        Cluster cluster = divergedByAMissedDelete(13, true);
        NodeId n1 = cluster.ids.get(0);
        RepairScheduler scheduler = cluster.schedulers.get(n1);
        int ranges = cluster.ring().ranges().size();
        int sessions = scheduler.start(null, cluster.ids.get(2));
        assertEquals(ranges, sessions, "one session per range, with n3 only (every node replicates every range)");
        assertTrue(cluster.sim.runUntil(() -> !scheduler.running(), 4 * HOUR_MS * MS));
        cluster.sim.runFor(2 * HOUR_MS * MS);
        assertEquals(0, cluster.compact(n1), "a pass with one replica covers no range");
        io.ringkv.ring.TokenRange first = cluster.ring().ranges().get(0);
        assertEquals(2, scheduler.start(first, null), "the one range, with both other replicas");
        assertTrue(cluster.sim.runUntil(() -> !scheduler.running(), 4 * HOUR_MS * MS));
    }

    /**
     * A node that may not repair yet (it hides at its start, asking whether the cluster removed it while it was down)
     * runs no pass and sends none of its records, however asked; a pass asked for meanwhile runs once it may.
     */
    @Test
    void aNodeThatMayNotRepairYetSendsNothingAndRunsThePassAskedForOnceItMay() {
        Cluster cluster = new Cluster(23, true);
        NodeId n1 = cluster.ids.get(0);
        NodeId n3 = cluster.ids.get(2);
        for (int i = 0; i < KEYS; i++) {
            Key key = Key.utf8("key" + i);
            cluster.engines.get(n3).put(Partitioner.token(key), key, new byte[] {1}, ("v" + i).getBytes());
        }
        boolean[] may = {false};
        RepairScheduler scheduler = cluster.schedulers.get(n3);
        scheduler.runOnlyWhile(() -> may[0]);
        io.ringkv.api.KvException refused = org.junit.jupiter.api.Assertions.assertThrows(
            io.ringkv.api.KvException.class, scheduler::start);
        assertEquals(io.ringkv.api.ErrorCode.UNAVAILABLE, refused.code(), refused.getMessage());
        scheduler.requestPass();
        cluster.sim.runFor(60_000 * MS);
        assertFalse(scheduler.running());
        assertEquals(0, cluster.records(n1), "records sent by a node that may not repair");
        may[0] = true;
        assertTrue(cluster.sim.runUntil(scheduler::running, 10_000 * MS), "the pass asked for never started");
        assertTrue(cluster.sim.runUntil(() -> !scheduler.running(), 4 * HOUR_MS * MS), "the pass never ended");
        assertTrue(cluster.records(n1) > 0, "the deferred pass sent nothing");
    }

    /**
     * A replica leaves the ring (and its process ends) just after a pass began: the pass's sessions with it that had
     * not begun are skipped at once, not each run to its timeout against a node gone for good (its liveness can
     * still read ALIVE: the failure detector stops watching a node that left).
     */
    @Test
    void sessionsWithAReplicaThatLeftTheRingAreSkippedNotRunToTheirTimeout() {
        Cluster cluster = new Cluster(17, true);
        NodeId n1 = cluster.ids.get(0);
        NodeId n3 = cluster.ids.get(2);
        RepairScheduler scheduler = cluster.schedulers.get(n1);
        int ranges = cluster.ring().ranges().size();
        assertEquals(2 * ranges, scheduler.start(null, null), "a session per range with each other replica");
        cluster.ring = cluster.ring.withoutNode(n3);
        cluster.sim.crash(n3);
        assertTrue(cluster.sim.runUntil(() -> !scheduler.running(), 4 * HOUR_MS * MS), "the pass never ended");
        io.ringkv.api.CounterRegistry counters = cluster.sim.node(n1).counters();
        assertEquals(0, counters.value("repair_pass_sessions_failed"), "no session ran against the node that left");
        assertEquals(ranges, counters.value("repair_pass_sessions_skipped"), "every session with n3 was skipped");
        assertEquals(2 * ranges, counters.value("repair_pass_sessions_done"));
    }

    /**
     * A replica leaves the ring (and its process ends) while a session with it runs: the session is cancelled when
     * the ring changes and counts as skipped, instead of running to its timeout, and the pass goes on at once.
     */
    @Test
    void aSessionRunningWithAReplicaThatLeavesTheRingIsCancelled() {
        Cluster cluster = new Cluster(19, true);
        NodeId n1 = cluster.ids.get(0);
        NodeId n3 = cluster.ids.get(2);
        RepairScheduler scheduler = cluster.schedulers.get(n1);
        int ranges = cluster.ring().ranges().size();
        io.ringkv.api.CounterRegistry counters = cluster.sim.node(n1).counters();
        scheduler.start(null, null);
        // each range's sessions run with n2, then n3: the second session started is the first with n3
        assertTrue(cluster.sim.runUntil(() -> counters.value("repair_sessions_started") == 2, HOUR_MS * MS));
        long left = cluster.sim.now();
        cluster.ring = cluster.ring.withoutNode(n3);
        cluster.sim.crash(n3);
        scheduler.ringChanged();
        assertTrue(cluster.sim.runUntil(() -> !scheduler.running(), 4 * HOUR_MS * MS), "the pass never ended");
        assertEquals(1, counters.value("repair_sessions_cancelled"), "the session with n3 was not cancelled");
        assertEquals(0, counters.value("repair_pass_sessions_failed"), "a session ran to its end against n3");
        assertEquals(ranges, counters.value("repair_pass_sessions_skipped"), "every session with n3 was skipped");
        assertTrue(cluster.sim.now() - left < RepairConfig.DEFAULT.sessionTimeoutNanos(), "the pass waited out a"
            + " session timeout: " + (cluster.sim.now() - left) / MS + " ms");
    }

    @Test
    void noTombstoneGoesWhileANodeJoinsAndTheyGoOnceItHasJoinedAndBeenRepaired() {
        // every replica holds every key deleted long ago and every pass completes, but a fourth node is joining: it
        // takes writes only while it is alive, with no hint, and the passes do not include it, so it may hold a
        // deleted value; while it joins no tombstone may go
        Cluster cluster = new Cluster(29, true);
        for (int i = 0; i < KEYS; i++) {
            Key key = Key.utf8("key" + i);
            for (NodeId id : cluster.ids) {
                cluster.engines.get(id).put(Partitioner.token(key), key, new byte[] {1}, ("v" + i).getBytes());
                cluster.engines.get(id).delete(Partitioner.token(key), key, new byte[] {2});
            }
        }
        cluster.future = cluster.ring.withNode(Node.of("n4", "127.0.0.1", 7004, 8004),
            new SplittableRandom(1029).longs(8).toArray());
        for (NodeId id : cluster.ids) {
            cluster.schedulers.get(id).ringChanged();
        }
        cluster.sim.runFor(2 * HOUR_MS * MS);
        for (NodeId id : cluster.ids) {
            cluster.pass(id);
            cluster.compact(id);
            assertEquals(KEYS, cluster.records(id), id + " purged tombstones while a node joined");
            assertEquals(1, purgesHeld(cluster, id));
        }
        // it joined (in this test it holds nothing: the ring without it keeps the same ranges); the next passes
        // cover the ranges again, and the tombstones go
        cluster.future = null;
        for (NodeId id : cluster.ids) {
            cluster.schedulers.get(id).ringChanged();
            cluster.pass(id);
            cluster.compact(id);
            assertEquals(0, cluster.records(id), id + " kept tombstones after the join ended");
            assertEquals(0, purgesHeld(cluster, id));
        }
    }

    /**
     * A node that a join took ranges from keeps their records (leftovers) until a cleanup. While it is off the ring
     * here, the three replicas delete every key and, long past the grace, repair and compact. The node then gets
     * ranges back (the joiner left, or it joins again) and repairs with the others. Without a hold, the tombstones
     * were purged and its stale values come back on every replica; with purges held while it announces leftovers,
     * the tombstones were kept and delete its copies instead.
     */
    @Test
    void aNodeHoldingLeftoversOfRangesItLostBringsDeletedKeysBackUnlessPurgesWaitForItsCleanup() {
        SimulationSeeds.run(getClass(), "aNodeHoldingLeftoversOfRangesItLost", "kv-antientropy", 2, seed -> {
            assertFalse(deletedKeysBackAfterARangeReturns(seed, false).isEmpty(),
                "without a hold the history must bring deleted keys back, or the test shows nothing");
            assertEquals(List.of(), deletedKeysBackAfterARangeReturns(seed, true));
        });
    }

    /** @return the deleted keys live again on n1 to n3 once n4, holding leftovers, got ranges back and repaired */
    private static List<String> deletedKeysBackAfterARangeReturns(long seed, boolean holdForLeftovers) {
        NodeId n4 = NodeId.of("n4");
        Cluster cluster = new Cluster(seed, true, List.of(n4));
        boolean[] leftovers = {true};
        if (holdForLeftovers) {
            for (NodeId id : cluster.ids) {
                cluster.schedulers.get(id).holdPurgesWhile(() -> leftovers[0]);
                assertEquals(1, purgesHeld(cluster, id));
            }
        }
        for (int i = 0; i < KEYS; i++) {
            Key key = Key.utf8("key" + i);
            // n4's copies date from before it lost its ranges; the replicas then delete every key
            cluster.engines.get(n4).put(Partitioner.token(key), key, new byte[] {1}, ("v" + i).getBytes());
            for (NodeId id : cluster.ids) {
                cluster.engines.get(id).put(Partitioner.token(key), key, new byte[] {1}, ("v" + i).getBytes());
                cluster.engines.get(id).delete(Partitioner.token(key), key, new byte[] {2});
            }
        }
        cluster.sim.runFor(2 * HOUR_MS * MS);
        for (NodeId id : cluster.ids) {
            cluster.pass(id);
        }
        for (NodeId id : cluster.ids) {
            cluster.compact(id);
        }
        assertEquals(holdForLeftovers ? KEYS : 0, cluster.records(cluster.ids.get(0)),
            holdForLeftovers ? "a tombstone went while n4 held leftovers" : "full passes purge without a hold");
        // ranges come back to n4: it is on the ring again, and every node repairs on the new ring
        cluster.ring = cluster.ring.withNode(Node.of("n4", "127.0.0.1", 7004, 8004),
            new SplittableRandom(seed + 4).longs(8).toArray());
        for (NodeId id : cluster.ids) {
            cluster.schedulers.get(id).ringChanged();
        }
        cluster.schedulers.get(n4).ringChanged();
        cluster.pass(n4);
        for (NodeId id : cluster.ids) {
            cluster.pass(id);
        }
        List<String> back = new ArrayList<>();
        for (NodeId id : cluster.ids) {
            back.addAll(cluster.liveDeletedKeys(id));
        }
        if (holdForLeftovers) {
            // once n4 cleaned up, the hold ends: passes on the settled ring let the tombstones go
            leftovers[0] = false;
            for (NodeId id : cluster.ids) {
                cluster.schedulers.get(id).purgeHoldChanged();
                assertEquals(0, purgesHeld(cluster, id));
            }
            cluster.sim.runFor(2 * HOUR_MS * MS);
            for (NodeId id : cluster.ids) {
                cluster.pass(id);
            }
            cluster.pass(n4);
            assertTrue(cluster.compact(cluster.ids.get(0)) > 0, "no tombstone went once the hold ended");
        }
        return back;
    }

    private static long purgesHeld(Cluster cluster, NodeId id) {
        return cluster.sim.node(id).counters().counters().stream()
            .filter(counter -> counter.name().equals("repair_purges_held")).findFirst().orElseThrow().get();
    }

    @Test
    void withTheGraceAloneTheSameHistoryBringsDeletedKeysBack() {
        Cluster cluster = divergedByAMissedDelete(11, false);
        NodeId n1 = cluster.ids.get(0);
        assertEquals(0, cluster.records(n1), "the grace alone purged n1's tombstones");
        cluster.pass(cluster.ids.get(2));
        assertFalse(cluster.liveDeletedKeys(n1).isEmpty(), "n3 handed the deleted values back to n1");
        assertEquals(KEYS, cluster.liveDeletedKeys(n1).size());
    }
}
