package io.ringkv.node.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.NodeId;
import io.ringkv.node.sbe.MessageHeaderEncoder;
import io.ringkv.node.sbe.PingEncoder;
import io.ringkv.sim.LatencyModel;
import io.ringkv.sim.SimNode;
import io.ringkv.sim.Simulation;
import io.ringkv.sim.SimulationSeeds;
import java.util.ArrayList;
import java.util.List;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/** The peer probe inside the deterministic simulator: the same code the node runs over Aeron. */
class PeerProbeSimulationTest {
    private static final long MS = 1_000_000;
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");

    private static final class Node {
        final PeerProbe probe;
        final List<String> events = new ArrayList<>();

        Node(PeerProbe.Listener unused, io.ringkv.api.NodeContext context, NodeId peer) {
            this.probe = new PeerProbe(context, List.of(peer), 100 * MS, 3, new PeerProbe.Listener() {
                @Override
                public void onReachable(NodeId p, long roundTripNanos) {
                    events.add(p + " reachable");
                }

                @Override
                public void onUnreachable(NodeId p) {
                    events.add(p + " unreachable");
                }
            });
            probe.start();
        }
    }

    private static Simulation pair(long seed) {
        Simulation sim = new Simulation(seed);
        sim.addNode(A, (context, disk) -> new Node(null, context, B));
        sim.addNode(B, (context, disk) -> new Node(null, context, A));
        return sim;
    }

    private static Node node(Simulation sim, NodeId id) {
        SimNode<Node> node = sim.node(id);
        return node.instance();
    }

    @Test
    void peersBecomeReachableThenUnreachableWhenPartitionedAndReachableWhenHealed() {
        Simulation sim = pair(1);
        sim.runFor(500 * MS);
        assertTrue(node(sim, A).probe.isReachable(B));
        sim.network().partition(List.of(A), List.of(B));
        sim.runFor(1_000 * MS);
        assertFalse(node(sim, A).probe.isReachable(B));
        sim.network().heal();
        sim.runFor(500 * MS);
        assertEquals(List.of("b reachable", "b unreachable", "b reachable"), node(sim, A).events);
    }

    @Test
    void aCrashedPeerIsUnreachableAndAfterRestartReachableAgain() {
        Simulation sim = pair(1);
        sim.runFor(500 * MS);
        sim.crash(B);
        sim.runFor(1_000 * MS);
        assertFalse(node(sim, A).probe.isReachable(B));
        sim.restart(B);
        sim.runFor(500 * MS);
        assertTrue(node(sim, A).probe.isReachable(B));
        assertTrue(node(sim, B).probe.isReachable(A), "the restarted node finds its peer too");
    }

    @Test
    void underFivePercentLossFalseUnreachableReportsStayRare() {
        // Three lost round trips in a row (p ~ 0.001 per round at 5 % loss each way) do make a live peer look
        // unreachable now and then: the probe trades that for detecting a crash in 3 intervals. Over 200 rounds
        // the expected count is 0.2; more than 3 would mean the probe misjudges, not bad luck.
        SimulationSeeds.run(getClass(), "underFivePercentLossFalseUnreachableReportsStayRare", "kv-node", 50, seed -> {
            Simulation sim = pair(seed);
            sim.network().dropRate(0.05).latency(LatencyModel.exponential(100_000, 2 * MS));
            sim.runFor(20_000 * MS);
            List<String> events = node(sim, A).events;
            assertEquals("b reachable", events.getFirst());
            long falseAlarms = events.stream().filter(e -> e.equals("b unreachable")).count();
            assertTrue(falseAlarms <= 3, falseAlarms + " false unreachable reports: " + events);
            assertEquals(List.of(), sim.handlerFailures());
        });
    }

    @Test
    void aPingWhosePayloadLengthLiesIsDroppedAsMalformed() {
        Simulation sim = pair(1);
        sim.runFor(500 * MS);
        UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
        PingEncoder ping = new PingEncoder().wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder());
        ping.correlationId(1).sendTimestampNanos(0).putPayload(buffer, 0, 0);
        int length = MessageHeaderEncoder.ENCODED_LENGTH + ping.encodedLength();
        buffer.putInt(length - 4, 1_000_000, java.nio.ByteOrder.LITTLE_ENDIAN);
        long answeredBefore = node(sim, B).probe.pingsAnswered();
        sim.node(A).transport().send(B, buffer, 0, length);
        sim.runFor(50 * MS);
        assertEquals(1, sim.node(B).transport().counters().droppedMalformed());
        assertEquals(1, sim.handlerFailures().size());
        assertTrue(node(sim, B).probe.pingsAnswered() > answeredBefore, "the probe keeps answering real pings");
    }
}
