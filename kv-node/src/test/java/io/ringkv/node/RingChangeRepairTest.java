package io.ringkv.node;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.Node;
import io.ringkv.ring.Ring;
import org.junit.jupiter.api.Test;

/** Which ring changes make a node start a repair pass ({@link RingkvNode#rangesLeftANode}). */
class RingChangeRepairTest {
    private static final Node A = Node.of("a", "127.0.0.1", 7001, 7101);
    private static final Node B = Node.of("b", "127.0.0.1", 7002, 7102);
    private static final Node C = Node.of("c", "127.0.0.1", 7003, 7103);
    private static final Node D = Node.of("d", "127.0.0.1", 7004, 7104);

    private static Ring ring(long[] tokensOfB) {
        return Ring.empty(3).withNode(A, new long[] {-300, 100}).withNode(B, tokensOfB)
            .withNode(C, new long[] {-100, 300});
    }

    @Test
    void aNodeThatLeftTheRingOrCameBackWithOtherTokensLostRanges() {
        Ring before = ring(new long[] {-200, 200});
        assertTrue(RingkvNode.rangesLeftANode(before, before.withoutNode(B.id())), "a removed node");
        assertTrue(RingkvNode.rangesLeftANode(before, ring(new long[] {-250, 250})),
            "a node back with other tokens (its data lost; its removal and join missed)");
        assertTrue(RingkvNode.rangesLeftANode(before, ring(new long[] {-200})), "a node with fewer tokens");
    }

    @Test
    void aJoinOrAnUnchangedRingMovesNothingAway() {
        Ring before = ring(new long[] {-200, 200});
        assertFalse(RingkvNode.rangesLeftANode(before, ring(new long[] {200, -200})), "the same ring");
        assertFalse(RingkvNode.rangesLeftANode(before, before.withNode(D, new long[] {0, 400})),
            "a new node (its join streams what it takes over)");
    }
}
