package io.ringkv.antientropy;

import io.ringkv.ring.TokenRange;
import io.ringkv.storage.StorageRecord;
import java.util.Arrays;
import java.util.Objects;

/**
 * The hash tree of one token range, TicTac style (Riak's TicTac AAE): a fixed set of leaves, each the XOR of the
 * {@link KeyHash} of every key whose token falls in the leaf's slice of the range ({@link TreeShape}); each
 * branch the XOR of its leaves; the root the XOR of the branches. Because XOR is its own inverse, a write updates
 * its leaf, branch and root in O(1) ({@link #update(long, long, long)}), and a tree updated write by write equals
 * the tree built afresh from the final key set, in any order of updates.
 *
 * <p>Hash 0 means "no key": a key that is absent contributes nothing, so a new key is {@code update(token, 0, h)}
 * and removing a key entirely is {@code update(token, h, 0)}. A delete is a new version set (a tombstone) and so
 * just another hash. {@link KeyHash} never returns 0.
 *
 * <p>Memory: the state is {@code (leaves + branches + 1) * 8} bytes of hashes plus about 100 bytes of objects
 * ({@link #memoryBytes()}): 8,456 + ~100 bytes at the default 1,024 leaves (32 branches), 526,344 + ~100 bytes at
 * 65,536 leaves. Not thread-safe: one owner (the storage stage) updates it; hand another thread a {@link #copy()}.
 */
public final class RangeTree {
    private static final long OBJECT_OVERHEAD_BYTES = 96;

    private final TreeShape shape;
    private final long[] leaves;
    private final long[] branches;
    private long root;

    private RangeTree(TreeShape shape, long[] leaves, long[] branches, long root) {
        this.shape = shape;
        this.leaves = leaves;
        this.branches = branches;
        this.root = root;
    }

    /** @return a tree of {@code shape} holding no keys: every hash 0 */
    public static RangeTree empty(TreeShape shape) {
        Objects.requireNonNull(shape, "shape");
        return new RangeTree(shape, new long[shape.leaves()], new long[shape.branchCount()], 0);
    }

    /**
     * @return the tree of {@code records} (a token-ordered scan of {@code range}, though any order gives the same
     *     tree), shaped by {@link TreeShape#of(TokenRange, int)}
     * @throws IllegalArgumentException when a record's token lies outside the range, or the leaf setting is out
     *     of bounds
     */
    public static RangeTree build(TokenRange range, int leaves, Iterable<StorageRecord> records) {
        RangeTree tree = empty(TreeShape.of(range, leaves));
        KeyHash hash = new KeyHash();
        for (StorageRecord record : records) {
            tree.add(record.token(), hash.hash(record));
        }
        return tree;
    }

    /**
     * Accounts for a key's change in O(1): its old hash leaves the tree and its new hash enters it.
     *
     * @param oldHash the key's hash before the write, 0 when the key was absent
     * @param newHash the key's hash after the write, 0 when the key is gone altogether (not a tombstone)
     * @throws IllegalArgumentException when the token lies outside the tree's range; the tree is then unchanged
     */
    public void update(long token, long oldHash, long newHash) {
        int leaf = shape.leafOf(token);
        long delta = oldHash ^ newHash;
        leaves[leaf] ^= delta;
        branches[leaf / shape.leavesPerBranch()] ^= delta;
        root ^= delta;
    }

    /** Adds a key not yet in the tree: {@code update(token, 0, hash)}, as a build from a scan does. */
    public void add(long token, long hash) {
        update(token, 0, hash);
    }

    /** @return the tree's geometry, which a peer's tree must equal to be compared */
    public TreeShape shape() {
        return shape;
    }

    /** @return the root hash: the XOR of every key's hash; 0 for an empty range */
    public long root() {
        return root;
    }

    /** @return a copy of the branch hashes, {@link TreeShape#branchCount()} of them in token order */
    public long[] branches() {
        return branches.clone();
    }

    /** @return a copy of the leaf hashes of {@code branch}, {@link TreeShape#leavesPerBranch()} in token order */
    public long[] leaves(int branch) {
        Objects.checkIndex(branch, shape.branchCount());
        int from = branch * shape.leavesPerBranch();
        return Arrays.copyOfRange(leaves, from, from + shape.leavesPerBranch());
    }

    /** @return the hash of one leaf, by its index in [0, leaves) */
    public long leaf(int leaf) {
        return leaves[Objects.checkIndex(leaf, leaves.length)];
    }

    /** @return the tokens leaf {@code leaf} covers, the slice to scan for its keys */
    public TokenRange leafRange(int leaf) {
        return shape.leafRange(leaf);
    }

    /** @return an independent copy, for a repair session to compare while writes keep updating this tree */
    public RangeTree copy() {
        return new RangeTree(shape, leaves.clone(), branches.clone(), root);
    }

    /** @return the heap this tree holds: {@code (leaves + branches + 1) * 8} plus object headers */
    public long memoryBytes() {
        return (long) (leaves.length + branches.length + 1) * Long.BYTES + OBJECT_OVERHEAD_BYTES;
    }

    /** @return true when both trees have the same shape and the same hashes at every level */
    public boolean sameAs(RangeTree other) {
        return shape.equals(other.shape) && root == other.root && Arrays.equals(leaves, other.leaves)
            && Arrays.equals(branches, other.branches);
    }

    @Override
    public String toString() {
        return "RangeTree[" + shape.range() + ", " + shape.leaves() + " leaves, root "
            + Long.toHexString(root) + "]";
    }
}
