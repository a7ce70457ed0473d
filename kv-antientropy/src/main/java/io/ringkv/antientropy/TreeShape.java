package io.ringkv.antientropy;

import io.ringkv.ring.TokenRange;
import java.util.Objects;

/**
 * The geometry of a {@link RangeTree}: a token range cut into {@code leaves} slices of (almost) equal token
 * width, grouped into {@link #branchCount()} branches of {@link #leavesPerBranch()} consecutive leaves. Two trees
 * can be compared only when their shapes are equal; both replicas derive the same shape from the same range and
 * leaf setting with {@link #of(TokenRange, int)}.
 *
 * <p>Leaf {@code i} covers the offsets {@code (floor(i * W / L), floor((i + 1) * W / L)]} past the range's start,
 * where {@code W} is the range's token count (2^64 for the whole ring) and {@code L} the leaf count: the leaves
 * partition the range in token order, each holds at least one token, and their widths differ by at most one.
 * Since tokens are uniform hashes, keys spread evenly over the leaves. Immutable; pure arithmetic, no allocation
 * in {@link #leafOf(long)}.
 *
 * @param range the token range the tree covers (wrapping and whole-ring ranges included)
 * @param leaves the leaf count: a power of two from 1 to {@link #MAX_LEAVES}, at most the range's token count
 */
public record TreeShape(TokenRange range, int leaves) {
    /** The smallest leaf setting {@link #of(TokenRange, int)} accepts. */
    public static final int MIN_LEAVES = 16;
    /** The largest leaf count: 65,536 leaves, 512 KiB of leaf hashes. */
    public static final int MAX_LEAVES = 65_536;
    /** The default leaf setting: 1,024 leaves of 32 branches, 8 KiB of leaf hashes per tree. */
    public static final int DEFAULT_LEAVES = 1_024;

    /**
     * @throws IllegalArgumentException when {@code leaves} is not a power of two in [1, {@link #MAX_LEAVES}] or
     *     exceeds the range's token count (a leaf would be empty)
     */
    public TreeShape {
        Objects.requireNonNull(range, "range");
        if (leaves < 1 || leaves > MAX_LEAVES || Integer.bitCount(leaves) != 1) {
            throw new IllegalArgumentException(
                "leaf count must be a power of two from 1 to " + MAX_LEAVES + ", was " + leaves);
        }
        if (!range.isWholeRing() && Long.compareUnsigned(width(range), leaves) < 0) {
            throw new IllegalArgumentException(
                "range " + range + " holds fewer tokens than " + leaves + " leaves");
        }
    }

    /**
     * The shape both replicas of {@code range} use for a leaf setting: {@code requestedLeaves} leaves, or, for a
     * range narrower than that many tokens, the largest power of two that fits (so no leaf is empty).
     *
     * @param requestedLeaves a power of two from {@link #MIN_LEAVES} to {@link #MAX_LEAVES}
     * @throws IllegalArgumentException naming the setting when {@code requestedLeaves} is out of bounds
     */
    public static TreeShape of(TokenRange range, int requestedLeaves) {
        if (requestedLeaves < MIN_LEAVES || requestedLeaves > MAX_LEAVES || Integer.bitCount(requestedLeaves) != 1) {
            throw new IllegalArgumentException("tree leaves must be a power of two from " + MIN_LEAVES + " to "
                + MAX_LEAVES + ", was " + requestedLeaves);
        }
        int leaves = requestedLeaves;
        if (!range.isWholeRing() && Long.compareUnsigned(width(range), leaves) < 0) {
            leaves = Integer.highestOneBit((int) width(range));
        }
        return new TreeShape(range, leaves);
    }

    /** @return leaves per branch: 2^floor(log2(leaves) / 2), e.g. 32 of 1,024 leaves */
    public int leavesPerBranch() {
        // Square-ish split: the branch vector and one branch's leaf vector are both ~sqrt(leaves) hashes on the wire.
        return 1 << (log2Leaves() / 2);
    }

    /** @return the branch count: {@code leaves / leavesPerBranch()}, e.g. 32 of 1,024 leaves */
    public int branchCount() {
        return leaves / leavesPerBranch();
    }

    /** @return the branch that holds {@code leaf} */
    public int branchOf(int leaf) {
        Objects.checkIndex(leaf, leaves);
        return leaf / leavesPerBranch();
    }

    /**
     * @return the leaf whose slice holds {@code token}
     * @throws IllegalArgumentException when the token lies outside the range
     */
    public int leafOf(long token) {
        if (!range.contains(token)) {
            throw new IllegalArgumentException("token " + token + " lies outside the tree's range " + range);
        }
        if (range.isWholeRing()) {
            // W = 2^64: the leaf is the top log2(L) bits of the offset (token - start - 1).
            int bits = log2Leaves();
            return bits == 0 ? 0 : (int) ((token - range.start() - 1) >>> (64 - bits));
        }
        long offset = token - range.start();
        long width = width(range);
        // A double estimate is off by at most one leaf (53-bit mantissa, L <= 2^16); the exact bounds correct it.
        int leaf = (int) Math.min(leaves - 1, (long) (unsignedToDouble(offset) / unsignedToDouble(width) * leaves));
        while (leaf > 0 && Long.compareUnsigned(offset, lowerOffset(leaf)) <= 0) {
            leaf--;
        }
        while (leaf < leaves - 1 && Long.compareUnsigned(offset, lowerOffset(leaf + 1)) > 0) {
            leaf++;
        }
        return leaf;
    }

    /** @return the tokens leaf {@code leaf} covers; consecutive leaves' ranges meet, and together they are the range */
    public TokenRange leafRange(int leaf) {
        Objects.checkIndex(leaf, leaves);
        long start = range.start() + lowerOffset(leaf);
        long end = leaf == leaves - 1 ? range.end() : range.start() + lowerOffset(leaf + 1);
        return new TokenRange(start, end);
    }

    /** @return the tokens branch {@code branch} covers: its leaves' ranges joined */
    public TokenRange branchRange(int branch) {
        Objects.checkIndex(branch, branchCount());
        int first = branch * leavesPerBranch();
        return new TokenRange(leafRange(first).start(), leafRange(first + leavesPerBranch() - 1).end());
    }

    /** floor(leaf * W / L) as an unsigned offset past the start, for leaf in [0, L). */
    private long lowerOffset(int leaf) {
        int bits = log2Leaves();
        if (bits == 0) {
            return 0;
        }
        if (range.isWholeRing()) {
            return (long) leaf << (64 - bits);
        }
        long width = width(range);
        long high = Math.unsignedMultiplyHigh(leaf, width);
        long low = leaf * width;
        return (high << (64 - bits)) | (low >>> bits);
    }

    private int log2Leaves() {
        return Integer.numberOfTrailingZeros(leaves);
    }

    /** The range's token count as an unsigned long; 0 stands for 2^64 (the whole ring). */
    private static long width(TokenRange range) {
        return range.end() - range.start();
    }

    private static double unsignedToDouble(long value) {
        return value >= 0 ? value : ((value >>> 1) | (value & 1)) * 2.0;
    }
}
