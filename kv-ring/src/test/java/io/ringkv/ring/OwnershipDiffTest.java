package io.ringkv.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import io.ringkv.api.Node;
import io.ringkv.api.NodeId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class OwnershipDiffTest {
    private static final Node A = TestRings.node(1, "r1");
    private static final Node B = TestRings.node(2, "r1");

    @Test
    void joinMovesDataOnlyToTheJoiningNode() {
        long seed = Seeds.seed(11L);
        SplittableRandom random = Seeds.random(seed);
        for (int round = 0; round < 40; round++) {
            Ring before = TestRings.random(random, 1 + random.nextInt(10), 8, 1 + random.nextInt(4),
                1 + random.nextInt(3));
            String strategy = round % 2 == 0 ? TokenAllocators.BALANCED : TokenAllocators.RANDOM;
            Node joiner = TestRings.node(100, "r" + random.nextInt(3));
            long[] tokens = TokenAllocators.create(strategy, random.split()).allocate(before, joiner, 1 + random.nextInt(16));
            Ring after = before.withNode(joiner, tokens);
            String context = strategy + ", ring " + round + ", " + Seeds.replay(seed, getClass(),
                "joinMovesDataOnlyToTheJoiningNode");
            OwnershipDiff diff = OwnershipDiff.between(before, after);
            assertTrue(!diff.isEmpty(), context);
            for (RangeTransfer transfer : diff.transfers()) {
                assertEquals(joiner.id(), transfer.to(), context);
                assertNotEquals(joiner.id(), transfer.from(), context);
            }
            assertEquals(after.replicatedOwnership().get(joiner.id()), diff.movedFraction(), 1e-9,
                "moved amount equals the joiner's replicated ownership; " + context);
        }
    }

    @Test
    void leaveMovesDataOnlyFromTheLeavingNode() {
        long seed = Seeds.seed(12L);
        SplittableRandom random = Seeds.random(seed);
        for (int round = 0; round < 40; round++) {
            Ring before = TestRings.random(random, 2 + random.nextInt(10), 8, 1 + random.nextInt(4),
                1 + random.nextInt(3));
            NodeId leaver = before.node(random.nextInt(before.size())).id();
            Ring after = before.withoutNode(leaver);
            String context = "ring " + round + ", " + Seeds.replay(seed, getClass(),
                "leaveMovesDataOnlyFromTheLeavingNode");
            OwnershipDiff diff = OwnershipDiff.between(before, after);
            for (RangeTransfer transfer : diff.transfers()) {
                assertEquals(leaver, transfer.from(), context);
            }
            if (before.size() > before.replicationFactor()) {
                assertEquals(before.replicatedOwnership().get(leaver), diff.movedFraction(), 1e-9, context);
            }
        }
    }

    @Test
    void everyPieceOfTheRingMovesExactlyAsItsReplicaSetsChange() {
        long seed = Seeds.seed(13L);
        SplittableRandom random = Seeds.random(seed);
        for (int round = 0; round < 30; round++) {
            int rf = 1 + random.nextInt(4);
            Ring before = TestRings.random(random, 1 + random.nextInt(8), 6, rf, 2);
            Ring after = TestRings.random(random, 1 + random.nextInt(8), 6, rf, 2);
            OwnershipDiff diff = OwnershipDiff.between(before, after);
            for (long token : probes(before, after, random)) {
                assertEquals(expectedRoutes(before, after, token), routesThrough(diff, token),
                    "token " + token + ", ring " + round + ", " + Seeds.replay(seed, getClass(),
                        "everyPieceOfTheRingMovesExactlyAsItsReplicaSetsChange"));
            }
        }
    }

    @Test
    void adjacentPiecesWithTheSameRouteMergeAcrossTheRingStart() {
        Ring before = Ring.builder().replicationFactor(1).add(A, 100).build();
        Ring after = before.withNode(B, new long[] {-100, 200});
        assertEquals(List.of(new RangeTransfer(new TokenRange(100, -100), A.id(), B.id())),
            OwnershipDiff.between(before, after).transfers());
    }

    @Test
    void transfersAreOrderedByRangeStart() {
        Ring before = TestRings.random(Seeds.random(14L), 6, 8, 3, 1);
        Ring after = before.withNode(TestRings.node(50, "r1"), new long[] {1, 1L << 40, -(1L << 50)});
        List<RangeTransfer> transfers = OwnershipDiff.between(before, after).transfers();
        List<RangeTransfer> sorted = new ArrayList<>(transfers);
        sorted.sort(Comparator.comparingLong(t -> t.range().start()));
        assertEquals(sorted, transfers);
        assertEquals(transfers, OwnershipDiff.between(before, after).transfers());
    }

    @Test
    void sameRingMovesNothing() {
        Ring ring = TestRings.random(Seeds.random(15L), 5, 4, 3, 2);
        assertTrue(OwnershipDiff.between(ring, ring).isEmpty());
    }

    @Test
    void emptyRingOnEitherSideMovesNothing() {
        Ring ring = Ring.builder().add(A, 5).build();
        assertTrue(OwnershipDiff.between(Ring.empty(3), ring).isEmpty());
        assertTrue(OwnershipDiff.between(ring, Ring.empty(3)).isEmpty());
    }

    @Test
    void ringsWithDifferentReplicationFactorsCannotBeCompared() {
        KvException error = assertThrows(KvException.class,
            () -> OwnershipDiff.between(Ring.empty(2), Ring.empty(3)));
        assertEquals(ErrorCode.INVALID_ARGUMENT, error.code());
    }

    /** The rule: each new replica receives from a replica that left (in order), else from the old primary. */
    private static List<String> expectedRoutes(Ring before, Ring after, long token) {
        List<NodeId> old = before.preferenceList(token).replicas().stream().map(Node::id).toList();
        List<NodeId> now = after.preferenceList(token).replicas().stream().map(Node::id).toList();
        List<NodeId> leaving = old.stream().filter(id -> !now.contains(id)).toList();
        List<String> routes = new ArrayList<>();
        for (NodeId receiver : now) {
            if (!old.contains(receiver)) {
                NodeId sender = routes.size() < leaving.size() ? leaving.get(routes.size()) : old.getFirst();
                routes.add(sender + "->" + receiver);
            }
        }
        routes.sort(Comparator.naturalOrder());
        return routes;
    }

    private static List<String> routesThrough(OwnershipDiff diff, long token) {
        List<String> routes = new ArrayList<>();
        for (RangeTransfer transfer : diff.transfers()) {
            if (transfer.range().contains(token)) {
                routes.add(transfer.from() + "->" + transfer.to());
            }
        }
        routes.sort(Comparator.naturalOrder());
        return routes;
    }

    private static List<Long> probes(Ring before, Ring after, SplittableRandom random) {
        List<Long> probes = new ArrayList<>(List.of(Long.MIN_VALUE, Long.MAX_VALUE));
        for (Ring ring : List.of(before, after)) {
            for (int i = 0; i < ring.tokenCount(); i++) {
                probes.add(ring.token(i));
                probes.add(ring.token(i) + 1);
            }
        }
        for (int i = 0; i < 30; i++) {
            probes.add(random.nextLong());
        }
        return probes;
    }
}
