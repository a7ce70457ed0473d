package io.ringkv.antientropy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.Key;
import io.ringkv.ring.Partitioner;
import io.ringkv.ring.TokenRange;
import io.ringkv.storage.StorageKey;
import io.ringkv.storage.StorageRecord;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RangeTreeTest {
    private static final TokenRange WRAPPING = new TokenRange(Long.MAX_VALUE / 2, Long.MIN_VALUE / 2);

    @Test
    void incrementalUpdatesEqualAFreshBuildOfTheFinalKeys() {
        long seed = Seeds.seed(11);
        SplittableRandom random = Seeds.random(seed);
        for (TokenRange range : List.of(TokenRange.wholeRing(), WRAPPING, new TokenRange(-5_000, 1L << 40))) {
            RangeTree incremental = RangeTree.empty(TreeShape.of(range, 1024));
            Map<Long, Long> current = new HashMap<>();
            List<Long> tokens = new ArrayList<>();
            for (int step = 0; step < 30_000; step++) {
                int action = random.nextInt(10);
                if (action < 5 || tokens.isEmpty()) {
                    long token = Seeds.tokenIn(range, random);
                    if (!current.containsKey(token)) {
                        tokens.add(token);
                        current.put(token, 0L);
                    }
                    write(incremental, current, token, nonZeroHash(random));
                } else if (action < 9) {
                    // An overwrite or a delete: either way a new version set, so a new hash.
                    write(incremental, current, tokens.get(random.nextInt(tokens.size())), nonZeroHash(random));
                } else {
                    // The key leaves the range altogether (a purge, or the range handed away): XOR its hash out.
                    write(incremental, current, tokens.get(random.nextInt(tokens.size())), 0L);
                }
            }
            RangeTree fresh = RangeTree.empty(TreeShape.of(range, 1024));
            current.forEach((token, hash) -> fresh.add(token, hash));
            String replay = Seeds.replay(seed, RangeTreeTest.class, "incrementalUpdatesEqualAFreshBuildOfTheFinalKeys");
            assertEquals(fresh.root(), incremental.root(), replay);
            assertArrayEquals(fresh.branches(), incremental.branches(), replay);
            for (int branch = 0; branch < fresh.shape().branchCount(); branch++) {
                assertArrayEquals(fresh.leaves(branch), incremental.leaves(branch), replay);
            }
            assertTrue(incremental.sameAs(fresh), replay);
            assertNotEquals(0L, fresh.root(), "a populated tree has a non-trivial root");
        }
    }

    @Test
    void levelsAreXorsOfTheLevelBelow() {
        RangeTree tree = randomTree(TokenRange.wholeRing(), 5_000, Seeds.seed(3));
        assertTrue(TreeDiff.rootMatches(tree.root(), tree.branches()));
        long[] branches = tree.branches();
        for (int branch = 0; branch < branches.length; branch++) {
            assertTrue(TreeDiff.branchMatches(branches[branch], tree.leaves(branch)), "branch " + branch);
        }
    }

    @Test
    void buildFromRecordsHashesEachRecordIntoItsTokensLeaf() {
        List<StorageRecord> records = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            Key key = Key.utf8("key-" + i);
            StorageKey storageKey = new StorageKey(Partitioner.token(key), key);
            byte[] version = {(byte) i, 1};
            records.add(i % 7 == 0 ? StorageRecord.tombstone(storageKey, version)
                : StorageRecord.live(storageKey, version, ("value-" + i).getBytes(StandardCharsets.UTF_8)));
        }
        RangeTree built = RangeTree.build(TokenRange.wholeRing(), 256, records);
        RangeTree byHand = RangeTree.empty(TreeShape.of(TokenRange.wholeRing(), 256));
        for (StorageRecord record : records.reversed()) {
            byHand.add(record.token(), KeyHash.of(record));
        }
        assertTrue(built.sameAs(byHand));
        StorageRecord first = records.getFirst();
        long leafBefore = built.leaf(built.shape().leafOf(first.token()));
        built.update(first.token(), KeyHash.of(first), 0L);
        assertNotEquals(leafBefore, built.leaf(built.shape().leafOf(first.token())));
        assertFalse(built.sameAs(byHand));
    }

    @Test
    void updateOutsideTheRangeIsRefusedAndChangesNothing() {
        RangeTree tree = randomTree(WRAPPING, 500, Seeds.seed(5));
        RangeTree before = tree.copy();
        assertThrows(IllegalArgumentException.class, () -> tree.update(0, 0, 42));
        assertThrows(IllegalArgumentException.class, () -> tree.add(WRAPPING.start(), 42));
        assertTrue(tree.sameAs(before));
    }

    @Test
    void copyIsIndependentOfLaterWrites() {
        RangeTree tree = randomTree(TokenRange.wholeRing(), 100, Seeds.seed(9));
        RangeTree snapshot = tree.copy();
        tree.add(12345, 0x5EED);
        assertFalse(tree.sameAs(snapshot));
        assertEquals(tree.root() ^ 0x5EED, snapshot.root());
    }

    @Test
    void memoryIsTheHashArraysPlusAFewHeaders() {
        RangeTree standard = RangeTree.empty(TreeShape.of(TokenRange.wholeRing(), TreeShape.DEFAULT_LEAVES));
        assertTrue(standard.memoryBytes() >= (1024 + 32 + 1) * 8 && standard.memoryBytes() < 9 * 1024,
            "default tree: " + standard.memoryBytes());
        RangeTree largest = RangeTree.empty(TreeShape.of(TokenRange.wholeRing(), TreeShape.MAX_LEAVES));
        assertTrue(largest.memoryBytes() >= (65_536 + 256 + 1) * 8 && largest.memoryBytes() < 520 * 1024,
            "largest tree: " + largest.memoryBytes());
    }

    static RangeTree randomTree(TokenRange range, int keys, long seed) {
        SplittableRandom random = Seeds.random(seed);
        RangeTree tree = RangeTree.empty(TreeShape.of(range, 1024));
        for (int i = 0; i < keys; i++) {
            tree.add(Seeds.tokenIn(range, random), nonZeroHash(random));
        }
        return tree;
    }

    private static void write(RangeTree tree, Map<Long, Long> current, long token, long newHash) {
        long oldHash = current.getOrDefault(token, 0L);
        tree.update(token, oldHash, newHash);
        current.put(token, newHash);
    }

    private static long nonZeroHash(SplittableRandom random) {
        long hash = random.nextLong();
        return hash == 0 ? 1 : hash;
    }
}
