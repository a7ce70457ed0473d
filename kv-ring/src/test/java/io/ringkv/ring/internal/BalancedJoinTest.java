package io.ringkv.ring.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ringkv.api.Node;
import io.ringkv.ring.Ring;
import io.ringkv.ring.RingSimulation;
import io.ringkv.ring.TokenAllocator;
import io.ringkv.ring.TokenAllocators;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BalancedJoinTest {

    @ParameterizedTest(name = "rf {0}, {1} vnodes")
    @CsvSource({"1, 4", "2, 8", "3, 16", "5, 3"})
    void searchModelPredictsTheRingsReplicatedOwnershipExactly(int rf, int vnodes) {
        TokenAllocator allocator = TokenAllocators.create("balanced", new SplittableRandom(31));
        Ring ring = Ring.empty(rf);
        for (int number = 1; number <= 12; number++) {
            Node joiner = RingSimulation.node(number);
            if (ring.size() >= rf) {
                assertModelMatches(ring, joiner, vnodes, number);
            }
            ring = ring.withNode(joiner, allocator.allocate(ring, joiner, vnodes));
        }
    }

    private static void assertModelMatches(Ring ring, Node joiner, int vnodes, int number) {
        double[] expected = BalancedJoin.expectedLoads(ring, vnodes);
        Ring after = ring.withNode(joiner, BalancedJoin.allocate(ring, vnodes));
        for (int i = 0; i < ring.size(); i++) {
            Node node = ring.node(i);
            assertEquals(expected[i], after.replicatedOwnership().get(node.id()), 1e-12,
                "join " + number + ", node " + node.id());
        }
        assertEquals(expected[ring.size()], after.replicatedOwnership().get(joiner.id()), 1e-12,
            "join " + number + ", joiner");
    }
}
