package io.ringkv.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.Key;
import io.ringkv.api.KvException;
import io.ringkv.api.NodeId;
import io.ringkv.api.SendResult;
import io.ringkv.api.TransportCounter;
import io.ringkv.api.TimerHandler;
import io.ringkv.storage.StorageEngine;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class SimulationTest {
    private static final long MS = 1_000_000;
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final NodeId C = NodeId.of("c");

    private static Simulation twoNodes(long seed) {
        Simulation sim = new Simulation(seed);
        sim.addNode(A, (context, disk) -> new EchoNode(context));
        sim.addNode(B, (context, disk) -> new EchoNode(context));
        return sim;
    }

    private static EchoNode echo(Simulation sim, NodeId id) {
        return sim.<EchoNode>node(id).instance();
    }

    /** Sends {@code count} pings from a to b, one every 10 µs of virtual time, then runs until quiet. */
    private static void pingBurst(Simulation sim, int count) {
        for (int i = 0; i < count; i++) {
            long sequence = i;
            sim.schedule(i * 10_000L, () -> echo(sim, A).ping(B, sequence));
        }
        sim.runFor(10_000 * MS);
    }

    /** A busy run with every fault on: nodes ping random peers from timers. */
    private static long chattyRunHash(long seed) {
        Simulation sim = new Simulation(seed);
        List<NodeId> ids = List.of(A, B, C, NodeId.of("d"), NodeId.of("e"));
        for (NodeId id : ids) {
            sim.addNode(id, (context, disk) -> {
                EchoNode node = new EchoNode(context);
                TimerHandler tick = new TimerHandler() {
                    long sequence;

                    @Override
                    public void onTimer(long timerId) {
                        node.ping(ids.get(context.random().nextInt(ids.size())), sequence++);
                        context.timers().schedule(context.random().nextLong(1, 5 * MS), this);
                    }
                };
                context.timers().schedule(MS, tick);
                return node;
            });
        }
        sim.network().latency(LatencyModel.exponential(50_000, 400_000)).dropRate(0.05).duplicateRate(0.05);
        sim.node(C).clockDriftPpm(300).clockSkewMillis(-2_000);
        sim.schedule(200 * MS, () -> sim.crash(B));
        sim.schedule(400 * MS, () -> sim.restart(B));
        sim.runFor(1_000 * MS);
        assertTrue(sim.stats().delivered() > 1_000, "the run must actually exchange messages");
        return sim.traceHash();
    }

    @Test
    void theSameSeedGivesTheSameHistory() {
        assertEquals(chattyRunHash(42), chattyRunHash(42));
    }

    @Test
    void differentSeedsGiveDifferentHistories() {
        Set<Long> hashes = new HashSet<>();
        for (long seed = 1; seed <= 20; seed++) {
            hashes.add(chattyRunHash(seed));
        }
        assertEquals(20, hashes.size());
    }

    @Test
    void withoutFaultsEveryPingIsAnsweredOnce() {
        Simulation sim = twoNodes(1);
        pingBurst(sim, 500);
        assertEquals(500, echo(sim, B).pings.size());
        assertEquals(500, echo(sim, A).pongs.size());
        assertEquals(1000, sim.stats().delivered());
    }

    @Test
    void droppedMessagesNeverArrive() {
        Simulation sim = twoNodes(1);
        sim.network().dropRate(0.3);
        pingBurst(sim, 1000);
        int pings = echo(sim, B).pings.size();
        assertTrue(pings > 600 && pings < 800, "about 70% of pings should arrive, got " + pings);
        assertEquals(sim.stats().sent() - sim.stats().dropped(), sim.stats().delivered());
    }

    @Test
    void duplicatedMessagesArriveTwice() {
        Simulation sim = twoNodes(1);
        sim.network().duplicateRate(0.2);
        pingBurst(sim, 500);
        long distinct = echo(sim, B).pings.stream().mapToLong(EchoNode.Received::sequence).distinct().count();
        assertEquals(500, distinct);
        assertTrue(echo(sim, B).pings.size() > 550, "about 100 pings should arrive twice");
        assertTrue(sim.stats().duplicated() > 0);
    }

    @Test
    void spreadLatencyReordersMessagesAndFixedLatencyDoesNot() {
        Simulation spread = twoNodes(1);
        spread.network().latency(LatencyModel.uniform(0, 2 * MS));
        pingBurst(spread, 300);
        assertTrue(inversions(echo(spread, B).pings) > 0, "wide latency must reorder");

        Simulation fixed = twoNodes(1);
        fixed.network().latency(LatencyModel.fixed(MS));
        pingBurst(fixed, 300);
        assertEquals(0, inversions(echo(fixed, B).pings));
    }

    private static int inversions(List<EchoNode.Received> received) {
        int inversions = 0;
        for (int i = 1; i < received.size(); i++) {
            if (received.get(i).sequence() < received.get(i - 1).sequence()) {
                inversions++;
            }
        }
        return inversions;
    }

    @Test
    void aPartitionBlocksBothWaysUntilHealed() {
        Simulation sim = twoNodes(1);
        sim.network().partition(List.of(A), List.of(B));
        pingBurst(sim, 10);
        assertEquals(0, echo(sim, B).pings.size());
        assertEquals(10, sim.stats().blocked());
        sim.network().heal();
        echo(sim, A).ping(B, 99);
        sim.runFor(100 * MS);
        assertEquals(1, echo(sim, B).pings.size());
        assertEquals(1, echo(sim, A).pongs.size());
    }

    @Test
    void aOneWayBlockDropsOnlyOneDirection() {
        Simulation sim = twoNodes(1);
        sim.network().block(B, A);
        pingBurst(sim, 10);
        assertEquals(10, echo(sim, B).pings.size(), "a to b still flows");
        assertEquals(0, echo(sim, A).pongs.size(), "b to a is blocked");
    }

    @Test
    void messagesToACrashedNodeAreLostAndItsTimersDie() {
        Simulation sim = twoNodes(1);
        AtomicInteger fired = new AtomicInteger();
        echo(sim, B).context().timers().schedule(50 * MS, id -> fired.incrementAndGet());
        sim.crash(B);
        pingBurst(sim, 10);
        assertEquals(10, sim.stats().lostToDownNode());
        assertEquals(0, fired.get(), "a crashed node's timers must not fire");
        sim.restart(B);
        assertEquals(2, sim.node(B).incarnation());
        echo(sim, A).ping(B, 1);
        sim.runFor(100 * MS);
        assertEquals(1, echo(sim, B).pings.size(), "the restarted node starts empty and answers");
    }

    @Test
    void aCrashLosesExactlyWhatWasNotDurable() {
        Simulation sim = new Simulation(1);
        SimNode<StorageEngine> node = sim.addNode(A, (context, disk) -> disk.open("data"));
        StorageEngine engine = node.instance();
        engine.put(1, Key.utf8("flushed"), new byte[] {1}, new byte[] {10});
        engine.put(2, Key.utf8("overwritten"), new byte[] {1}, new byte[] {20});
        engine.flush();
        engine.put(2, Key.utf8("overwritten"), new byte[] {2}, new byte[] {21});
        engine.delete(1, Key.utf8("flushed"), new byte[] {2});
        engine.put(3, Key.utf8("unflushed"), new byte[] {1}, new byte[] {30});
        node.disk().write("generation", new byte[] {7});
        node.disk().sync();
        node.disk().write("generation", new byte[] {8});

        sim.crash(A);
        assertEquals(ErrorCode.CLOSED,
            assertThrows(KvException.class, () -> engine.get(1, Key.utf8("flushed"))).code(),
            "the dead incarnation's engine must refuse use");
        sim.restart(A);
        StorageEngine reopened = sim.<StorageEngine>node(A).instance();
        assertArrayEquals(new byte[] {10}, reopened.get(1, Key.utf8("flushed")).value());
        assertArrayEquals(new byte[] {20}, reopened.get(2, Key.utf8("overwritten")).value());
        assertNull(reopened.get(3, Key.utf8("unflushed")));
        assertArrayEquals(new byte[] {7}, node.disk().read("generation"));
    }

    @Test
    void skewShiftsTheWallClockAndDriftChangesTheRateOfTime() {
        Simulation sim = twoNodes(1);
        sim.node(B).clockSkewMillis(5_000).clockDriftPpm(1_000);
        sim.runFor(10_000 * MS);
        long wallA = echo(sim, A).context().clock().wallClockMillis();
        long wallB = echo(sim, B).context().clock().wallClockMillis();
        assertEquals(5_000 + 10, wallB - wallA, "5 s skew plus 1000 ppm of 10 s");
        assertEquals(10_010 * MS, echo(sim, B).context().clock().monotonicNanos());

        long[] firedAt = new long[1];
        long start = sim.now();
        echo(sim, B).context().timers().schedule(1_001 * MS, id -> firedAt[0] = sim.now());
        sim.runFor(2_000 * MS);
        assertEquals(1_000 * MS, firedAt[0] - start, "a fast clock's timer fires early in true time");
    }

    @Test
    void cancelledTimersDoNotFire() {
        Simulation sim = twoNodes(1);
        AtomicInteger fired = new AtomicInteger();
        long id = echo(sim, A).context().timers().schedule(MS, t -> fired.incrementAndGet());
        echo(sim, A).context().timers().schedule(2 * MS, t -> fired.incrementAndGet());
        assertTrue(echo(sim, A).context().timers().cancel(id));
        sim.runFor(10 * MS);
        assertEquals(1, fired.get());
    }

    @Test
    void malformedAndUnknownMessagesAreCountedAndDropped() {
        Simulation sim = twoNodes(1);
        UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
        SimTransport fromA = sim.node(A).transport();
        fromA.send(B, buffer, 0, 5);
        EchoNode.encode(buffer, EchoNode.PING, 12345, 1);
        fromA.send(B, buffer, 0, EchoNode.LENGTH);
        EchoNode.encode(buffer, EchoNode.PING, EchoNode.SCHEMA_ID, 1);
        fromA.send(B, buffer, 0, EchoNode.LENGTH - 1);
        sim.runFor(100 * MS);
        var counters = sim.node(B).transport().counters();
        assertEquals(2, counters.value(TransportCounter.DROPPED_MALFORMED), "too short for a header, and too short for the handler");
        assertEquals(1, counters.value(TransportCounter.DROPPED_UNKNOWN_SCHEMA));
        assertEquals(0, counters.value(TransportCounter.RECEIVED));
        assertEquals(1, sim.handlerFailures().size());
        assertTrue(sim.node(B).isUp());
    }

    @Test
    void sendsReportBackPressureUnknownPeersAndOversizeMessages() {
        Simulation sim = twoNodes(1);
        sim.network().linkCapacity(2);
        assertEquals(SendResult.SENT, echo(sim, A).ping(B, 1));
        assertEquals(SendResult.SENT, echo(sim, A).ping(B, 2));
        assertEquals(SendResult.BACK_PRESSURED, echo(sim, A).ping(B, 3));
        assertEquals(SendResult.UNKNOWN_DESTINATION, echo(sim, A).ping(NodeId.of("nobody"), 4));
        UnsafeBuffer huge = new UnsafeBuffer(new byte[SimTransport.MAX_MESSAGE_BYTES + 1]);
        assertEquals(SendResult.TOO_LARGE, sim.node(A).transport().send(B, huge, 0, huge.capacity()));
        var counters = sim.node(A).transport().counters();
        assertEquals(1, counters.value(TransportCounter.BACK_PRESSURED));
        assertEquals(1, counters.value(TransportCounter.UNKNOWN_DESTINATION));
        assertEquals(1, counters.value(TransportCounter.TOO_LARGE));
        sim.runFor(100 * MS);
        assertEquals(SendResult.SENT, echo(sim, A).ping(B, 5), "capacity frees up once messages land");
    }

    @Test
    void aDuplicateHandlerRegistrationIsRefused() {
        Simulation sim = twoNodes(1);
        assertThrows(IllegalStateException.class,
            () -> sim.node(A).transport().register(EchoNode.SCHEMA_ID, (s, b, o, l) -> { }));
        assertNotNull(sim.node(A).transport());
        assertNotEquals(sim.node(A).transport(), sim.node(B).transport());
    }
}
