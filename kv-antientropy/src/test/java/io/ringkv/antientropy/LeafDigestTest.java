package io.ringkv.antientropy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.Key;
import io.ringkv.antientropy.LeafDigest.Comparison;
import io.ringkv.antientropy.LeafDigest.Entry;
import java.util.List;
import org.junit.jupiter.api.Test;

class LeafDigestTest {

    @Test
    void identicalDigestsExchangeNothing() {
        LeafDigest mine = digest("a", 1, "b", 2, "c", 3);
        LeafDigest theirs = digest("c", 3, "a", 1, "b", 2);
        assertTrue(LeafDigest.compare(mine, theirs).isEmpty());
        assertTrue(LeafDigest.compare(digest(), digest()).isEmpty());
    }

    @Test
    void aKeyTheyLackIsSentAndAKeyILackIsRequested() {
        Comparison comparison = LeafDigest.compare(digest("a", 1, "b", 2, "d", 4), digest("b", 2, "c", 3, "e", 5));
        assertEquals(keys("a", "d"), comparison.toSend());
        assertEquals(keys("c", "e"), comparison.toRequest());
    }

    @Test
    void aDifferingHashGoesBothWays() {
        Comparison comparison = LeafDigest.compare(digest("a", 1, "b", 2), digest("a", 1, "b", 7));
        assertEquals(keys("b"), comparison.toSend());
        assertEquals(keys("b"), comparison.toRequest());
    }

    @Test
    void anEmptySideSendsOrRequestsEverything() {
        LeafDigest some = digest("x", 1, "y", 2);
        assertEquals(keys("x", "y"), LeafDigest.compare(some, digest()).toSend());
        assertTrue(LeafDigest.compare(some, digest()).toRequest().isEmpty());
        assertEquals(keys("x", "y"), LeafDigest.compare(digest(), some).toRequest());
        assertTrue(LeafDigest.compare(digest(), some).toSend().isEmpty());
    }

    @Test
    void mixedCaseFromBothSides() {
        Comparison comparison = LeafDigest.compare(
            digest("apple", 1, "kiwi", 2, "lime", 3, "plum", 4),
            digest("banana", 9, "kiwi", 2, "lime", 30, "zucchini", 5));
        assertEquals(keys("apple", "lime", "plum"), comparison.toSend());
        assertEquals(keys("banana", "lime", "zucchini"), comparison.toRequest());
    }

    @Test
    void entriesAreSortedByUnsignedKeyBytes() {
        LeafDigest digest = LeafDigest.of(List.of(
            new Entry(Key.of(new byte[] {(byte) 0x80}), 1), new Entry(Key.of(new byte[] {0x01}), 2)));
        assertEquals(Key.of(new byte[] {0x01}), digest.entries().getFirst().key());
    }

    @Test
    void aKeyTwiceIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> digest("a", 1, "a", 2));
    }

    @Test
    void builderRefusesEntriesPastTheBoundAndKeepsWhatItHas() {
        LeafDigest.Builder builder = new LeafDigest.Builder();
        int added = 0;
        while (builder.add(Key.utf8("key-" + added), added)) {
            added++;
        }
        assertEquals(LeafDigest.MAX_ENTRIES, added);
        assertFalse(builder.add(Key.utf8("one-more"), 1));
        assertEquals(LeafDigest.MAX_ENTRIES, builder.build().size());

        LeafDigest.Builder big = new LeafDigest.Builder();
        byte[] kilobyte = new byte[1024];
        int bigAdded = 0;
        while (true) {
            kilobyte[0] = (byte) bigAdded;
            kilobyte[1] = (byte) (bigAdded >> 8);
            if (!big.add(Key.of(kilobyte), bigAdded)) {
                break;
            }
            bigAdded++;
        }
        assertTrue(big.bytes() <= LeafDigest.MAX_BYTES);
        assertEquals(LeafDigest.MAX_BYTES / (1024 + 12), bigAdded);
    }

    private static LeafDigest digest(Object... keyHashPairs) {
        LeafDigest.Builder builder = new LeafDigest.Builder();
        for (int i = 0; i < keyHashPairs.length; i += 2) {
            assertTrue(builder.add(Key.utf8((String) keyHashPairs[i]), ((Integer) keyHashPairs[i + 1]).longValue()));
        }
        return builder.build();
    }

    private static List<Key> keys(String... names) {
        return java.util.Arrays.stream(names).map(Key::utf8).toList();
    }
}
