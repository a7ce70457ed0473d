package io.ringkv.gossip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.Node;
import io.ringkv.api.NodeId;
import io.ringkv.ring.Ring;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The ring built from a view while a node replaces a dead one. */
class MembershipRingTest {
    private static final long[] DEAD_TOKENS = {10, 20, 30};

    private static EndpointState state(String id, long generation, NodeStatus status, long[] tokens) {
        return EndpointState.initial(new Node(NodeId.of(id), "10.0.0.1", 7400, 7379, Node.DEFAULT_ZONE,
            Node.DEFAULT_RACK), generation, status, tokens, Map.of());
    }

    private static EndpointState replacement(EndpointState dead, NodeStatus status) {
        return state("z-new", 9, status, DEAD_TOKENS)
            .withApplicationState(MembershipRing.REPLACING, MembershipRing.replacing(dead));
    }

    @Test
    void aNormalReplacementOwnsTheDeadNodesTokensBeforeTheRemovalArrives() {
        EndpointState dead = state("a-dead", 5, NodeStatus.NORMAL, DEAD_TOKENS);
        EndpointState other = state("b-other", 5, NodeStatus.NORMAL, new long[] {15, 25});
        Ring ring = MembershipRing.build(List.of(dead, other, replacement(dead, NodeStatus.NORMAL)), 3);
        assertFalse(ring.contains(dead.id()), "the dead node kept its tokens");
        assertEquals(3, ring.tokensOf(NodeId.of("z-new")).length);
    }

    @Test
    void aJoiningReplacementOwnsTheTokensOnlyInTheFutureRing() {
        EndpointState dead = state("a-dead", 5, NodeStatus.NORMAL, DEAD_TOKENS);
        List<EndpointState> view = List.of(dead, replacement(dead, NodeStatus.JOINING));
        assertTrue(MembershipRing.build(view, 3).contains(dead.id()));
        assertFalse(MembershipRing.future(view, 3).contains(dead.id()));
        assertTrue(MembershipRing.future(view, 3).contains(NodeId.of("z-new")));
    }

    @Test
    void aLaterGenerationOfTheReplacedNodeIsNotReplaced() {
        EndpointState dead = state("a-dead", 5, NodeStatus.NORMAL, DEAD_TOKENS);
        EndpointState restarted = state("a-dead", 6, NodeStatus.NORMAL, new long[] {40, 50});
        Ring ring = MembershipRing.build(List.of(restarted, replacement(dead, NodeStatus.NORMAL)), 3);
        assertTrue(ring.contains(restarted.id()), "a restarted node with new tokens was left out");
    }

    @Test
    void theRingAsANodeThatLostATokenConflictHeldItLeavesTheWinnerOutEvenWhereTheTokensDiffer() {
        // the winner shares one token with the loser and has one of its own: left in, it would count as a replica
        // of the loser's ranges already, and a hand-over would send it nothing
        EndpointState winner = state("a-winner", 5, NodeStatus.NORMAL, new long[] {10, 40});
        EndpointState loser = state("b-loser", 5, NodeStatus.LEAVING, new long[] {10, 20, 30});
        EndpointState other = state("c-other", 5, NodeStatus.NORMAL, new long[] {15, 25});
        List<EndpointState> view = List.of(winner, loser, other);
        assertEquals(2, MembershipRing.build(view, 3).tokensOf(loser.id()).length, "the smaller id won 10");
        Ring held = MembershipRing.heldBy(view, 3, loser.id());
        assertFalse(held.contains(winner.id()));
        assertEquals(3, held.tokensOf(loser.id()).length);
        assertEquals(2, held.tokensOf(other.id()).length);
    }
}
