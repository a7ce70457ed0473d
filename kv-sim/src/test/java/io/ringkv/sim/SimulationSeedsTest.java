package io.ringkv.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.NodeId;
import java.util.List;
import org.junit.jupiter.api.Test;

class SimulationSeedsTest {
    private static final long MS = 1_000_000;

    @Test
    void everyPongAnswersAPingAcrossManySeedsWithFaults() {
        int ran = SimulationSeeds.run(getClass(), "everyPongAnswersAPingAcrossManySeedsWithFaults", "kv-sim", 100,
            SimulationSeedsTest::pongsNeverOutnumberPings);
        assertTrue(ran >= 1);
    }

    /** Invariant over the whole history: each pong a node received answers a ping it sent (by sequence). */
    private static void pongsNeverOutnumberPings(long seed) {
        Simulation sim = new Simulation(seed);
        List<NodeId> ids = List.of(NodeId.of("a"), NodeId.of("b"), NodeId.of("c"));
        for (NodeId id : ids) {
            sim.addNode(id, (context, disk) -> new EchoNode(context));
        }
        sim.network().dropRate(0.1).duplicateRate(0.1).latency(LatencyModel.exponential(10_000, 500_000));
        int perNode = 50;
        for (int i = 0; i < perNode; i++) {
            long sequence = i;
            sim.schedule(i * 100_000L, () -> {
                for (NodeId id : ids) {
                    EchoNode node = sim.<EchoNode>node(id).instance();
                    node.ping(ids.get((int) ((sequence + 1 + ids.indexOf(id)) % ids.size())), sequence);
                }
            });
        }
        sim.runFor(1_000 * MS);
        for (NodeId id : ids) {
            EchoNode node = sim.<EchoNode>node(id).instance();
            for (EchoNode.Received pong : node.pongs) {
                assertTrue(pong.sequence() >= 0 && pong.sequence() < perNode, "pong for a ping never sent");
            }
        }
        assertEquals(List.of(), sim.handlerFailures());
    }

    @Test
    void aFailingSeedIsReportedWithTheCommandThatReplaysIt() {
        AssertionError failure = assertThrows(AssertionError.class,
            () -> SimulationSeeds.run(getClass(), "someTest", "kv-sim", 5, seed -> {
                if (seed == 3) {
                    throw new AssertionError("invariant broken");
                }
            }));
        assertTrue(failure.getMessage().contains("seed 3: invariant broken"), failure.getMessage());
        assertTrue(failure.getMessage().contains(
            "bin/test -pl kv-sim -am -Dsurefire.failIfNoSpecifiedTests=false -Dtest=SimulationSeedsTest#someTest"
                + " -Dsim.seed=3"), failure.getMessage());
    }
}
