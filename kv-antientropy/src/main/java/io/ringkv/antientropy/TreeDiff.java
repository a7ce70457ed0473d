package io.ringkv.antientropy;

import java.util.Arrays;
import java.util.Objects;

/**
 * The comparison of two replicas' {@link RangeTree}s of one range, level by level as the exchange protocol
 * descends: roots, then {@link #differingBranches(long[], long[]) branches}, then the
 * {@link #differingLeaves(TreeShape, int, long[], long[]) leaves} of each differing branch. Pure functions of the
 * hashes; they allocate only their result.
 *
 * <p>Guarantees: every leaf whose hashes differ lies in a reported branch and is reported; no leaf or branch with
 * equal hashes is reported. A difference hides only if the XOR of several leaves' differences cancels in their
 * branch (chance 2^-64 per branch with {@link KeyHash}'s uniform bits). Hashes of trees with different
 * {@link TreeShape}s mean nothing to each other: {@link #requireSameShape} refuses them, and the array checks
 * refuse vectors of different lengths.
 */
public final class TreeDiff {
    private TreeDiff() {
    }

    /**
     * @throws IllegalArgumentException naming both shapes when the trees cover different ranges or leaf counts
     */
    public static void requireSameShape(TreeShape mine, TreeShape theirs) {
        Objects.requireNonNull(mine, "mine");
        Objects.requireNonNull(theirs, "theirs");
        if (!mine.equals(theirs)) {
            throw new IllegalArgumentException("trees of different shapes cannot be compared: mine covers "
                + mine.range() + " with " + mine.leaves() + " leaves, theirs " + theirs.range() + " with "
                + theirs.leaves() + " leaves");
        }
    }

    /**
     * @return whether {@code root} is the XOR of {@code branches}, as in every well-formed tree: a check on a
     *     peer's branch vector before descending
     */
    public static boolean rootMatches(long root, long[] branches) {
        return xor(branches) == root;
    }

    /**
     * @return whether {@code branchHash} is the XOR of {@code leaves}: a check on a peer's leaf vector
     */
    public static boolean branchMatches(long branchHash, long[] leaves) {
        return xor(leaves) == branchHash;
    }

    /**
     * @param mine my branch hashes ({@link RangeTree#branches()})
     * @param theirs the peer's branch hashes, same shape
     * @return the indexes of the branches whose hashes differ, ascending
     * @throws IllegalArgumentException when the vectors' lengths differ (different shapes)
     */
    public static int[] differingBranches(long[] mine, long[] theirs) {
        return differingPositions(mine, theirs, "branch");
    }

    /**
     * @param shape the shape both trees share
     * @param branch the branch both vectors belong to
     * @param mine my leaf hashes of that branch ({@link RangeTree#leaves(int)})
     * @param theirs the peer's leaf hashes of that branch
     * @return the tree-wide indexes of the differing leaves (ready for {@link TreeShape#leafRange(int)}), ascending
     * @throws IllegalArgumentException when the branch is out of the shape or a vector's length is not
     *     {@link TreeShape#leavesPerBranch()}
     */
    public static int[] differingLeaves(TreeShape shape, int branch, long[] mine, long[] theirs) {
        if (branch < 0 || branch >= shape.branchCount()) {
            throw new IllegalArgumentException(
                "branch " + branch + " is outside a tree of " + shape.branchCount() + " branches");
        }
        if (mine.length != shape.leavesPerBranch()) {
            throw new IllegalArgumentException("a branch holds " + shape.leavesPerBranch() + " leaves, mine has "
                + mine.length);
        }
        int[] positions = differingPositions(mine, theirs, "leaf");
        int first = branch * shape.leavesPerBranch();
        for (int i = 0; i < positions.length; i++) {
            positions[i] += first;
        }
        return positions;
    }

    /**
     * The whole descent on two local trees (tests, the simulator, a node comparing snapshots).
     *
     * @return the indexes of every differing leaf, ascending; empty when the roots agree
     * @throws IllegalArgumentException when the shapes differ
     */
    public static int[] differingLeaves(RangeTree mine, RangeTree theirs) {
        requireSameShape(mine.shape(), theirs.shape());
        if (mine.root() == theirs.root()) {
            return new int[0];
        }
        int[] result = new int[0];
        for (int branch : differingBranches(mine.branches(), theirs.branches())) {
            int[] leaves = differingLeaves(mine.shape(), branch, mine.leaves(branch), theirs.leaves(branch));
            int[] joined = Arrays.copyOf(result, result.length + leaves.length);
            System.arraycopy(leaves, 0, joined, result.length, leaves.length);
            result = joined;
        }
        return result;
    }

    private static int[] differingPositions(long[] mine, long[] theirs, String level) {
        Objects.requireNonNull(mine, "mine");
        Objects.requireNonNull(theirs, "theirs");
        if (mine.length != theirs.length) {
            throw new IllegalArgumentException("cannot compare " + level + " vectors of different lengths (mine "
                + mine.length + ", theirs " + theirs.length + "): the trees have different shapes");
        }
        int count = 0;
        for (int i = 0; i < mine.length; i++) {
            if (mine[i] != theirs[i]) {
                count++;
            }
        }
        int[] positions = new int[count];
        int next = 0;
        for (int i = 0; i < mine.length; i++) {
            if (mine[i] != theirs[i]) {
                positions[next++] = i;
            }
        }
        return positions;
    }

    private static long xor(long[] hashes) {
        long result = 0;
        for (long hash : hashes) {
            result ^= hash;
        }
        return result;
    }
}
