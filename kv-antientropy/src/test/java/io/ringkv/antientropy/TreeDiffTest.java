package io.ringkv.antientropy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.ring.TokenRange;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class TreeDiffTest {
    private static final TokenRange WRAPPING = new TokenRange(Long.MAX_VALUE - (1L << 60), Long.MIN_VALUE + (1L << 61));

    @Test
    void oneDifferingKeyDiffersInExactlyOneBranchAndOneLeaf() {
        long seed = Seeds.seed(21);
        SplittableRandom random = Seeds.random(seed);
        for (TokenRange range : new TokenRange[] {TokenRange.wholeRing(), WRAPPING}) {
            Map<Long, Long> keys = randomKeys(range, 10_000, random);
            RangeTree mine = treeOf(range, keys);
            RangeTree theirs = treeOf(range, keys);
            long token = keys.keySet().iterator().next();
            theirs.update(token, keys.get(token), keys.get(token) ^ 0xABCDEF);

            int leaf = mine.shape().leafOf(token);
            int branch = mine.shape().branchOf(leaf);
            assertNotEquals(mine.root(), theirs.root());
            int[] branches = TreeDiff.differingBranches(mine.branches(), theirs.branches());
            assertArrayEquals(new int[] {branch}, branches);
            int[] leaves = TreeDiff.differingLeaves(mine.shape(), branch, mine.leaves(branch), theirs.leaves(branch));
            assertArrayEquals(new int[] {leaf}, leaves);
            assertTrue(mine.leafRange(leaf).contains(token));
            assertArrayEquals(new int[] {leaf}, TreeDiff.differingLeaves(mine, theirs));
        }
    }

    @Test
    void everyDifferingKeysLeafIsFoundAndNoIdenticalLeafIsReported() {
        long seed = Seeds.seed(22);
        SplittableRandom random = Seeds.random(seed);
        String replay = Seeds.replay(seed, TreeDiffTest.class, "everyDifferingKeysLeafIsFoundAndNoIdenticalLeafIsReported");
        for (int round = 0; round < 20; round++) {
            TokenRange range = round % 2 == 0 ? WRAPPING : TokenRange.wholeRing();
            Map<Long, Long> keys = randomKeys(range, 20_000, random);
            RangeTree mine = treeOf(range, keys);
            RangeTree theirs = treeOf(range, keys);
            Long[] tokens = keys.keySet().toArray(Long[]::new);
            int differing = 1 + random.nextInt(200);
            TreeSet<Integer> changedLeaves = new TreeSet<>();
            TreeSet<Long> changed = new TreeSet<>();
            while (changed.size() < differing) {
                long token = random.nextInt(3) == 2 ? Seeds.tokenIn(range, random) : tokens[random.nextInt(tokens.length)];
                if (!changed.add(token)) {
                    continue;
                }
                changedLeaves.add(mine.shape().leafOf(token));
                if (!keys.containsKey(token)) {
                    theirs.add(token, random.nextLong() | 1); // only they have it
                } else if (random.nextBoolean()) {
                    theirs.update(token, keys.get(token), 0L); // they lack it
                } else {
                    mine.update(token, keys.get(token), keys.get(token) + 1 + random.nextInt(1000)); // mine is newer
                }
            }
            TreeSet<Integer> expected = new TreeSet<>();
            for (int leaf = 0; leaf < mine.shape().leaves(); leaf++) {
                if (mine.leaf(leaf) != theirs.leaf(leaf)) {
                    expected.add(leaf);
                }
            }
            // Distinct keys' changes cancel within a leaf only by a 2^-64 accident: every changed key's leaf differs.
            assertEquals(changedLeaves, expected, replay);
            int[] found = TreeDiff.differingLeaves(mine, theirs);
            assertArrayEquals(expected.stream().mapToInt(Integer::intValue).toArray(), found, replay);
        }
    }

    @Test
    void equalTreesHaveNoDifference() {
        Map<Long, Long> keys = randomKeys(WRAPPING, 1_000, Seeds.random(Seeds.seed(23)));
        assertEquals(0, TreeDiff.differingLeaves(treeOf(WRAPPING, keys), treeOf(WRAPPING, keys)).length);
        assertEquals(0, TreeDiff.differingBranches(new long[] {1, 2}, new long[] {1, 2}).length);
    }

    @Test
    void treesOfDifferentShapesAreRefused() {
        RangeTree wide = RangeTree.empty(TreeShape.of(TokenRange.wholeRing(), 1024));
        RangeTree narrow = RangeTree.empty(TreeShape.of(TokenRange.wholeRing(), 256));
        RangeTree otherRange = RangeTree.empty(TreeShape.of(WRAPPING, 1024));
        IllegalArgumentException leaves = assertThrows(IllegalArgumentException.class,
            () -> TreeDiff.differingLeaves(wide, narrow));
        assertTrue(leaves.getMessage().contains("1024") && leaves.getMessage().contains("256"), leaves.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TreeDiff.differingLeaves(wide, otherRange));
        assertThrows(IllegalArgumentException.class,
            () -> TreeDiff.differingBranches(wide.branches(), narrow.branches()));
        assertThrows(IllegalArgumentException.class,
            () -> TreeDiff.differingLeaves(wide.shape(), 0, wide.leaves(0), new long[31]));
        assertThrows(IllegalArgumentException.class,
            () -> TreeDiff.differingLeaves(wide.shape(), 32, new long[32], new long[32]));
    }

    @Test
    void inconsistentPeerVectorsAreDetected() {
        RangeTree tree = RangeTreeTest.randomTree(WRAPPING, 1_000, Seeds.seed(24));
        long[] branches = tree.branches();
        branches[3] ^= 1;
        assertTrue(!TreeDiff.rootMatches(tree.root(), branches));
        long[] leaves = tree.leaves(3);
        leaves[0] ^= 1;
        assertTrue(!TreeDiff.branchMatches(tree.branches()[3], leaves));
        assertTrue(TreeDiff.branchMatches(branches[3], leaves), "both flipped the same bit: consistent again");
        assertEquals(32, Arrays.stream(tree.branches()).count());
    }

    private static Map<Long, Long> randomKeys(TokenRange range, int count, SplittableRandom random) {
        Map<Long, Long> keys = new HashMap<>();
        while (keys.size() < count) {
            keys.put(Seeds.tokenIn(range, random), random.nextLong() | 1);
        }
        return keys;
    }

    private static RangeTree treeOf(TokenRange range, Map<Long, Long> keys) {
        RangeTree tree = RangeTree.empty(TreeShape.of(range, 1024));
        keys.forEach(tree::add);
        return tree;
    }
}
