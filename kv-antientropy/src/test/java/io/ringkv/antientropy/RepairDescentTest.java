package io.ringkv.antientropy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.Key;
import io.ringkv.ring.Partitioner;
import io.ringkv.ring.TokenRange;
import io.ringkv.storage.StorageKey;
import io.ringkv.storage.StorageRecord;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The pieces composed as the exchange will compose them, without a network: two replicas' records of one wrapping
 * range, trees, the descent, a digest per differing leaf from a scan of exactly {@link RangeTree#leafRange(int)},
 * and the comparison. The keys to send and to request must be exactly the keys that differ.
 */
class RepairDescentTest {
    private static final TokenRange RANGE = new TokenRange(Long.MAX_VALUE - (1L << 62), Long.MIN_VALUE + (1L << 62));

    @Test
    void descentFindsExactlyTheDifferingKeysBothWays() {
        long seed = Seeds.seed(31);
        SplittableRandom random = Seeds.random(seed);
        TreeMap<StorageKey, StorageRecord> mine = new TreeMap<>();
        TreeMap<StorageKey, StorageRecord> theirs = new TreeMap<>();
        for (int i = 0; i < 20_000; i++) {
            StorageRecord record = record("key-" + i, 1, "v" + i);
            if (RANGE.contains(record.token())) {
                mine.put(record.storageKey(), record);
                theirs.put(record.storageKey(), record);
            }
        }
        TreeSet<Key> onlyMine = new TreeSet<>();
        TreeSet<Key> onlyTheirs = new TreeSet<>();
        TreeSet<Key> differ = new TreeSet<>();
        List<StorageKey> shared = new ArrayList<>(mine.keySet());
        for (int i = 0; i < 60; i++) {
            StorageKey victim = shared.get(random.nextInt(shared.size()));
            if (onlyMine.contains(victim.key()) || onlyTheirs.contains(victim.key()) || differ.contains(victim.key())) {
                continue;
            }
            switch (i % 3) {
                case 0 -> {
                    theirs.remove(victim);
                    onlyMine.add(victim.key());
                }
                case 1 -> {
                    mine.remove(victim);
                    onlyTheirs.add(victim.key());
                }
                default -> {
                    theirs.put(victim, StorageRecord.tombstone(victim, new byte[] {2}));
                    differ.add(victim.key());
                }
            }
        }

        RangeTree myTree = RangeTree.build(RANGE, 1024, mine.values());
        RangeTree theirTree = RangeTree.build(RANGE, 1024, theirs.values());
        List<Key> toSend = new ArrayList<>();
        List<Key> toRequest = new ArrayList<>();
        for (int branch : TreeDiff.differingBranches(myTree.branches(), theirTree.branches())) {
            for (int leaf : TreeDiff.differingLeaves(myTree.shape(), branch, myTree.leaves(branch),
                    theirTree.leaves(branch))) {
                TokenRange slice = myTree.leafRange(leaf);
                LeafDigest.Comparison comparison = LeafDigest.compare(digest(mine, slice), digest(theirs, slice));
                toSend.addAll(comparison.toSend());
                toRequest.addAll(comparison.toRequest());
            }
        }

        TreeSet<Key> expectedSend = new TreeSet<>(onlyMine);
        expectedSend.addAll(differ);
        TreeSet<Key> expectedRequest = new TreeSet<>(onlyTheirs);
        expectedRequest.addAll(differ);
        String replay = Seeds.replay(seed, RepairDescentTest.class, "descentFindsExactlyTheDifferingKeysBothWays");
        assertEquals(expectedSend, new TreeSet<>(toSend), replay);
        assertEquals(expectedSend.size(), toSend.size(), "no key sent twice: " + replay);
        assertEquals(expectedRequest, new TreeSet<>(toRequest), replay);
        assertTrue(!differ.isEmpty() && !onlyMine.isEmpty() && !onlyTheirs.isEmpty());
    }

    /** A replica's digest of one slice: what the node builds from a storage scan over (slice.start, slice.end]. */
    private static LeafDigest digest(TreeMap<StorageKey, StorageRecord> records, TokenRange slice) {
        LeafDigest.Builder builder = new LeafDigest.Builder();
        for (StorageRecord record : records.values()) {
            if (slice.contains(record.token())) {
                assertTrue(builder.add(record.key(), KeyHash.of(record)));
            }
        }
        return builder.build();
    }

    private static StorageRecord record(String key, int version, String value) {
        Key k = Key.utf8(key);
        return StorageRecord.live(new StorageKey(Partitioner.token(k), k), new byte[] {(byte) version},
            value.getBytes(StandardCharsets.UTF_8));
    }
}
