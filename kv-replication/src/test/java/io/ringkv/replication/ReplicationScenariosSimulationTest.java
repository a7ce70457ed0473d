package io.ringkv.replication;

import static io.ringkv.replication.TestCluster.MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.Consistency;
import io.ringkv.api.ErrorCode;
import io.ringkv.api.Key;
import io.ringkv.api.NodeId;
import io.ringkv.api.SiblingSet;
import io.ringkv.api.Value;
import io.ringkv.api.Version;
import io.ringkv.sim.LatencyModel;
import io.ringkv.sim.SimulationSeeds;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/** Siblings, last-write-wins under skew, deletes and read repair, failures and bad input, in the simulator. */
class ReplicationScenariosSimulationTest {
    private static final Consistency QUORUM = Consistency.DEFAULT;
    private static final Consistency ALL = new Consistency(3, 3, 2);

    private static NodeId n(int i) {
        return NodeId.of("n" + i);
    }

    @Test
    void concurrentWritesBecomeSiblingsAndAWriteWithTheirContextResolvesThem() {
        SimulationSeeds.run(getClass(), "concurrentWritesBecomeSiblingsAndAWriteWithTheirContextResolvesThem",
            "kv-replication", 20, seed -> {
                TestCluster cluster = new TestCluster(seed, 3, ReplicationConfig.DEFAULT);
                cluster.sim.network().dropRate(0.05).duplicateRate(0.05)
                    .latency(LatencyModel.exponential(100_000, MS));
                assertTrue(cluster.put(n(1), "k", "v0", null, QUORUM).succeeded());
                SiblingSet first = cluster.get(n(1), "k", QUORUM).value;
                TestCluster.Outcome<Version> x = new TestCluster.Outcome<>();
                TestCluster.Outcome<Version> y = new TestCluster.Outcome<>();
                cluster.coordinator(n(1)).put(Key.utf8("k"), Value.utf8("x"), first.context(), TestCluster.putInto(x));
                cluster.coordinator(n(2)).put(Key.utf8("k"), Value.utf8("y"), first.context(), TestCluster.putInto(y));
                cluster.await(x);
                cluster.await(y);
                assertTrue(x.succeeded() && y.succeeded(), x.error + " " + y.error);
                SiblingSet siblings = cluster.get(n(3), "k", ALL).value;
                assertEquals(Set.of(Value.utf8("x"), Value.utf8("y")), Set.copyOf(siblings.values()));
                assertTrue(cluster.put(n(3), "k", "xy", siblings.context(), QUORUM).succeeded());
                assertEquals(List.of(Value.utf8("xy")), cluster.get(n(2), "k", QUORUM).value.values());
                assertEquals(List.of(), cluster.sim.handlerFailures());
            });
    }

    @Test
    void withLwwTheCausallyLaterWriteWinsDespiteFiveSecondsOfClockSkew() {
        SimulationSeeds.run(getClass(), "withLwwTheCausallyLaterWriteWinsDespiteFiveSecondsOfClockSkew",
            "kv-replication", 20, seed -> {
                TestCluster cluster = new TestCluster(seed, 3, ReplicationConfig.DEFAULT.withResolver("lww"));
                cluster.sim.node(n(1)).clockSkewMillis(5_000);
                cluster.sim.node(n(2)).clockSkewMillis(-5_000);
                cluster.sim.network().dropRate(0.05).latency(LatencyModel.exponential(100_000, MS));
                Version ahead = cluster.put(n(1), "k", "from-the-future", null, QUORUM).value;
                SiblingSet seen = cluster.get(n(2), "k", QUORUM).value;
                assertEquals(List.of(Value.utf8("from-the-future")), seen.values());
                Version later = cluster.put(n(2), "k", "later", seen.context(), QUORUM).value;
                assertTrue(later.timestamp().isAfter(ahead.timestamp()),
                    "n2's wall clock is 10 s behind n1's, yet its later write is stamped later: " + later + " vs "
                        + ahead);
                for (int i = 1; i <= 3; i++) {
                    assertEquals(List.of(Value.utf8("later")), cluster.get(n(i), "k", QUORUM).value.values());
                }
            });
    }

    @Test
    void aNodeThatDoesNotServeYetTakesNoWriteAndAnswersNoReadUntilItDoes() {
        SimulationSeeds.run(getClass(), "aNodeThatDoesNotServeYetTakesNoWriteAndAnswersNoReadUntilItDoes",
            "kv-replication", 5, seed -> {
                TestCluster cluster = new TestCluster(seed, 3, ReplicationConfig.DEFAULT);
                Consistency writeAll = new Consistency(3, 1, 3);
                Consistency readAll = new Consistency(3, 3, 1);
                boolean[] serving = {false};
                cluster.node(n(3)).serveOnlyWhile(() -> serving[0]);
                assertTrue(cluster.put(n(1), "k", "v", null, QUORUM).succeeded());
                assertFalse(cluster.put(n(1), "k2", "v2", null, writeAll).succeeded(), "the third replica acked");
                assertFalse(cluster.get(n(2), "k", readAll).succeeded(), "the third replica answered a read");
                assertEquals(List.of(), cluster.stored(n(3), "k").values(), "a node not serving stored a write");
                assertTrue(cluster.sim.node(n(3)).counters().value("replication_dropped_not_serving") >= 2);
                serving[0] = true;
                assertTrue(cluster.put(n(1), "k3", "v3", null, writeAll).succeeded());
                assertEquals(List.of(Value.utf8("v3")), cluster.stored(n(3), "k3").values());
                assertEquals(List.of(Value.utf8("v")), cluster.get(n(2), "k", readAll).value.values());
            });
    }

    @Test
    void aDeleteIsNotBroughtBackByAReplicaThatMissedIt() {
        SimulationSeeds.run(getClass(), "aDeleteIsNotBroughtBackByAReplicaThatMissedIt", "kv-replication", 20,
            seed -> {
                for (String resolver : List.of("vector-clock", "lww")) {
                    TestCluster cluster = new TestCluster(seed, 3, ReplicationConfig.DEFAULT.withResolver(resolver));
                    cluster.sim.network().duplicateRate(0.05).latency(LatencyModel.exponential(100_000, MS));
                    assertTrue(cluster.put(n(1), "k", "v", null, QUORUM).succeeded());
                    cluster.sim.runFor(100 * MS);
                    assertFalse(cluster.stored(n(3), "k").isDeleted());
                    cluster.sim.crash(n(3));
                    SiblingSet before = cluster.get(n(1), "k", QUORUM).value;
                    assertTrue(cluster.delete(n(1), "k", before.context(), QUORUM).succeeded());
                    cluster.sim.restart(n(3));
                    assertFalse(cluster.stored(n(3), "k").isDeleted(),
                        "the restarted replica still holds the old value");
                    assertTrue(cluster.get(n(3), "k", ALL).value.isDeleted(), resolver);
                    cluster.sim.runFor(100 * MS);
                    assertTrue(cluster.stored(n(3), "k").isDeleted(),
                        "read repair sent the tombstone (" + resolver + ")");
                    assertTrue(cluster.node(n(3)).counters().readRepairsSent() >= 1);
                    assertTrue(cluster.get(n(3), "k", new Consistency(3, 1, 1)).value.isDeleted());
                }
            });
    }

    @Test
    void tooFewLiveReplicasFailAtOnceWithUnavailable() {
        TestCluster cluster = new TestCluster(1, 3, ReplicationConfig.DEFAULT,
            node -> node.equals(NodeId.of("n1")));
        TestCluster.Outcome<Version> put = new TestCluster.Outcome<>();
        cluster.coordinator(n(1)).put(Key.utf8("k"), Value.utf8("v"), null, TestCluster.putInto(put));
        assertTrue(put.done, "answered before any message was sent");
        assertEquals(ErrorCode.UNAVAILABLE, put.error);
        assertEquals(1, cluster.node(n(1)).counters().unavailable());
        assertTrue(cluster.get(n(1), "k", new Consistency(3, 1, 1)).succeeded(), "R=1 needs only the local replica");
    }

    @Test
    void unansweredRequestsTimeOutAfterTheConfiguredSecond() {
        TestCluster cluster = new TestCluster(1, 3, ReplicationConfig.DEFAULT);
        cluster.sim.network().partition(List.of(n(1)), List.of(n(2), n(3)));
        long start = cluster.sim.now();
        TestCluster.Outcome<Version> put = cluster.put(n(1), "k", "v", null, QUORUM);
        assertEquals(ErrorCode.TIMEOUT, put.error);
        assertEquals(1_000 * MS, cluster.sim.now() - start, 1 * MS);
        assertEquals(ErrorCode.TIMEOUT, cluster.get(n(1), "k", QUORUM).error);
        assertTrue(cluster.node(n(1)).counters().retransmits() > 0, "unanswered replicas were asked again");
        assertEquals(2, cluster.node(n(1)).counters().timeouts());
    }

    @Test
    void aTenKibValueCrossesInOneMessageAndReadsBackIntact() {
        TestCluster cluster = new TestCluster(1, 3, ReplicationConfig.DEFAULT);
        byte[] bytes = new byte[10 * 1024];
        Arrays.fill(bytes, (byte) 7);
        TestCluster.Outcome<Version> put = new TestCluster.Outcome<>();
        cluster.coordinator(n(1)).put(Key.utf8("big"), Value.of(bytes), null, new Consistency(3, 3, 3),
            TestCluster.putInto(put));
        assertTrue(cluster.await(put).succeeded(), String.valueOf(put.error));
        SiblingSet read = cluster.get(n(2), "big", new Consistency(3, 3, 3)).value;
        assertEquals(List.of(Value.of(bytes)), read.values());
        assertEquals(0, cluster.sim.node(n(1)).counters().value("transport_too_large"));
    }

    @Test
    void malformedReplicationMessagesAreDroppedAndCountedNotThrown() {
        TestCluster cluster = new TestCluster(1, 3, ReplicationConfig.DEFAULT);
        UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
        // an SBE header of the current schema version, template 1 (Put), with a block that claims more bytes than
        // the message has
        short current = io.ringkv.replication.sbe.MessageHeaderDecoder.SCHEMA_VERSION;
        buffer.putShort(0, (short) 16, ByteOrder.LITTLE_ENDIAN);
        buffer.putShort(2, (short) 1, ByteOrder.LITTLE_ENDIAN);
        buffer.putShort(4, (short) Replication.SCHEMA_ID, ByteOrder.LITTLE_ENDIAN);
        buffer.putShort(6, current, ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(24, 1_000_000, ByteOrder.LITTLE_ENDIAN);
        cluster.sim.node(n(1)).transport().send(n(2), buffer, 0, 40);
        // schema version 1 (before dotted versions): its versions mean something else, so it is not read
        buffer.putShort(0, (short) 0, ByteOrder.LITTLE_ENDIAN);
        buffer.putShort(6, (short) 1, ByteOrder.LITTLE_ENDIAN);
        cluster.sim.node(n(1)).transport().send(n(2), buffer, 0, 40);
        buffer.putShort(2, (short) 99, ByteOrder.LITTLE_ENDIAN);
        buffer.putShort(6, current, ByteOrder.LITTLE_ENDIAN);
        cluster.sim.node(n(1)).transport().send(n(2), buffer, 0, 40);
        cluster.sim.runFor(50 * MS);
        assertEquals(2, cluster.node(n(2)).counters().droppedMalformed());
        assertEquals(1, cluster.node(n(2)).counters().droppedUnknownTemplate());
        assertEquals(List.of(), cluster.sim.handlerFailures(), "nothing was thrown out of the handler");
        assertTrue(cluster.put(n(2), "k", "v", null, QUORUM).succeeded(), "the node keeps serving");
    }
}
