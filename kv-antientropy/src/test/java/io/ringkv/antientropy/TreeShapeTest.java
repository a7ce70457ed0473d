package io.ringkv.antientropy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.ring.TokenRange;
import java.math.BigInteger;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class TreeShapeTest {

    static Stream<Arguments> ranges() {
        return Stream.of(
            Arguments.of(new TokenRange(-1_000_000, 5_000_000_000L), 1024),
            Arguments.of(new TokenRange(Long.MAX_VALUE - 12_345_678_901L, Long.MIN_VALUE + 98_765_432_109L), 1024),
            Arguments.of(new TokenRange(Long.MAX_VALUE / 3, Long.MAX_VALUE / 5), 65_536),
            Arguments.of(TokenRange.wholeRing(), 1024),
            Arguments.of(new TokenRange(42, 42), 16),
            Arguments.of(new TokenRange(0, -1), 4096),
            Arguments.of(new TokenRange(100, 100 + 1000), 1024),
            Arguments.of(new TokenRange(Long.MAX_VALUE - 3, Long.MIN_VALUE + 16), 16));
    }

    @ParameterizedTest
    @MethodSource("ranges")
    void leavesPartitionTheRangeInTokenOrder(TokenRange range, int leaves) {
        TreeShape shape = TreeShape.of(range, leaves);
        assertEquals(range.start(), shape.leafRange(0).start());
        assertEquals(range.end(), shape.leafRange(shape.leaves() - 1).end());
        BigInteger total = BigInteger.ZERO;
        BigInteger smallest = null;
        BigInteger largest = BigInteger.ZERO;
        for (int leaf = 0; leaf < shape.leaves(); leaf++) {
            TokenRange slice = shape.leafRange(leaf);
            if (leaf > 0) {
                assertEquals(shape.leafRange(leaf - 1).end(), slice.start(), "leaf " + leaf + " meets its neighbour");
            }
            BigInteger size = shape.leaves() == 1 ? range.size() : slice.size();
            total = total.add(size);
            smallest = smallest == null ? size : smallest.min(size);
            largest = largest.max(size);
        }
        assertEquals(range.size(), total, "the leaves cover the range exactly once");
        assertTrue(largest.subtract(smallest).compareTo(BigInteger.ONE) <= 0, "leaf widths differ by at most one");
    }

    @ParameterizedTest
    @MethodSource("ranges")
    void everyTokenMapsToTheLeafWhoseSliceHoldsIt(TokenRange range, int leaves) {
        TreeShape shape = TreeShape.of(range, leaves);
        long seed = Seeds.seed(7);
        SplittableRandom random = Seeds.random(seed);
        for (int i = 0; i < 20_000; i++) {
            long token = Seeds.tokenIn(range, random);
            assertTokenInItsLeaf(shape, token, seed);
        }
        for (int leaf = 0; leaf < shape.leaves(); leaf++) {
            // Both edges of every slice: the first token after its start and its inclusive end.
            TokenRange slice = shape.leafRange(leaf);
            assertEquals(leaf, shape.leafOf(slice.end()), "end of leaf " + leaf);
            assertEquals(leaf, shape.leafOf(slice.start() + 1), "first token of leaf " + leaf);
        }
    }

    @Test
    void wholeRingMapsTheExtremeTokensToTheEndLeaves() {
        TreeShape shape = TreeShape.of(TokenRange.wholeRing(), 1024);
        assertEquals(0, shape.leafOf(Long.MIN_VALUE + 1));
        assertEquals(1023, shape.leafOf(Long.MAX_VALUE));
        assertEquals(512, shape.leafOf(1));
        assertEquals(511, shape.leafOf(0));
        TreeShape shifted = TreeShape.of(new TokenRange(7, 7), 16);
        assertEquals(0, shifted.leafOf(8));
        assertEquals(15, shifted.leafOf(7));
    }

    @Test
    void tokenOutsideTheRangeIsRefused() {
        TreeShape plain = TreeShape.of(new TokenRange(-100, 100_000), 16);
        assertThrows(IllegalArgumentException.class, () -> plain.leafOf(-100));
        assertThrows(IllegalArgumentException.class, () -> plain.leafOf(100_001));
        assertThrows(IllegalArgumentException.class, () -> plain.leafOf(Long.MAX_VALUE));
        TreeShape wrapping = TreeShape.of(new TokenRange(Long.MAX_VALUE - 1000, Long.MIN_VALUE + 1000), 16);
        assertThrows(IllegalArgumentException.class, () -> wrapping.leafOf(0));
        assertThrows(IllegalArgumentException.class, () -> wrapping.leafOf(Long.MAX_VALUE - 1000));
        assertThrows(IllegalArgumentException.class, () -> wrapping.leafOf(Long.MIN_VALUE + 1001));
    }

    @Test
    void narrowRangeGetsFewerLeavesSoNoneIsEmpty() {
        TreeShape shape = TreeShape.of(new TokenRange(0, 100), 1024);
        assertEquals(64, shape.leaves());
        assertEquals(1, TreeShape.of(new TokenRange(5, 6), 16).leaves());
        assertThrows(IllegalArgumentException.class, () -> new TreeShape(new TokenRange(0, 100), 128));
    }

    @Test
    void leafSettingOutOfBoundsIsRefusedWithItsLimits() {
        TokenRange range = TokenRange.wholeRing();
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> TreeShape.of(range, 8));
        assertTrue(error.getMessage().contains("16"), error.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TreeShape.of(range, 1000));
        assertThrows(IllegalArgumentException.class, () -> TreeShape.of(range, 131_072));
    }

    @Test
    void branchesSplitLeavesSquarely() {
        TreeShape shape = TreeShape.of(TokenRange.wholeRing(), 1024);
        assertEquals(32, shape.branchCount());
        assertEquals(32, shape.leavesPerBranch());
        TreeShape odd = TreeShape.of(TokenRange.wholeRing(), 2048);
        assertEquals(64, odd.branchCount());
        assertEquals(32, odd.leavesPerBranch());
        assertEquals(shape.leafRange(32).start(), shape.branchRange(1).start());
        assertEquals(shape.leafRange(63).end(), shape.branchRange(1).end());
        assertEquals(1, shape.branchOf(63));
    }

    private static void assertTokenInItsLeaf(TreeShape shape, long token, long seed) {
        int leaf = shape.leafOf(token);
        assertTrue(leaf >= 0 && leaf < shape.leaves());
        assertTrue(shape.leafRange(leaf).contains(token) || shape.leaves() == 1,
            "token " + token + " is in the slice of its leaf " + leaf + ", "
                + Seeds.replay(seed, TreeShapeTest.class, "everyTokenMapsToTheLeafWhoseSliceHoldsIt"));
    }
}
