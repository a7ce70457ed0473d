package io.ringkv.ring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import io.ringkv.api.Node;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TokenAllocatorsTest {

    @Test
    void unknownStrategyIsRejectedListingTheKnownOnes() {
        KvException error = assertThrows(KvException.class,
            () -> TokenAllocators.create("clever", new SplittableRandom(1)));
        assertEquals(ErrorCode.INVALID_CONFIGURATION, error.code());
        assertTrue(error.getMessage().contains("balanced, random"), error.getMessage());
    }

    @Test
    void defaultsAreBalancedWithSixteenVnodes() {
        assertEquals("balanced", TokenAllocators.DEFAULT_STRATEGY);
        assertEquals(16, TokenAllocators.DEFAULT_VNODES);
        assertEquals("balanced", TokenAllocators.create(TokenAllocators.DEFAULT_STRATEGY, new SplittableRandom(1)).name());
    }

    @ParameterizedTest
    @ValueSource(strings = {"random", "balanced"})
    void allocatedTokensAreSortedDistinctAndFree(String strategy) {
        long seed = Seeds.seed(21L);
        SplittableRandom random = Seeds.random(seed);
        for (int round = 0; round < 30; round++) {
            Ring ring = TestRings.random(random, random.nextInt(8), 6, 1 + random.nextInt(4), 2);
            int vnodes = 1 + random.nextInt(40);
            long[] tokens = TokenAllocators.create(strategy, random.split()).allocate(ring, TestRings.node(99, "r1"), vnodes);
            String context = strategy + ", ring " + round + ", " + Seeds.replay(seed, getClass(),
                "allocatedTokensAreSortedDistinctAndFree");
            assertEquals(vnodes, tokens.length, context);
            for (int i = 0; i < tokens.length; i++) {
                assertFalse(ring.hasToken(tokens[i]), context);
                assertTrue(tokens[i] != Long.MIN_VALUE, context);
                assertTrue(i == 0 || tokens[i - 1] < tokens[i], context);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"random", "balanced"})
    void sameSeedGivesSameTokens(String strategy) {
        assertEquals(RingSimulation.run(new RingSimulation.Options(12, 8, 3, strategy, 5)),
            RingSimulation.run(new RingSimulation.Options(12, 8, 3, strategy, 5)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"random", "balanced"})
    void rejectsANodeAlreadyOnTheRingAndVnodesOutOfRange(String strategy) {
        Node node = TestRings.node(1, "r1");
        Ring ring = Ring.builder().add(node, 5).build();
        TokenAllocator allocator = TokenAllocators.create(strategy, new SplittableRandom(1));
        assertThrows(KvException.class, () -> allocator.allocate(ring, node, 4));
        assertThrows(KvException.class, () -> allocator.allocate(ring, TestRings.node(2, "r1"), 0));
        assertThrows(KvException.class,
            () -> allocator.allocate(ring, TestRings.node(2, "r1"), TokenAllocators.MAX_VNODES + 1));
    }

    @Test
    void firstNodesOfABalancedRingInterleaveEvenly() {
        Ring ring = Ring.empty(3);
        TokenAllocator allocator = TokenAllocators.create("balanced", new SplittableRandom(3));
        for (int i = 1; i <= 3; i++) {
            Node node = RingSimulation.node(i);
            ring = ring.withNode(node, allocator.allocate(ring, node, 16));
        }
        for (double share : ring.primaryOwnership().values()) {
            assertEquals(1.0 / 3, share, 1e-9);
        }
    }

    @ParameterizedTest(name = "{0} nodes x {1} vnodes")
    @CsvSource({"4, 16", "16, 16", "64, 16", "256, 16", "4, 256", "16, 256", "64, 256"})
    void balancedKeepsReplicatedOwnershipEvenAndMovesTheIdealAmount(int nodes, int vnodes) {
        long seed = Seeds.seed(22L);
        RingSimulation.Result result = RingSimulation.run(new RingSimulation.Options(nodes, vnodes, 3, "balanced", seed));
        String context = result.toJson() + ", " + Seeds.replay(seed, getClass(),
            "balancedKeepsReplicatedOwnershipEvenAndMovesTheIdealAmount");
        assertTrue(result.replicaCv() <= (vnodes >= 256 ? 0.01 : 0.03), context);
        assertEquals(1.0, result.movedFraction() / result.idealFraction(), 0.10, context);
    }

    @Test
    void randomTokensAreClearlyLessEvenThanBalancedOnes() {
        long seed = Seeds.seed(23L);
        RingSimulation.Result random = RingSimulation.run(new RingSimulation.Options(64, 16, 3, "random", seed));
        RingSimulation.Result balanced = RingSimulation.run(new RingSimulation.Options(64, 16, 3, "balanced", seed));
        String context = random.toJson() + " vs " + balanced.toJson();
        assertTrue(random.replicaCv() > 3 * balanced.replicaCv(), context);
        assertTrue(random.maxOverMean() > balanced.maxOverMean(), context);
    }

    @ParameterizedTest(name = "{0} nodes")
    @ValueSource(ints = {16, 64})
    void randomMovesTheIdealAmountAt256Vnodes(int nodes) {
        long seed = Seeds.seed(24L);
        RingSimulation.Result result = RingSimulation.run(new RingSimulation.Options(nodes, 256, 3, "random", seed));
        assertEquals(1.0, result.movedFraction() / result.idealFraction(), 0.10,
            result.toJson() + ", " + Seeds.replay(seed, getClass(), "randomMovesTheIdealAmountAt256Vnodes"));
    }

    @Test
    void randomAllocatorDrawsFromItsGenerator() {
        Node node = TestRings.node(1, "r1");
        long[] first = TokenAllocators.create("random", new SplittableRandom(9)).allocate(Ring.empty(3), node, 8);
        long[] again = TokenAllocators.create("random", new SplittableRandom(9)).allocate(Ring.empty(3), node, 8);
        assertArrayEquals(first, again);
    }
}
