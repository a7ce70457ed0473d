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
import io.ringkv.sim.LatencyModel;
import io.ringkv.sim.SimStorageStage;
import io.ringkv.sim.Simulation;
import io.ringkv.sim.SimulationSeeds;
import io.ringkv.storage.EngineConfig;
import io.ringkv.storage.StorageEngine;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * A fourth node joins three by streaming (repair sessions with every current replica of each range it takes), in
 * the simulator with message loss: afterwards it holds every record of the ranges it replicates in the new ring, the
 * union of what the current replicas held (some writes reached only two of three), and nothing else; the bytes it
 * received stay within 10 % of that data. A source crashing in the middle, or the joiner itself, delays the join but
 * loses nothing: the streamer tries failed sessions again, and a restarted joiner runs the plan again, moving only
 * what is still missing.
 */
class StreamingSimulationTest {
    private static final long MS = 1_000_000;
    private static final int KEYS = 3_000;
    private static final Limits LIMITS = new Limits(256, 64 * 1024);
    private static final NodeId JOINER = NodeId.of("n4");

    private static final class Cluster {
        final Simulation sim;
        final List<NodeId> ids = List.of(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3"), JOINER);
        final Map<NodeId, StorageEngine> engines = new HashMap<>();
        final Map<NodeId, RangeStreamer> streamers = new HashMap<>();
        final Map<NodeId, AntiEntropy> repairs = new HashMap<>();
        final Ring future;
        final Ring current;

        Cluster(long seed) {
            this(seed, 10_000);
        }

        /** @param joinerStageCapacity tasks the joiner's storage stage holds before it refuses more */
        Cluster(long seed, int joinerStageCapacity) {
            sim = new Simulation(seed);
            SplittableRandom random = new SplittableRandom(seed);
            Ring.Builder builder = Ring.builder().replicationFactor(3);
            for (int i = 0; i < ids.size(); i++) {
                builder.add(Node.of(ids.get(i).value(), "127.0.0.1", 7001 + i, 8001 + i), random.longs(8).toArray());
            }
            future = builder.build();
            current = future.withoutNode(JOINER);
            EngineConfig store = new EngineConfig(Path.of("sim"), "data", LIMITS,
                EngineConfig.DEFAULT_MAX_VERSION_BYTES, Map.of());
            for (NodeId id : ids) {
                sim.addNode(id, (context, disk) -> {
                    StorageEngine engine = disk.open(store);
                    engines.put(id, engine);
                    SimStorageStage stage = new SimStorageStage(context, engine, SimStorageStage.DEFAULT_TASK_LATENCY,
                        SimStorageStage.DEFAULT_FORCE_LATENCY, id.equals(JOINER) ? joinerStageCapacity : 10_000);
                    AntiEntropy repair = new AntiEntropy(context, stage, RepairConfig.DEFAULT,
                        LargerVersionWins.through(stage), 256, 64 * 1024);
                    streamers.put(id, new RangeStreamer(context, repair, peer -> true, 2_000 * MS));
                    repairs.put(id, repair);
                    return repair;
                });
            }
        }

        /** @return what the node holds, key to value */
        Map<String, String> contents(NodeId id) {
            Map<String, String> all = new TreeMap<>();
            engines.get(id).scan(0, 0, record -> {
                all.put(new String(record.key().toByteArray()), new String(record.value()));
                return true;
            });
            return all;
        }

        /** The most sessions the joiner ran at once during {@link #stream}. */
        int mostSessions;

        boolean stream() {
            boolean[] finished = {false};
            streamers.get(JOINER).stream(StreamPlan.joining(current, future, JOINER), progress -> { },
                () -> finished[0] = true);
            boolean ok = sim.runUntil(() -> {
                mostSessions = Math.max(mostSessions, repairs.get(JOINER).sessions());
                return finished[0];
            }, 600_000 * MS);
            System.out.println("STREAM virtual ms " + sim.now() / MS + " " + streamers.get(JOINER).progress());
            return ok;
        }
    }

    /** Every current replica of each key holds it, except that one in ten misses it (W=2 of N=3). */
    private static Map<String, String> fill(Cluster cluster, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, String> expected = new TreeMap<>();
        for (int i = 0; i < KEYS; i++) {
            Key key = Key.utf8("key" + i);
            long token = Partitioner.token(key);
            String value = "value-" + i + "-" + "x".repeat(1000);
            var replicas = cluster.current.preferenceList(token).replicas();
            int missing = random.nextInt(10) == 0 ? random.nextInt(3) : -1;
            for (int r = 0; r < replicas.size(); r++) {
                if (r != missing) {
                    cluster.engines.get(replicas.get(r).id()).put(token, key, new byte[] {1}, value.getBytes());
                }
            }
            if (cluster.future.preferenceList(token).contains(JOINER)) {
                expected.put("key" + i, value);
            }
        }
        for (NodeId id : cluster.ids) {
            cluster.engines.get(id).flush();
        }
        return expected;
    }

    private static long bytesOf(Map<String, String> records) {
        long bytes = 0;
        for (Map.Entry<String, String> record : records.entrySet()) {
            bytes += record.getKey().length() + 1 + record.getValue().length();
        }
        return bytes;
    }

    @Test
    void theJoinerHoldsExactlyItsNewRangesAndMovesLittleMoreThanThem() {
        SimulationSeeds.run(getClass(), "theJoinerHoldsExactlyItsNewRangesAndMovesLittleMoreThanThem",
            "kv-antientropy", 5, seed -> {
                Cluster cluster = new Cluster(seed);
                Map<String, String> expected = fill(cluster, seed);
                cluster.sim.network().dropRate(0.02).latency(LatencyModel.exponential(100_000, MS));
                assertTrue(cluster.stream(), "the join never finished");
                assertEquals(expected, cluster.contents(JOINER));
                RangeStreamer.Progress progress = cluster.streamers.get(JOINER).progress();
                assertEquals(progress.total(), progress.done());
                assertTrue(progress.keysReceived() <= 1.1 * expected.size(), "received " + progress.keysReceived()
                    + " records for " + expected.size() + " keys");
                assertTrue(progress.bytes() <= 1.25 * bytesOf(expected), "moved " + progress.bytes()
                    + " record bytes both ways for " + bytesOf(expected) + " bytes of data; " + progress);
                // one session at a time, and no source so busy (with sessions it still serves) that it refused one
                assertEquals(1, cluster.mostSessions, "sessions at once");
                for (NodeId source : cluster.ids) {
                    assertEquals(0, cluster.repairs.get(source).counter(RepairCounter.SESSIONS_REFUSED_BUSY),
                        source + " refused sessions as busy");
                }
            });
    }

    @Test
    void aSourceCrashingMidStreamDelaysTheJoinAndLosesNothing() {
        Cluster cluster = new Cluster(21);
        Map<String, String> expected = fill(cluster, 21);
        NodeId source = cluster.ids.get(1);
        // down longer than the session timeout (30 s): a session with it fails, whatever phase it was in
        cluster.sim.schedule(50 * MS, () -> cluster.sim.crash(source));
        cluster.sim.schedule(40_000 * MS, () -> cluster.sim.restart(source));
        assertTrue(cluster.stream(), "the join never finished");
        assertEquals(expected, cluster.contents(JOINER));
        assertTrue(cluster.streamers.get(JOINER).progress().failures() > 0, "the crash failed no session");
    }

    /**
     * A plan replaced while one of its sessions runs (a join planned again because the ring changed) cancels that
     * session: the joiner runs one session at a time, not the old one beside the new plan's, and the source is told
     * to forget the session it served; the new plan completes and the joiner holds all its data. The records the
     * session moved before it was cancelled count in the progress, as they merge.
     */
    @Test
    void aPlanReplacedMidSessionCancelsThatSession() {
        Cluster cluster = new Cluster(45);
        Map<String, String> expected = fill(cluster, 45);
        RangeStreamer streamer = cluster.streamers.get(JOINER);
        AntiEntropy joiner = cluster.repairs.get(JOINER);
        streamer.stream(StreamPlan.joining(cluster.current, cluster.future, JOINER), progress -> { }, () -> { });
        // mid-exchange: the running session has merged records since the last session ended
        long[] atLastEnd = {0, 0};
        assertTrue(cluster.sim.runUntil(() -> {
            RangeStreamer.Progress now = streamer.progress();
            if (now.done() != atLastEnd[0]) {
                atLastEnd[0] = now.done();
                atLastEnd[1] = now.keysReceived();
                return false;
            }
            return now.done() >= 2 && joiner.sessions() == 1 && now.keysReceived() > atLastEnd[1];
        }, 600_000 * MS), "no session of the first plan was seen exchanging records");
        assertTrue(cluster.stream(), "the replacing plan never finished");
        assertEquals(1, joiner.counter(RepairCounter.SESSIONS_CANCELLED), "the first plan's session was not"
            + " cancelled");
        assertEquals(0, joiner.sessions());
        assertEquals(expected, cluster.contents(JOINER));
        // the last session's end is on its way to its source
        cluster.sim.runFor(100 * MS);
        for (NodeId source : cluster.ids) {
            assertEquals(0, cluster.repairs.get(source).sessions(), source + " still serves a session");
        }
    }

    @Test
    void aJoinerRestartedMidStreamRunsThePlanAgainAndMovesOnlyWhatIsMissing() {
        Cluster cluster = new Cluster(33);
        Map<String, String> expected = fill(cluster, 33);
        boolean[] finished = {false};
        cluster.streamers.get(JOINER).stream(StreamPlan.joining(cluster.current, cluster.future, JOINER),
            progress -> { }, () -> finished[0] = true);
        cluster.sim.runUntil(() -> cluster.streamers.get(JOINER).progress().done() >= 6, 600_000 * MS);
        cluster.sim.crash(JOINER);
        cluster.sim.restart(JOINER);
        int kept = cluster.contents(JOINER).size();
        assertTrue(kept > 0 && kept < expected.size(), "the crash should leave part of the data: " + kept);
        assertTrue(cluster.stream(), "the second run never finished");
        assertEquals(expected, cluster.contents(JOINER));
        long moved = cluster.streamers.get(JOINER).progress().keysReceived();
        assertTrue(moved <= expected.size() - kept + expected.size() / 10,
            "the second run moved " + moved + " keys; " + (expected.size() - kept) + " were missing");
    }

    /**
     * A joiner whose storage stage refuses every task: its sessions wait for room (each refusal counted) instead of
     * failing inside the call that started them (a plan of many such failures recursed once per task), and one
     * that made no progress for the session timeout fails, saying why; the plan goes on, without finishing and
     * without running away.
     */
    @Test
    void sessionsOfAJoinerWhoseStorageStageStaysFullWaitThenFailSayingWhy() {
        Cluster cluster = new Cluster(52, 0);
        fill(cluster, 52);
        RangeStreamer streamer = cluster.streamers.get(JOINER);
        List<StreamPlan.Task> plan = StreamPlan.joining(cluster.current, cluster.future, JOINER);
        boolean[] finished = {false};
        streamer.stream(plan, progress -> { }, () -> finished[0] = true);
        assertEquals(0, streamer.progress().failures(), "a session failed inside the call that started it");
        cluster.sim.runFor(RepairConfig.DEFAULT.sessionTimeoutNanos() + 5_000 * MS);
        assertFalse(finished[0]);
        assertTrue(streamer.active());
        assertTrue(streamer.progress().failures() > 0, "no session failed in a session timeout");
        assertTrue(streamer.progress().lastFailure().contains("storage stage was full"),
            streamer.progress().lastFailure());
        assertTrue(cluster.repairs.get(JOINER).counter(RepairCounter.STORAGE_DEFERRED) > 0);
        assertEquals(0, streamer.progress().done());
        assertEquals(List.of(), cluster.sim.handlerFailures());
    }
}
