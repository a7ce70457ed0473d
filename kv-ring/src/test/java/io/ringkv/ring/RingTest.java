package io.ringkv.ring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.Key;
import io.ringkv.api.KvException;
import io.ringkv.api.Node;
import io.ringkv.api.NodeId;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RingTest {
    private static final Node A = TestRings.node(1, "r1");
    private static final Node B = TestRings.node(2, "r1");
    private static final Node C = TestRings.node(3, "r2");
    private static final Node D = TestRings.node(4, "r2");

    @Test
    void lookupAgreesWithBruteForceScan() {
        long seed = Seeds.seed(1L);
        SplittableRandom random = Seeds.random(seed);
        for (int round = 0; round < 40; round++) {
            Ring ring = TestRings.random(random, 1 + random.nextInt(12), 8, 1 + random.nextInt(5), 3);
            for (long token : probes(ring, random)) {
                String context = "ring " + round + ", token " + token + ", "
                    + Seeds.replay(seed, getClass(), "lookupAgreesWithBruteForceScan");
                int index = ring.tokenIndexFor(token);
                assertEquals(TestRings.scanTokenIndex(ring, token), index, context);
                assertTrue(ring.rangeAt(index).contains(token), context);
                assertEquals(ring.node(ring.ownerIndex(index)), ring.primary(token), context);
            }
        }
    }

    @Test
    void preferenceListsFollowTheRackAwareRuleOnRandomRings() {
        long seed = Seeds.seed(2L);
        SplittableRandom random = Seeds.random(seed);
        for (int round = 0; round < 60; round++) {
            Ring ring = TestRings.random(random, 1 + random.nextInt(10), 6, 1 + random.nextInt(6), 1 + random.nextInt(4));
            for (int i = 0; i < ring.tokenCount(); i++) {
                assertEquals(TestRings.referenceList(ring, i), ring.preferenceList(ring.token(i)).replicas(),
                    "ring " + round + ", token index " + i + ", "
                        + Seeds.replay(seed, getClass(), "preferenceListsFollowTheRackAwareRuleOnRandomRings"));
            }
        }
    }

    @Test
    void everyPreferenceListHasNDistinctNodesOrAllNodesWhenFewer() {
        long seed = Seeds.seed(3L);
        SplittableRandom random = Seeds.random(seed);
        for (int round = 0; round < 60; round++) {
            int rf = 1 + random.nextInt(6);
            Ring ring = TestRings.random(random, 1 + random.nextInt(10), 6, rf, 1 + random.nextInt(3));
            for (int i = 0; i < ring.tokenCount(); i++) {
                List<Node> list = ring.preferenceList(ring.token(i)).replicas();
                String context = "ring " + round + ", " + Seeds.replay(seed, getClass(),
                    "everyPreferenceListHasNDistinctNodesOrAllNodesWhenFewer");
                assertEquals(Math.min(rf, ring.size()), list.size(), context);
                assertEquals(list.size(), new HashSet<>(list).size(), context);
                assertEquals(ring.node(ring.ownerIndex(i)), list.getFirst(), context);
            }
        }
    }

    @Test
    void replicasSpreadOverDistinctRacksBeforeRepeatingOne() {
        Ring ring = Ring.builder().replicationFactor(2)
            .add(A, 10).add(B, 20).add(C, 30).add(D, 40).build();
        assertEquals(List.of(A, C), ring.preferenceList(5).replicas());
        assertEquals(List.of(B, C), ring.preferenceList(15).replicas());
        assertEquals(List.of(C, A), ring.preferenceList(25).replicas());
        assertEquals(List.of(D, A), ring.preferenceList(40).replicas());
    }

    @Test
    void fewerRacksThanReplicasFillsWithSkippedNodesInClockwiseOrder() {
        Ring ring = Ring.builder().replicationFactor(3)
            .add(A, 10).add(B, 20).add(C, 30).add(D, 40).build();
        assertEquals(List.of(A, C, B), ring.preferenceList(10).replicas());
        assertEquals(List.of(C, A, D), ring.preferenceList(30).replicas());
    }

    @Test
    void oneRackMeansTheFirstNDistinctNodesClockwise() {
        Node a = TestRings.node(1, "r1");
        Node b = TestRings.node(2, "r1");
        Node c = TestRings.node(3, "r1");
        Ring ring = Ring.builder().replicationFactor(2)
            .add(a, 10, 20).add(b, 30).add(c, 40).build();
        assertEquals(List.of(a, b), ring.preferenceList(15).replicas());
        assertEquals(List.of(c, a), ring.preferenceList(35).replicas());
        assertEquals(List.of(a, b), ring.preferenceList(Long.MAX_VALUE).replicas());
    }

    @Test
    void tokensPastTheLastWrapToTheFirst() {
        Ring ring = Ring.builder().add(A, -100).add(B, 100).build();
        assertEquals(A, ring.primary(Long.MAX_VALUE));
        assertEquals(A, ring.primary(101));
        assertEquals(A, ring.primary(Long.MIN_VALUE));
        assertEquals(A, ring.primary(-100));
        assertEquals(B, ring.primary(-99));
        assertEquals(B, ring.primary(100));
        assertEquals(new TokenRange(100, -100), ring.rangeAt(0));
    }

    @Test
    void cursorSeesTheSameReplicasAsThePreferenceList() {
        long seed = Seeds.seed(4L);
        SplittableRandom random = Seeds.random(seed);
        Ring ring = TestRings.random(random, 9, 8, 3, 2);
        PreferenceList.Cursor cursor = new PreferenceList.Cursor();
        for (int i = 0; i < 500; i++) {
            long token = random.nextLong();
            assertSame(cursor, ring.lookup(token, cursor));
            PreferenceList list = ring.preferenceList(token);
            assertEquals(list.size(), cursor.size());
            for (int r = 0; r < cursor.size(); r++) {
                assertEquals(list.get(r), cursor.node(r), Seeds.replay(seed, getClass(),
                    "cursorSeesTheSameReplicasAsThePreferenceList"));
            }
        }
    }

    @Test
    void keyLookupUsesThePartitionerToken() {
        Ring ring = TestRings.random(Seeds.random(5L), 6, 4, 3, 1);
        Key key = Key.utf8("user:42");
        assertEquals(ring.preferenceList(Partitioner.token(key)), ring.preferenceList(key));
    }

    @Test
    void duplicateTokenIsRejectedNamingBothNodes() {
        KvException error = assertThrows(KvException.class,
            () -> Ring.builder().add(A, 1, 2).add(B, 2).build());
        assertEquals(ErrorCode.INVALID_ARGUMENT, error.code());
        assertTrue(error.getMessage().contains("token 2") && error.getMessage().contains(A.id().value())
            && error.getMessage().contains(B.id().value()), error.getMessage());

        Ring ring = Ring.builder().add(A, 1, 2).build();
        assertThrows(KvException.class, () -> ring.withNode(B, new long[] {3, 2}));
        assertThrows(KvException.class, () -> ring.withNode(B, new long[] {3, 3}));
    }

    @Test
    void replicationFactorOutsideOneToSixteenIsRejected() {
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(KvException.class, () -> Ring.empty(0)).code());
        assertThrows(KvException.class, () -> Ring.empty(17));
        assertThrows(KvException.class, () -> Ring.builder().replicationFactor(-1));
        assertEquals(16, Ring.empty(16).replicationFactor());
    }

    @Test
    void ringStartTokenAndEmptyTokenListsAreRejected() {
        assertThrows(KvException.class, () -> Ring.builder().add(A, Long.MIN_VALUE).build());
        assertThrows(KvException.class, () -> Ring.empty(3).withNode(A, new long[] {Long.MIN_VALUE}));
        assertThrows(KvException.class, () -> Ring.empty(3).withNode(A, new long[0]));
        assertThrows(KvException.class, () -> Ring.builder().add(A));
    }

    @Test
    void nodeJoinsOnceAndOnlyKnownNodesLeave() {
        Ring ring = Ring.builder().add(A, 1).build();
        assertThrows(KvException.class, () -> ring.withNode(A, new long[] {5}));
        assertThrows(KvException.class, () -> ring.withoutNode(NodeId.of("nobody")));
        assertThrows(KvException.class, () -> Ring.builder().add(A, 1).add(A, 2));
    }

    @Test
    void emptyRingAnswersLookupsWithUnavailable() {
        Ring ring = Ring.empty(3);
        assertTrue(ring.isEmpty());
        assertEquals(0, ring.replicaCount());
        assertEquals(ErrorCode.UNAVAILABLE, assertThrows(KvException.class, () -> ring.primary(0)).code());
        assertTrue(ring.primaryOwnership().isEmpty());
    }

    @Test
    void joiningOneAtATimeBuildsTheSameRingAsTheBuilder() {
        long seed = Seeds.seed(6L);
        Ring built = TestRings.random(Seeds.random(seed), 12, 6, 3, 3);
        Ring grown = Ring.empty(3);
        for (Node node : built.nodes()) {
            grown = grown.withNode(node, built.tokensOf(node.id()));
        }
        assertEquals(built, grown, Seeds.replay(seed, getClass(), "joiningOneAtATimeBuildsTheSameRingAsTheBuilder"));
        for (int i = 0; i < built.tokenCount(); i++) {
            assertEquals(built.preferenceList(built.token(i)), grown.preferenceList(grown.token(i)));
        }
    }

    @Test
    void leavingUndoesJoining() {
        Ring before = TestRings.random(Seeds.random(Seeds.seed(7L)), 7, 5, 3, 2);
        Node joiner = TestRings.node(99, "r9");
        Ring after = before.withNode(joiner, new long[] {11, 22, 33}).withoutNode(joiner.id());
        assertEquals(before, after);
        assertFalse(after.contains(joiner.id()));
    }

    @Test
    void describesItsNodesAndTokens() {
        Ring ring = Ring.builder().replicationFactor(2).add(C, 30, 5).add(A, 10).build();
        assertEquals(List.of(A, C), ring.nodes());
        assertEquals(2, ring.size());
        assertEquals(3, ring.tokenCount());
        assertEquals(2, ring.replicaCount());
        assertArrayEquals(new long[] {5, 30}, ring.tokensOf(C.id()));
        assertTrue(ring.contains(A.id()));
        assertTrue(ring.hasToken(30));
        assertFalse(ring.hasToken(31));
        assertEquals(0, ring.indexOf(A.id()));
        assertEquals(-1, ring.indexOf(B.id()));
        assertEquals(List.of(new TokenRange(30, 5), new TokenRange(10, 30)), ring.rangesOf(C.id()));
    }

    @Test
    void primaryRangesCoverTheRingOnceAndMatchPrimaryOwnership() {
        long seed = Seeds.seed(8L);
        Ring ring = TestRings.random(Seeds.random(seed), 10, 8, 3, 2);
        double total = ring.ranges().stream().mapToDouble(TokenRange::fraction).sum();
        assertEquals(1.0, total, 1e-12);
        for (Node node : ring.nodes()) {
            double owned = ring.rangesOf(node.id()).stream().mapToDouble(TokenRange::fraction).sum();
            assertEquals(owned, ring.primaryOwnership().get(node.id()), 1e-12, node.id().value());
        }
    }

    @Test
    void replicatedOwnershipSumsToTheReplicaCount() {
        long seed = Seeds.seed(9L);
        SplittableRandom random = Seeds.random(seed);
        for (int round = 0; round < 20; round++) {
            Ring ring = TestRings.random(random, 1 + random.nextInt(8), 6, 1 + random.nextInt(5), 2);
            double sum = ring.replicatedOwnership().values().stream().mapToDouble(Double::doubleValue).sum();
            assertEquals(ring.replicaCount(), sum, 1e-9, Seeds.replay(seed, getClass(),
                "replicatedOwnershipSumsToTheReplicaCount"));
        }
    }

    @Test
    void singleTokenOwnsTheWholeRing() {
        Ring ring = Ring.builder().add(A, 42).build();
        assertTrue(ring.rangeAt(0).isWholeRing());
        assertEquals(1.0, ring.primaryOwnership().get(A.id()));
        assertEquals(1.0, ring.replicatedOwnership().get(A.id()));
    }

    @Test
    void aJoinTakesRangesFromTheNodesItPushesOutOfPreferenceListsAndALeaverLosesEverything() {
        Ring three = Ring.builder().replicationFactor(2).add(A, 100).add(B, 200).add(C, 300).build();
        // D takes (100, 150]: its replicas were B and C, now D and B
        Ring four = three.withNode(D, new long[] {150});
        assertTrue(Ring.losesRanges(C.id(), four, three));
        assertFalse(Ring.losesRanges(B.id(), four, three), "B replicates (100, 150] before and after");
        assertFalse(Ring.losesRanges(A.id(), four, three));
        assertFalse(Ring.losesRanges(D.id(), four, three), "a joiner gains only");
        assertFalse(Ring.losesRanges(C.id(), three, three));
        // a leaver's future ring gives it nothing; a node never on either ring loses nothing
        assertTrue(Ring.losesRanges(D.id(), three, four, three));
        assertFalse(Ring.losesRanges(NodeId.of("n9"), four, three));
        assertTrue(Ring.losesRanges(A.id(), Ring.empty(2), three));
        assertFalse(Ring.losesRanges(A.id(), three, Ring.empty(2)));
    }

    @Test
    void pendingReplicasAreTheFutureRingsReplicasAmongTheFirstNThatAreNotReplicasNow() {
        Ring three = Ring.builder().replicationFactor(2).add(A, 100).add(B, 200).add(C, 300).build();
        Ring four = three.withNode(D, new long[] {150});
        // (100, 150]: B and C now, D and B after the join
        assertEquals(List.of(D.id()), Ring.pendingReplicas(three, four, 120, 2));
        assertEquals(List.of(D.id()), Ring.pendingReplicas(three, four, 120, 1), "N=1: D replaces B as first");
        assertEquals(List.of(), Ring.pendingReplicas(three, four, 180, 2), "(150, 200] keeps B and C");
        assertEquals(List.of(), Ring.pendingReplicas(three, three, 120, 2), "no move");
        assertEquals(List.of(), Ring.pendingReplicas(three, Ring.empty(2), 120, 2), "no future ring");
        // a leave: (300, 100] was A's and, one per rack first, C's; without A it is B's and C's
        Ring withoutA = three.withoutNode(A.id());
        assertEquals(List.of(B.id()), Ring.pendingReplicas(three, withoutA, 50, 2));
        assertEquals(List.of(A.id(), C.id()), Ring.pendingReplicas(Ring.empty(2), three, 50, 2), "nothing now");
    }

    @Test
    void equalRingsShareAFingerprintAndAnyChangeOfNodesOrTokensChangesIt() {
        Ring three = Ring.builder().replicationFactor(2).add(A, 100).add(B, 200).add(C, 300).build();
        Ring same = Ring.builder().replicationFactor(2).add(C, 300).add(A, 100).add(B, 200).build();
        assertEquals(three.fingerprint(), same.fingerprint());
        Set<Long> seen = new HashSet<>(List.of(three.fingerprint()));
        assertTrue(seen.add(three.withNode(D, new long[] {150}).fingerprint()), "a join");
        assertTrue(seen.add(three.withoutNode(C.id()).fingerprint()), "a leave");
        assertEquals(three.fingerprint(), Ring.builder().replicationFactor(3).add(A, 100).add(B, 200).add(C, 300)
            .build().fingerprint(), "the replication factor is each node's setting, not the ring's shape");
        assertTrue(seen.add(Ring.builder().replicationFactor(2).add(A, 100).add(B, 200).add(C, 301).build()
            .fingerprint()), "a moved token");
        assertTrue(seen.add(Ring.builder().replicationFactor(2).add(A, 200).add(B, 100).add(C, 300).build()
            .fingerprint()), "tokens swapped between nodes");
        assertTrue(seen.add(Ring.builder().replicationFactor(2).add(A, 100).add(B.inRack("z1", "r9"), 200)
            .add(C, 300).build().fingerprint()), "a node in another rack");
        assertTrue(seen.add(Ring.empty(2).fingerprint()), "no node");
    }

    @Test
    void losesRangesAgreesWithAReplicaByReplicaLookAtEveryPiece() {
        long seed = Seeds.seed(7L);
        SplittableRandom random = Seeds.random(seed);
        int losses = 0;
        for (int round = 0; round < 60; round++) {
            Ring before = TestRings.random(random, 1 + random.nextInt(8), 6, 1 + random.nextInt(4), 3);
            Ring after = random.nextBoolean() && before.size() > 1
                ? before.withoutNode(before.node(random.nextInt(before.size())).id())
                : before.withNode(TestRings.node(20 + round, "r" + random.nextInt(3)), random.longs(3).toArray());
            for (Node node : before.nodes()) {
                boolean expected = false;
                for (long token : probes(before, random)) {
                    expected |= before.preferenceList(token).replicas().contains(node)
                        && !(after.contains(node.id()) && after.preferenceList(token).replicas().contains(node));
                }
                for (long token : probes(after, random)) {
                    expected |= before.preferenceList(token).replicas().contains(node)
                        && !(after.contains(node.id()) && after.preferenceList(token).replicas().contains(node));
                }
                losses += expected ? 1 : 0;
                assertEquals(expected, Ring.losesRanges(node.id(), after, before), "round " + round + ", node "
                    + node.id() + ", " + Seeds.replay(seed, getClass(), "losesRangesAgreesWithAReplicaByReplicaLook"
                    + "AtEveryPiece"));
            }
        }
        assertTrue(losses > 20, "the rounds exercised losses: " + losses);
    }

    private static long[] probes(Ring ring, SplittableRandom random) {
        Set<Long> probes = new HashSet<>(List.of(Long.MIN_VALUE, Long.MIN_VALUE + 1, Long.MAX_VALUE, 0L));
        for (int i = 0; i < ring.tokenCount(); i++) {
            probes.add(ring.token(i));
            probes.add(ring.token(i) - 1);
            probes.add(ring.token(i) + 1);
        }
        for (int i = 0; i < 50; i++) {
            probes.add(random.nextLong());
        }
        return probes.stream().mapToLong(Long::longValue).toArray();
    }
}
