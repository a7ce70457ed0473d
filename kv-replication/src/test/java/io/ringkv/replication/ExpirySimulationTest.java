package io.ringkv.replication;

import static io.ringkv.replication.TestCluster.MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.Consistency;
import io.ringkv.api.ErrorCode;
import io.ringkv.api.Expiry;
import io.ringkv.api.Key;
import io.ringkv.api.NodeId;
import io.ringkv.api.SiblingSet;
import io.ringkv.api.Value;
import io.ringkv.api.Version;
import io.ringkv.sim.LatencyModel;
import io.ringkv.sim.SimulationSeeds;
import io.ringkv.storage.StorageRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Expiry in the simulator, with skewed clocks: the instant is fixed by the replica that issues the write's dot and
 * travels in the version; each reading node answers by its own wall clock; storage keeps an expired value as a
 * tombstone so that it cannot come back through a replica that missed the write that made it expire.
 */
class ExpirySimulationTest {
    private static final Consistency QUORUM = Consistency.DEFAULT;
    private static final Consistency ALL = new Consistency(3, 3, 3);
    private static final long SKEW_MILLIS = 1_500;

    private static NodeId n(int i) {
        return NodeId.of("n" + i);
    }

    private static TestCluster.Outcome<Version> put(TestCluster cluster, NodeId via, String key, String value,
                                                    Expiry expiry, Consistency consistency) {
        TestCluster.Outcome<Version> outcome = new TestCluster.Outcome<>();
        cluster.coordinator(via).put(Key.utf8(key), Value.utf8(value), expiry, null, consistency,
            TestCluster.putInto(outcome));
        return cluster.await(outcome);
    }

    /** A read's answer and the reading node's wall clock when it answered. */
    private record Read(NodeId via, boolean present, long readerMillis, long trueMillis) {
    }

    @Test
    void aBlindWriteAfterAVersionFromAClockAheadLivesItsTimeToLiveByTheReplicasClock() {
        // the blind write is stamped after the version it replaces (last-write-wins' skew safety), and its time to
        // live counted from that stamp: SET k v EX 10 after a write from a node an hour ahead lived an hour and ten
        TestCluster cluster = new TestCluster(5, 3, ReplicationConfig.DEFAULT);
        cluster.sim.node(n(3)).clockSkewMillis(3_600_000);
        Version ahead = put(cluster, n(3), "k", "v", Expiry.NONE, ALL).value;
        cluster.sim.node(n(3)).clockSkewMillis(0);
        cluster.sim.runFor(100 * MS);
        Version written = put(cluster, n(1), "k", "w", Expiry.after(10_000), ALL).value;
        assertEquals(n(1), written.writer(), "coordinated by the replica asked");
        assertTrue(written.timestamp().isAfter(ahead.timestamp()), "stamped after the version it replaces");
        long clock = cluster.sim.node(n(1)).wallClockMillis();
        assertTrue(written.expiresAtMillis() <= clock + 10_000 && written.expiresAtMillis() > clock + 9_000,
            "expires at " + written.expiresAtMillis() + ", the replica's clock reads " + clock);
    }

    @Test
    void aChangeOfExpiryJudgesTheValueByTheReplicasClockNotByAHybridClockAPeerDrewAhead() {
        // n1's hybrid clock, drawn 40 s ahead by a peer whose clock runs ahead, judged a value with 30 s left gone:
        // EXPIRE answered 0 and changed nothing while TTL on the same node said 30
        TestCluster cluster = new TestCluster(9, 3, ReplicationConfig.DEFAULT);
        assertTrue(put(cluster, n(2), "k", "v", Expiry.after(30_000), ALL).succeeded());
        cluster.sim.node(n(3)).clockSkewMillis(40_000);
        assertTrue(put(cluster, n(3), "other", "x", Expiry.NONE, ALL).succeeded());
        cluster.sim.runFor(100 * MS);
        assertTrue(cluster.get(n(1), "k", QUORUM).value.values().contains(Value.utf8("v")), "live by every clock");
        assertEquals(new Changed(Value.utf8("v"), true), change(cluster, n(1), Expiry.after(100_000),
            Expiry.Condition.ALWAYS));
        long clock = cluster.sim.node(n(1)).wallClockMillis();
        long expiresAt = cluster.stored(n(1), "k").versions().getLast().version().expiresAtMillis();
        assertTrue(expiresAt > clock + 90_000 && expiresAt <= clock + 100_000, expiresAt + " against " + clock);
    }

    @Test
    void aValueReadsAsAbsentExactlyWhenTheReadingNodesClockHasPassedItsExpiry() {
        SimulationSeeds.run(getClass(), "aValueReadsAsAbsentExactlyWhenTheReadingNodesClockHasPassedItsExpiry",
            "kv-replication", 10, seed -> {
                TestCluster cluster = new TestCluster(seed, 3, ReplicationConfig.DEFAULT);
                cluster.sim.node(n(1)).clockSkewMillis(SKEW_MILLIS);
                cluster.sim.node(n(3)).clockSkewMillis(-SKEW_MILLIS);
                cluster.sim.network().dropRate(0.05).latency(LatencyModel.exponential(200_000, MS));
                NodeId writer = n(1 + (int) Math.floorMod(seed, 3L));
                Version written = put(cluster, writer, "k", "v", Expiry.after(3_000), QUORUM).value;
                assertEquals(written.timestamp().physicalMillis() + 3_000, written.expiresAtMillis(),
                    "a time to live counts from the write's hybrid timestamp");

                List<Read> reads = new ArrayList<>();
                for (int round = 0; round < 80; round++) {
                    for (int i = 1; i <= 3; i++) {
                        NodeId via = n(i);
                        TestCluster.Outcome<SiblingSet> outcome = new TestCluster.Outcome<>();
                        cluster.coordinator(via).get(Key.utf8("k"), QUORUM, new GetCallback() {
                            @Override
                            public void onSuccess(SiblingSet siblings) {
                                reads.add(new Read(via, !siblings.isDeleted(),
                                    cluster.sim.node(via).wallClockMillis(), cluster.sim.now() / MS));
                                TestCluster.getInto(outcome).onSuccess(siblings);
                            }

                            @Override
                            public void onFailure(ErrorCode code, String message) {
                                TestCluster.getInto(outcome).onFailure(code, message);
                            }
                        });
                        cluster.await(outcome);
                    }
                    cluster.sim.runFor(100 * MS);
                }
                for (Read read : reads) {
                    assertEquals(read.readerMillis() < written.expiresAtMillis(), read.present(),
                        "each node answers by its own clock: " + read + ", expires " + written.expiresAtMillis());
                }
                // the skew shows: for a while, the node whose clock runs ahead no longer sees the value while the
                // one whose clock runs behind still does. The window is the skew between them (3 s), less what the
                // reads' rounds miss of it at each end: a round is 100 ms and its three reads, but a read whose
                // datagrams are lost waits for a retry, so the bound leaves room for rounds of up to 750 ms
                long aheadGone = reads.stream().filter(r -> r.via().equals(n(1)) && !r.present())
                    .mapToLong(Read::trueMillis).min().orElseThrow();
                long behindLastSeen = reads.stream().filter(r -> r.via().equals(n(3)) && r.present())
                    .mapToLong(Read::trueMillis).max().orElseThrow();
                assertTrue(behindLastSeen - aheadGone >= SKEW_MILLIS, "n1 first read it as absent at " + aheadGone
                    + " ms, n3 last read it as present at " + behindLastSeen + " ms");
                assertEquals(List.of(), cluster.sim.handlerFailures());
            });
    }

    @Test
    void anExpiredValueDoesNotComeBackThroughAReplicaThatMissedTheWriteThatSetItsExpiry() {
        SimulationSeeds.run(getClass(), "anExpiredValueDoesNotComeBackThroughAReplicaThatMissedTheWriteThatSetItsExpiry",
            "kv-replication", 10, seed -> {
                TestCluster cluster = new TestCluster(seed, 3, ReplicationConfig.DEFAULT.withCatchUpWindow(0));
                cluster.sim.node(n(2)).clockSkewMillis(SKEW_MILLIS);
                cluster.sim.network().latency(LatencyModel.exponential(200_000, MS));
                assertTrue(put(cluster, n(1), "k", "old", Expiry.NONE, ALL).succeeded());
                cluster.sim.network().partition(List.of(n(3)), List.of(n(1), n(2)));
                Version expiring = put(cluster, n(1), "k", "new", Expiry.after(2_000), QUORUM).value;
                cluster.sim.runFor(5_000 * MS);
                assertEquals(List.of(Value.utf8("old")), cluster.stored(n(3), "k").values(), "n3 missed the write");

                // compactions on the replicas that have it: the expired value is kept as a tombstone of its version
                for (NodeId id : List.of(n(1), n(2))) {
                    cluster.sim.node(id).disk().compact("data", 86_400_000L);
                    StorageRecord record = cluster.contents(id).values().iterator().next();
                    assertTrue(record.isTombstone(), id + " keeps the expired value as a tombstone: " + record);
                    assertEquals(Set.of(expiring.dot()), dots(cluster.stored(id, "k")));
                }
                cluster.sim.network().heal();
                SiblingSet read = cluster.get(n(3), "k", ALL).value;
                assertTrue(read.isDeleted(), "the old value n3 still holds is superseded: " + read);
                cluster.sim.runFor(1_000 * MS);
                SiblingSet repaired = cluster.stored(n(3), "k");
                assertTrue(repaired.isDeleted(), "read repair gave n3 the tombstone: " + repaired);
                assertEquals(Set.of(expiring.dot()), dots(repaired));
                for (NodeId id : List.of(n(1), n(2), n(3))) {
                    assertTrue(cluster.get(id, "k", new Consistency(3, 1, 1)).value.isDeleted(), "via " + id);
                }
                // the replicas converged on one record: compacted and repaired bytes are the same
                assertEquals(cluster.contents(n(1)), cluster.contents(n(3)));
                assertEquals(List.of(), cluster.sim.handlerFailures());
            });
    }

    @Test
    void aRecordIsJudgedTakenWhereAbsentAsAReplicaHoldingNothingMergesIt() {
        SimulationSeeds.run(getClass(), "aRecordIsJudgedTakenWhereAbsentAsAReplicaHoldingNothingMergesIt", "kv-replication",
            3, seed -> {
                long grace = 10_000;
                TestCluster cluster = new TestCluster(seed, 3,
                    ReplicationConfig.DEFAULT.withTombstoneGraceMillis(grace));
                assertTrue(put(cluster, n(1), "live", "v", Expiry.NONE, ALL).succeeded());
                assertTrue(put(cluster, n(1), "expiring", "v", Expiry.after(1_000), ALL).succeeded());
                assertTrue(put(cluster, n(1), "deleted", "v", Expiry.NONE, ALL).succeeded());
                assertTrue(cluster.delete(n(1), "deleted", null, ALL).succeeded());
                Replication n1 = cluster.node(n(1));
                for (String key : List.of("live", "expiring", "deleted")) {
                    assertTrue(takenWhereAbsent(cluster, n1, key), key + " within the grace");
                }
                cluster.sim.runFor((grace + 5_000) * MS);
                assertTrue(takenWhereAbsent(cluster, n1, "live"));
                assertFalse(takenWhereAbsent(cluster, n1, "deleted"), "a tombstone past the grace");
                assertFalse(takenWhereAbsent(cluster, n1, "expiring"), "a value that expired before the grace");
                // what the sender judges, the receiver does: merged into a replica holding nothing, neither is taken
                StorageRecord deleted = record(cluster, n(1), "deleted");
                cluster.sim.node(n(2)).disk().compact("data", 0);
                cluster.sim.node(n(3)).disk().compact("data", 0);
                assertNull(record(cluster, n(3), "deleted"), "n3 purged it");
                assertTrue(merged(cluster, n(3), deleted));
                assertNull(record(cluster, n(3), "deleted"), "n3 took a tombstone past the grace back");
                // a record that does not decode (a token not the key's) is the receiver's to judge: sent
                assertTrue(n1.takenWhereAbsent(deleted.token() + 1, deleted.key(), deleted.version(), null));
                // while purges are held (a join or leave moves ranges to replicas holding nothing), such a tombstone
                // may be all that keeps a stale replica's value from coming back: it is sent, and taken
                n1.purgesHeldWhile(() -> true);
                cluster.node(n(3)).purgesHeldWhile(() -> true);
                assertTrue(takenWhereAbsent(cluster, n1, "deleted"), "a tombstone past the grace, purges held");
                assertTrue(takenWhereAbsent(cluster, n1, "expiring"));
                assertTrue(merged(cluster, n(3), deleted));
                assertNotNull(record(cluster, n(3), "deleted"), "n3 takes it while purges are held");
                assertEquals(List.of(), cluster.sim.handlerFailures());
            });
    }

    /** @return whether {@code node} answered the merge of {@code tombstone}, as a repair brings it, as done */
    private static boolean merged(TestCluster cluster, NodeId node, StorageRecord tombstone) {
        Boolean[] stored = new Boolean[1];
        cluster.node(node).mergeRecord(tombstone.token(), tombstone.key(), tombstone.version(), null,
            ok -> stored[0] = ok);
        cluster.sim.runUntil(() -> stored[0] != null, 1_000 * MS);
        return stored[0];
    }

    private static StorageRecord record(TestCluster cluster, NodeId id, String key) {
        return cluster.contents(id).values().stream()
            .filter(record -> record.key().equals(Key.utf8(key))).findFirst().orElse(null);
    }

    private static boolean takenWhereAbsent(TestCluster cluster, Replication replication, String key) {
        StorageRecord held = record(cluster, n(1), key);
        assertTrue(held != null, key + " is not held");
        return replication.takenWhereAbsent(held.token(), held.key(), held.version(),
            held.isTombstone() ? null : held.value());
    }

    @Test
    void aReadDoesNotHandBackAValueThatExpiredBeforeTheGraceToAReplicaThatPurgedIt() {
        SimulationSeeds.run(getClass(), "aReadDoesNotHandBackAValueThatExpiredBeforeTheGraceToAReplicaThatPurgedIt",
            "kv-replication", 5, seed -> {
                long grace = 10_000;
                TestCluster cluster = new TestCluster(seed, 3, ReplicationConfig.DEFAULT.withTombstoneGraceMillis(grace));
                cluster.sim.network().latency(LatencyModel.exponential(200_000, MS));
                assertTrue(put(cluster, n(1), "k", "v", Expiry.after(1_000), ALL).succeeded());
                cluster.sim.runFor((grace + 5_000) * MS);
                // n1's compaction kept the expired value as a tombstone at its expiry and, past the grace, purged
                // it; n2 and n3 have not compacted yet and still hold the value
                cluster.sim.node(n(1)).disk().compact("data", grace);
                assertEquals(java.util.Map.of(), cluster.contents(n(1)));
                for (int read = 0; read < 3; read++) {
                    assertTrue(cluster.get(n(1 + read), "k", ALL).value.isDeleted());
                }
                cluster.sim.runFor(1_000 * MS);
                assertEquals(java.util.Map.of(), cluster.contents(n(1)),
                    "a read repair gave n1 back a value that expired before the grace: it guards nothing there, and"
                        + " n1 would purge it and take it back at every read until n2 and n3 compact");
                assertEquals(List.of(), cluster.sim.handlerFailures());
            });
    }

    @Test
    void aChangeOfExpiryKeepsTheValueAndHonoursItsCondition() {
        SimulationSeeds.run(getClass(), "aChangeOfExpiryKeepsTheValueAndHonoursItsCondition", "kv-replication", 10,
            seed -> {
                TestCluster cluster = new TestCluster(seed, 3, ReplicationConfig.DEFAULT);
                cluster.sim.node(n(2)).clockSkewMillis(-SKEW_MILLIS);
                cluster.sim.network().dropRate(0.05).latency(LatencyModel.exponential(200_000, MS));
                assertEquals(new Changed(null, false), change(cluster, n(1), Expiry.after(1_000),
                    Expiry.Condition.ALWAYS), "an absent key changes nothing");
                assertTrue(put(cluster, n(1), "k", "v", Expiry.NONE, QUORUM).succeeded());
                assertEquals(new Changed(Value.utf8("v"), false), change(cluster, n(2), Expiry.after(60_000),
                    Expiry.Condition.XX), "XX: the key has no expiry");
                assertEquals(new Changed(Value.utf8("v"), false), change(cluster, n(3), Expiry.after(60_000),
                    Expiry.Condition.GT), "GT: no expiry counts as never");
                assertEquals(new Changed(Value.utf8("v"), true), change(cluster, n(3), Expiry.after(60_000),
                    Expiry.Condition.NX));
                long first = expiry(cluster, n(1));
                assertTrue(first > 0);
                assertEquals(new Changed(Value.utf8("v"), false), change(cluster, n(2), Expiry.after(30_000),
                    Expiry.Condition.GT), "GT: 30 s is earlier than the 60 s set");
                assertEquals(first, expiry(cluster, n(2)));
                assertEquals(new Changed(Value.utf8("v"), true), change(cluster, n(2), Expiry.after(30_000),
                    Expiry.Condition.LT));
                assertTrue(expiry(cluster, n(3)) < first, () -> cluster.get(n(3), "k", QUORUM).value + " vs " + first);

                // SET ... KEEPTTL keeps the expiry its coordinating replica holds (blind, as SET is): once the last
                // change reached every replica
                cluster.sim.runFor(1_000 * MS);
                put(cluster, n(3), "k", "v2", Expiry.KEEP, QUORUM);
                assertTrue(expiry(cluster, n(1)) < first);
                assertEquals(List.of(Value.utf8("v2")), cluster.get(n(1), "k", QUORUM).value.values());
                assertEquals(new Changed(Value.utf8("v2"), true), change(cluster, n(1), Expiry.NONE,
                    Expiry.Condition.XX), "PERSIST");
                assertEquals(Version.NEVER, expiry(cluster, n(2)));

                // an instant already past deletes the key
                assertEquals(new Changed(Value.utf8("v2"), true), change(cluster, n(2), Expiry.at(1),
                    Expiry.Condition.ALWAYS));
                assertTrue(cluster.get(n(3), "k", QUORUM).value.isDeleted());
                assertEquals(List.of(), cluster.sim.handlerFailures());
            });
    }

    @Test
    void aTimeToLiveThatPassedLtIsTheOneWrittenThoughTheValueWasStampedByAClockAhead() {
        // n3's clock runs 30 s ahead: its SET ... EX 20 expires 50 s from now. EXPIRE ... 40 LT through n1 passes
        // (40 s < 50 s), but the write was stamped after the value read, 30 s ahead, and its 40 s counted from there
        // made the time to live longer under LT
        TestCluster cluster = new TestCluster(61, 3, ReplicationConfig.DEFAULT);
        cluster.sim.node(n(3)).clockSkewMillis(30_000);
        assertTrue(put(cluster, n(3), "k", "v", Expiry.after(20_000), ALL).succeeded());
        long set = expiry(cluster, n(1));
        assertEquals(new Changed(Value.utf8("v"), true), change(cluster, n(1), Expiry.after(40_000),
            Expiry.Condition.LT));
        long changed = expiry(cluster, n(2));
        assertTrue(changed < set, "LT made the expiry later: " + set + " -> " + changed);
    }

    @Test
    void aChangeOfExpiryThatReachesItsReplicaAfterTheValueExpiredWritesNothing() {
        // n-outside reads the value live 10 ms before it expires and hands PERSIST to a replica 20 ms away, which
        // stamped it after the expiry: writing the value again brought it back, for good, after reads had found it
        // gone
        TestCluster cluster = slowLinks(67);
        io.ringkv.ring.PreferenceList replicas = replicasOfK(cluster);
        NodeId outside = outside(cluster, replicas);
        Version written = put(cluster, replicas.get(0).id(), "k", "v", Expiry.after(1_000), ALL).value;
        // the read takes a round trip (40 ms): it answers 10 ms before the instant
        cluster.sim.runFor((written.expiresAtMillis() - 50 - cluster.sim.node(outside).wallClockMillis()) * MS);
        assertEquals(new Changed(null, false), change(cluster, outside, Expiry.NONE, Expiry.Condition.ALWAYS),
            "the value expired before the change was stamped");
        assertTrue(cluster.get(replicas.get(1).id(), "k", ALL).value.isDeleted(), "the value came back");
        long nothing = 0;
        for (io.ringkv.api.Node replica : replicas.replicas()) {
            nothing += cluster.sim.node(replica.id()).counters().value("replication_expiry_changes_of_gone_values");
        }
        assertEquals(1, nothing);
        assertEquals(List.of(), cluster.sim.handlerFailures());
    }

    @Test
    void aChangeOfExpiryThatReachesItsReplicaAfterADeleteWritesNothing() {
        // the replica holds only the delete's tombstone, which superseded what the change's read saw: it wrote the
        // value again, a sibling of the tombstone that GET answered
        TestCluster cluster = slowLinks(79);
        io.ringkv.ring.PreferenceList replicas = replicasOfK(cluster);
        NodeId outside = outside(cluster, replicas);
        NodeId first = replicas.get(0).id();
        assertTrue(put(cluster, first, "k", "v", Expiry.NONE, ALL).succeeded());
        TestCluster.Outcome<Changed> changed = startChangeOfK(cluster, outside);
        // the read reaches the replicas at 20 ms and is answered by 40 ms; the change reaches the first at 60 ms
        TestCluster.Outcome<Version> deleted = new TestCluster.Outcome<>();
        cluster.sim.schedule(30 * MS, () -> cluster.coordinator(first).delete(Key.utf8("k"), null, QUORUM,
            TestCluster.putInto(deleted)));
        cluster.await(changed);
        cluster.await(deleted);
        assertTrue(deleted.succeeded(), deleted.message);
        assertEquals(new Changed(null, false), changed.value, "the value was deleted before the change was stamped");
        assertTrue(cluster.get(replicas.get(1).id(), "k", ALL).value.isDeleted(), "the deleted value came back");
    }

    @Test
    void aChangeOfExpiryRacingADeleteThroughAnotherReplicaDoesNotBringTheValueBack() {
        // the change reaches the first replica before the delete does (the second coordinates it, and its messages to
        // the first are lost): the first wrote the value again, a sibling of the tombstone that GET answered
        assertEquals(null, raceAChangeOfExpiryWith(89, null, 20), "the deleted value came back");
    }

    @Test
    void aForwardedChangeOfExpiryThatTakesASecondRoundIsNotAnsweredTimeoutByTheNodeThatForwardedIt() {
        // on 200 ms links the second round ends about 1.6 s after the hand-over: the node that forwarded the change
        // gave up at 1.2 s and answered TIMEOUT for a change that was made
        assertEquals(null, raceAChangeOfExpiryWith(101, null, 200), "the deleted value came back");
    }

    @Test
    void aSecondRoundWaitsForASilentReportingReplicaARetryIntervalNotTheClientsDeadline() {
        // the third replica reports the DEL beside the change, then falls silent before anyone judges it down: the
        // change's second round waited for it until the client's deadline (1 s) before it answered with what the
        // first two replicas held
        TestCluster cluster = slowLinks(103);
        io.ringkv.ring.PreferenceList replicas = replicasOfK(cluster);
        NodeId outside = outside(cluster, replicas);
        NodeId first = replicas.get(0).id();
        NodeId second = replicas.get(1).id();
        NodeId third = replicas.get(2).id();
        assertTrue(put(cluster, first, "k", "v", Expiry.NONE, ALL).succeeded());
        long started = cluster.sim.now();
        TestCluster.Outcome<Changed> changed = startChangeOfK(cluster, outside);
        TestCluster.Outcome<Version> deleted = new TestCluster.Outcome<>();
        cluster.sim.schedule(30 * MS, () -> {
            cluster.sim.network().block(second, first);
            cluster.coordinator(second).delete(Key.utf8("k"), null, QUORUM, TestCluster.putInto(deleted));
        });
        // the third's acknowledgement of the change (beside the tombstone) is on its way to the first
        cluster.sim.schedule(90 * MS, () -> {
            cluster.sim.crash(third);
            cluster.sim.network().heal();
        });
        cluster.await(changed);
        long took = cluster.sim.now() - started;
        cluster.await(deleted);
        assertTrue(deleted.succeeded(), deleted.message);
        assertEquals(new Changed(Value.utf8("v"), true), changed.value, "the change came first");
        assertEquals(1, cluster.sim.node(first).counters().value("replication_expiry_changes_settled"));
        // the change's round trips take about 200 ms, its second round's read a retry interval (200 ms) more
        assertTrue(took < 700 * MS, "the change took " + took / MS + " ms");
        cluster.sim.runFor(500 * MS);
        assertTrue(cluster.get(first, "k", QUORUM).value.isDeleted(), "the deleted value came back");
    }

    @Test
    void aChangeOfExpiryStoredAfterItsClientHeardTimeoutIsStillSettledAgainstADelete() {
        // the first replica's forces take 1.5 s: the change's client hears TIMEOUT, the DEL through the second is
        // acknowledged by the second and third long before, and the change, stored at last, reaches them beside the
        // tombstone; it was replicated without its second round, and the deleted value came back
        changeOfExpiryStalledOnItsFirstReplicaIsSettledAgainstADelete(107, (cluster, first) -> {
            cluster.forcesSlowNanos = 1_500 * MS;
            cluster.slowForces.add(first);
        }, cluster -> cluster.slowForces.clear());
    }

    @Test
    void aChangeOfExpiryWhoseForceFailedForWantOfSpaceIsSettledAgainstADeleteOnceTheDiskHasRoom() {
        // the first replica's disk fills as it applies the change: its force fails for want of space, and the change
        // was reported failed and not sent on, yet stayed applied there and became durable with the next force once
        // the disk had room; a read through all replicas then found it beside the DEL's tombstone
        changeOfExpiryStalledOnItsFirstReplicaIsSettledAgainstADelete(109,
            (cluster, first) -> cluster.spacelessForces.add(first), cluster -> cluster.spacelessForces.clear());
    }

    /**
     * An EXPIRE of k through a node outside its replicas, handed to the first replica just before a DEL through the
     * second reaches it: the first's storage is stalled by {@code stall} until its client heard TIMEOUT and 5 s more,
     * then {@code unstall}ed; the key must end deleted, the change settled.
     */
    private static void changeOfExpiryStalledOnItsFirstReplicaIsSettledAgainstADelete(
            long seed, java.util.function.BiConsumer<TestCluster, NodeId> stall,
            java.util.function.Consumer<TestCluster> unstall) {
        TestCluster cluster = slowLinks(seed);
        io.ringkv.ring.PreferenceList replicas = replicasOfK(cluster);
        NodeId first = replicas.get(0).id();
        NodeId second = replicas.get(1).id();
        assertTrue(put(cluster, first, "k", "v", Expiry.NONE, ALL).succeeded());
        stall.accept(cluster, first);
        TestCluster.Outcome<Changed> changed = startChangeOfK(cluster, outside(cluster, replicas));
        // the change reaches the first at 60 ms, the DEL (from the second at 45 ms) just after
        TestCluster.Outcome<Version> deleted = deleteKThroughTheSecondAt45Ms(cluster, replicas);
        cluster.await(changed);
        cluster.await(deleted);
        assertTrue(deleted.succeeded(), deleted.message);
        assertEquals(ErrorCode.TIMEOUT, changed.error, "the change is stored late, maybe written: " + changed.message);
        assertEquals(0, cluster.sim.node(first).counters().value("replication_expiry_changes_settled"));
        cluster.sim.runFor(5_000 * MS);
        unstall.accept(cluster);
        cluster.sim.runFor(5_000 * MS);
        SiblingSet read = cluster.get(second, "k", ALL).value;
        assertTrue(read.isDeleted(), "the deleted value came back: " + read);
        assertEquals(1, cluster.sim.node(first).counters().value("replication_expiry_changes_settled"));
        assertEquals(List.of(), cluster.sim.handlerFailures());
    }

    @Test
    void aChangeOfExpiryThatReachesTheReplicasOfADeleteOnlyByHintDoesNotBringTheValueBack() {
        // the first replica coordinates the change cut off from the other two (as one waking from a long pause): no
        // acknowledgement comes by the request timeout, so no second round runs, and the change reaches the DEL's
        // replicas later as hints. Stored beside the tombstone, it answered the deleted value again; under
        // last-write-wins it was stamped after the DEL and won
        for (String resolver : List.of("vector-clock", "lww")) {
            TestCluster cluster = slowLinks(113, resolver);
            io.ringkv.ring.PreferenceList replicas = replicasOfK(cluster);
            NodeId first = replicas.get(0).id();
            assertTrue(put(cluster, first, "k", "v", Expiry.NONE, ALL).succeeded());
            TestCluster.Outcome<Changed> changed = startChangeOfK(cluster, outside(cluster, replicas));
            TestCluster.Outcome<Version> deleted = deleteKThroughTheSecondAt45Ms(cluster, replicas);
            // the change's read is done by 50 ms; its hand-over reaches the first at 60 ms, the DEL would at 65 ms
            cluster.sim.schedule(50 * MS, () -> cluster.sim.network().partition(List.of(first),
                List.of(replicas.get(1).id(), replicas.get(2).id())));
            cluster.sim.schedule(3_000 * MS, () -> cluster.sim.network().heal());
            cluster.await(changed);
            cluster.await(deleted);
            assertTrue(deleted.succeeded(), deleted.message);
            assertEquals(ErrorCode.TIMEOUT, changed.error, resolver + ": no replica acknowledged the change: "
                + changed.message);
            cluster.sim.runFor(20_000 * MS);
            assertTrue(cluster.sim.node(first).counters().value("hints_delivered") > 0,
                resolver + ": the change reached the others as hints");
            assertEquals(0, cluster.sim.node(first).counters().value("replication_expiry_changes_settled"));
            for (int i = 0; i < 3; i++) {
                NodeId through = replicas.get(i).id();
                SiblingSet held = cluster.get(through, "k", ALL).value;
                assertTrue(held.isDeleted(), resolver + ": the deleted value came back through " + through + ": "
                    + held);
            }
            assertEquals(List.of(), cluster.sim.handlerFailures());
        }
    }

    @Test
    void aChangeOfExpiryCoordinatedByAReplicaHoldingAnEarlierChangeItsReadMissedIsWritten() {
        // at ONE: an EXPIRE is stored on the first replica alone; a PERSIST through a node outside the replicas reads
        // from one that lacks it and is handed to the first, which took the value for gone (the EXPIRE covered all the
        // read saw, and nothing it covered lived there): PERSIST answered 0 on a live key and the expiry stayed. The
        // two draw one stamp; coordinated by one replica, they are ordered by their dots, the PERSIST last
        Consistency one = new Consistency(3, 1, 1);
        for (String resolver : List.of("vector-clock", "lww")) {
            TestCluster cluster = slowLinks(131, resolver);
            io.ringkv.ring.PreferenceList replicas = replicasOfK(cluster);
            NodeId first = replicas.get(0).id();
            NodeId outside = outside(cluster, replicas);
            assertTrue(put(cluster, first, "k", "v", Expiry.NONE, ALL).succeeded());
            cluster.sim.network().partition(List.of(first), List.of(replicas.get(1).id(), replicas.get(2).id()));
            TestCluster.Outcome<Changed> expired = new TestCluster.Outcome<>();
            cluster.coordinator(first).changeExpiry(Key.utf8("k"), Expiry.after(100_000), Expiry.Condition.ALWAYS, one,
                changedInto(expired));
            cluster.await(expired);
            assertEquals(new Changed(Value.utf8("v"), true), expired.value, resolver);
            // the PERSIST's read is answered by the other two; its hand-over reaches the first at 60 ms
            cluster.sim.network().block(first, outside);
            TestCluster.Outcome<Changed> persisted = new TestCluster.Outcome<>();
            cluster.coordinator(outside).changeExpiry(Key.utf8("k"), Expiry.NONE, Expiry.Condition.ALWAYS, one,
                changedInto(persisted));
            cluster.sim.schedule(50 * MS, () -> cluster.sim.network().heal().partition(List.of(first),
                List.of(replicas.get(1).id(), replicas.get(2).id())));
            cluster.await(persisted);
            assertEquals(new Changed(Value.utf8("v"), true), persisted.value, resolver + ": " + persisted.message);
            cluster.sim.network().heal();
            cluster.sim.runFor(10_000 * MS);
            SiblingSet read = cluster.get(replicas.get(1).id(), "k", ALL).value;
            // GET answers the last version: the PERSIST's
            assertEquals(Value.utf8("v"), read.versions().getLast().value(), resolver + ": " + read);
            assertEquals(Version.NEVER, read.versions().getLast().version().expiresAtMillis(),
                resolver + ": GET answers the EXPIRE made before the PERSIST: " + read);
            assertEquals(List.of(), cluster.sim.handlerFailures());
        }
    }

    @Test
    void aChangeOfExpiryRacingASetThroughAnotherReplicaDoesNotBringTheOldValueBack() {
        assertEquals(Value.utf8("v2"), raceAChangeOfExpiryWith(97, Value.utf8("v2"), 20),
            "the overwritten value came back");
    }

    @Test
    void aChangeOfExpiryRacingADeleteOrASetThroughAnyNodeNeverBringsTheOldValueBack() {
        // eight keys a run, each written at ALL, then an EXPIRE through one node and a DEL or a SET of another value
        // through another, at random moments 0-60 ms apart, on links of 1-40 ms that reorder: whatever the order,
        // the key ends deleted or holding the new value, never the old one (a change of expiry makes no value), under
        // vector clocks and (half the runs) last-write-wins.
        // Before the second rounds read from the replicas that reported the other write, about one run in 75 ended
        // with the old value a sibling of the tombstone
        SimulationSeeds.run(getClass(), "aChangeOfExpiryRacingADeleteOrASetThroughAnyNodeNeverBringsTheOldValueBack",
            "kv-replication", 100, seed -> {
                TestCluster cluster = new TestCluster(seed, 4,
                    ReplicationConfig.DEFAULT.withResolver(seed % 4 >= 2 ? "lww" : "vector-clock"));
                java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
                // every other run loses 5 % of the messages (retransmissions, hand-overs refused after a restart)
                double dropRate = seed % 2 == 1 ? 0.05 : 0;
                int keys = 8;
                for (int k = 0; k < keys; k++) {
                    assertTrue(put(cluster, n(1 + k % 4), "k" + k, "old", Expiry.NONE, ALL).succeeded());
                }
                cluster.sim.network().latency(LatencyModel.uniform(1 * MS, 40 * MS)).dropRate(dropRate);
                List<TestCluster.Outcome<Changed>> changes = new ArrayList<>();
                List<TestCluster.Outcome<Version>> writes = new ArrayList<>();
                boolean[] deletes = new boolean[keys];
                for (int k = 0; k < keys; k++) {
                    String key = "k" + k;
                    NodeId changer = n(1 + random.nextInt(4));
                    NodeId writer = n(1 + random.nextInt(4));
                    deletes[k] = random.nextBoolean();
                    boolean delete = deletes[k];
                    TestCluster.Outcome<Changed> changed = new TestCluster.Outcome<>();
                    TestCluster.Outcome<Version> written = new TestCluster.Outcome<>();
                    changes.add(changed);
                    writes.add(written);
                    cluster.sim.schedule(random.nextLong(60) * MS, () -> cluster.coordinator(changer)
                        .changeExpiry(Key.utf8(key), Expiry.after(100_000), Expiry.Condition.ALWAYS, QUORUM,
                            changedInto(changed)));
                    cluster.sim.schedule(random.nextLong(60) * MS, () -> cluster.coordinator(writer).put(
                        Key.utf8(key), delete ? null : Value.utf8("new"), Expiry.NONE, null, QUORUM,
                        TestCluster.putInto(written)));
                }
                cluster.sim.runUntil(() -> changes.stream().allMatch(o -> o.done)
                    && writes.stream().allMatch(o -> o.done), 10_000 * MS);
                cluster.sim.runFor(3_000 * MS);
                // the check reads at ALL: without loss, so that a read that timed out is not taken for a bad state
                cluster.sim.network().dropRate(0);
                for (int k = 0; k < keys; k++) {
                    if (!writes.get(k).succeeded()) {
                        // a write that failed may or may not have been made: nothing to check of it
                        assertTrue(dropRate > 0, writes.get(k).message);
                        continue;
                    }
                    TestCluster.Outcome<SiblingSet> outcome = cluster.get(n(1 + k % 4), "k" + k, ALL);
                    assertTrue(outcome.succeeded(), "k" + k + ": " + outcome.error + " " + outcome.message);
                    SiblingSet read = outcome.value;
                    assertFalse(read.values().contains(Value.utf8("old")), "k" + k + " holds the old value again: "
                        + read + " (the change answered " + changes.get(k).value + ")");
                    if (deletes[k]) {
                        assertTrue(read.isDeleted(), "k" + k + ": " + read);
                    } else {
                        // the SET's second round may race the change too: then both hold the new value
                        assertFalse(read.values().isEmpty(), "k" + k + ": " + read);
                        assertTrue(read.values().stream().allMatch(Value.utf8("new")::equals), "k" + k + ": " + read);
                    }
                }
                assertEquals(List.of(), cluster.sim.handlerFailures());
            });
    }

    /**
     * A change of expiry from a node outside the key's replicas, coordinated by the first replica, and a blind write of
     * {@code raced} (a delete when null) through the second, one and a half link latencies in (after the change's
     * read, before its write), whose messages to the first are lost until both were answered: the write reaches the
     * third before the change does, so the change is acknowledged beside it.
     *
     * @param latencyMillis how long every message takes
     * @return the value the key reads as at ALL once the links healed, null when deleted
     */
    private static Value raceAChangeOfExpiryWith(long seed, Value raced, long latencyMillis) {
        TestCluster cluster = new TestCluster(seed, 4, ReplicationConfig.DEFAULT);
        cluster.sim.network().latency(LatencyModel.fixed(latencyMillis * MS));
        io.ringkv.ring.PreferenceList replicas = replicasOfK(cluster);
        NodeId outside = outside(cluster, replicas);
        NodeId first = replicas.get(0).id();
        NodeId second = replicas.get(1).id();
        assertTrue(put(cluster, first, "k", "v", Expiry.NONE, ALL).succeeded());
        TestCluster.Outcome<Changed> changed = startChangeOfK(cluster, outside);
        TestCluster.Outcome<Version> written = new TestCluster.Outcome<>();
        cluster.sim.schedule(latencyMillis * 3 / 2 * MS, () -> {
            cluster.sim.network().block(second, first);
            cluster.coordinator(second).put(Key.utf8("k"), raced, Expiry.NONE, null, QUORUM,
                TestCluster.putInto(written));
        });
        cluster.await(changed);
        cluster.await(written);
        assertTrue(written.succeeded(), written.message);
        assertEquals(new Changed(Value.utf8("v"), true), changed.value, "the change came first");
        assertEquals(1, cluster.sim.node(first).counters().value("replication_expiry_changes_settled"));
        cluster.sim.network().heal();
        cluster.sim.runFor(2_000 * MS);
        SiblingSet read = cluster.get(first, "k", ALL).value;
        assertEquals(1, read.versions().size(), "one version left: " + read);
        assertEquals(List.of(), cluster.sim.handlerFailures());
        return read.isDeleted() ? null : read.newest().value();
    }

    @Test
    void aChangeOfExpiryCoordinatedByAReplicaThatMissedTheNewestValueIsWritten() {
        // n3 missed v1 and holds only v0, expired: it took the change for one of a value gone, and PERSIST answered 0
        // while v1 went on to expire
        TestCluster cluster = new TestCluster(83, 3, ReplicationConfig.DEFAULT.withCatchUpWindow(0));
        assertTrue(put(cluster, n(1), "k", "v0", Expiry.after(1_000), ALL).succeeded());
        cluster.sim.runFor(2_000 * MS);
        cluster.sim.network().partition(List.of(n(3)), List.of(n(1), n(2)));
        assertTrue(put(cluster, n(2), "k", "v1", Expiry.after(100_000), QUORUM).succeeded());
        cluster.sim.runFor(2_000 * MS);
        cluster.sim.network().heal();
        assertEquals(new Changed(Value.utf8("v1"), true), change(cluster, n(3), Expiry.NONE,
            Expiry.Condition.ALWAYS), "PERSIST through the replica that missed v1");
        assertEquals(Version.NEVER, expiry(cluster, n(1)));
    }

    @Test
    void setKeepttlThroughAReplicaThatMissedTheValueKeepsItsExpiry() {
        // n3 missed SET v1 EX 100 and coordinated SET v2 KEEPTTL blind: it kept the expiry it held, none, and the
        // replicas that held v1 took v2 with no expiry too (a rewrite, or last-write-wins dropping v1): v2 never
        // expired
        for (String resolver : List.of("vector-clock", "lww")) {
            TestCluster cluster = new TestCluster(73, 3, ReplicationConfig.DEFAULT.withResolver(resolver)
                .withCatchUpWindow(0));
            cluster.sim.network().partition(List.of(n(3)), List.of(n(1), n(2)));
            Version first = put(cluster, n(1), "k", "v1", Expiry.after(100_000), QUORUM).value;
            cluster.sim.runFor(2_000 * MS);
            cluster.sim.network().heal();
            assertTrue(put(cluster, n(3), "k", "v2", Expiry.KEEP, QUORUM).succeeded());
            SiblingSet read = cluster.get(n(1), "k", ALL).value;
            assertEquals(List.of(Value.utf8("v2")), read.values(), resolver);
            assertEquals(first.expiresAtMillis(), read.expiresAtMillis(), resolver + ": the expiry was not kept");
        }
    }

    @Test
    void aScanLeavesOutKeysWhoseValuesExpired() {
        SimulationSeeds.run(getClass(), "aScanLeavesOutKeysWhoseValuesExpired", "kv-replication", 5, seed -> {
            TestCluster cluster = new TestCluster(seed, 3, ReplicationConfig.DEFAULT);
            for (int i = 0; i < 20; i++) {
                put(cluster, n(1 + i % 3), "k" + i, "v", i % 2 == 0 ? Expiry.after(1_000) : Expiry.NONE, ALL);
            }
            cluster.sim.runFor(2_000 * MS);
            Set<String> seen = new java.util.TreeSet<>();
            ScanCursor cursor = ScanCursor.START;
            do {
                TestCluster.Outcome<ScanPage> page = cluster.scan(n(2), cursor, 7);
                assertNull(page.error);
                page.value.keys().forEach(key -> seen.add(new String(key.toByteArray(), java.nio.charset.StandardCharsets.UTF_8)));
                cursor = page.value.next();
            } while (!cursor.equals(ScanCursor.START));
            Set<String> odd = new java.util.TreeSet<>();
            for (int i = 1; i < 20; i += 2) {
                odd.add("k" + i);
            }
            assertEquals(odd, seen);
            assertFalse(seen.contains("k0"));
        });
    }

    private record Changed(Value value, boolean changed) {
    }

    private static Changed change(TestCluster cluster, NodeId via, Expiry expiry, Expiry.Condition condition) {
        TestCluster.Outcome<Changed> outcome = new TestCluster.Outcome<>();
        cluster.coordinator(via).changeExpiry(Key.utf8("k"), expiry, condition, QUORUM, changedInto(outcome));
        cluster.await(outcome);
        assertNull(outcome.error, outcome.message);
        return outcome.value;
    }

    /** @return four nodes whose messages take 20 ms, so a change of expiry's read and write are far apart */
    private static TestCluster slowLinks(long seed) {
        return slowLinks(seed, ReplicationConfig.DEFAULT.resolver());
    }

    /** @return four nodes under {@code resolver} whose every message takes 20 ms */
    private static TestCluster slowLinks(long seed, String resolver) {
        TestCluster cluster = new TestCluster(seed, 4, ReplicationConfig.DEFAULT.withResolver(resolver));
        cluster.sim.network().latency(LatencyModel.fixed(20 * MS));
        return cluster;
    }

    private static io.ringkv.ring.PreferenceList replicasOfK(TestCluster cluster) {
        return cluster.ring.preferenceList(io.ringkv.ring.Partitioner.token(Key.utf8("k")));
    }

    /** @return a node that is not one of {@code replicas}: it hands its writes of k to the first of them */
    private static NodeId outside(TestCluster cluster, io.ringkv.ring.PreferenceList replicas) {
        return cluster.ids.stream().filter(id -> !replicas.contains(id)).findFirst().orElseThrow();
    }

    /** @return the outcome of a DEL of k at QUORUM through the key's second replica, sent 45 ms from now */
    private static TestCluster.Outcome<Version> deleteKThroughTheSecondAt45Ms(TestCluster cluster,
                                                                             io.ringkv.ring.PreferenceList replicas) {
        TestCluster.Outcome<Version> deleted = new TestCluster.Outcome<>();
        cluster.sim.schedule(45 * MS, () -> cluster.coordinator(replicas.get(1).id()).delete(Key.utf8("k"), null,
            QUORUM, TestCluster.putInto(deleted)));
        return deleted;
    }

    /** @return the outcome of an EXPIRE k 100 s through {@code via} at QUORUM, sent now and answered later */
    private static TestCluster.Outcome<Changed> startChangeOfK(TestCluster cluster, NodeId via) {
        TestCluster.Outcome<Changed> changed = new TestCluster.Outcome<>();
        cluster.coordinator(via).changeExpiry(Key.utf8("k"), Expiry.after(100_000), Expiry.Condition.ALWAYS, QUORUM,
            changedInto(changed));
        return changed;
    }

    private static ExpiryCallback changedInto(TestCluster.Outcome<Changed> outcome) {
        return new ExpiryCallback() {
            @Override
            public void onSuccess(Value value, boolean changed) {
                outcome.value = new Changed(value, changed);
                outcome.done = true;
            }

            @Override
            public void onFailure(ErrorCode code, String message) {
                outcome.error = code;
                outcome.message = message;
                outcome.done = true;
            }
        };
    }

    private static long expiry(TestCluster cluster, NodeId via) {
        return cluster.get(via, "k", QUORUM).value.expiresAtMillis();
    }

    private static Set<io.ringkv.api.Dot> dots(SiblingSet set) {
        Set<io.ringkv.api.Dot> dots = new java.util.HashSet<>();
        set.versions().forEach(v -> dots.add(v.version().dot()));
        return dots;
    }
}
