package io.ringkv.antientropy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ringkv.api.Key;
import io.ringkv.ring.Partitioner;
import io.ringkv.storage.StorageKey;
import io.ringkv.storage.StorageRecord;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KeyHashTest {
    private static final byte[] KEY = bytes("user:42");
    private static final byte[] VERSION = {1, 2, 3};
    private static final byte[] VALUE = bytes("hello");

    @Test
    void sameInputGivesTheSameHashFromEveryInstance() {
        long once = KeyHash.of(KEY, VERSION, VALUE);
        KeyHash reused = new KeyHash();
        reused.hash(bytes("other"), VERSION, null);
        assertEquals(once, reused.hash(KEY, VERSION, VALUE));
        assertEquals(once, KeyHash.of(KEY.clone(), VERSION.clone(), VALUE.clone()));
    }

    @Test
    void hashIsFixedAcrossJvms() {
        // Pinned: SHA-256 of 0x01 | len "user:42" | len 010203 | len "hello", first 8 bytes big-endian. A peer on
        // another JVM computes the same, so a change here breaks repair between versions.
        // Computed independently with Python's hashlib.
        assertEquals(0x03f20ec537c0c890L, KeyHash.of(KEY, VERSION, VALUE));
    }

    @Test
    void keyVersionValueAndTombstoneEachChangeTheHash() {
        long base = KeyHash.of(KEY, VERSION, VALUE);
        assertNotEquals(base, KeyHash.of(bytes("user:43"), VERSION, VALUE));
        assertNotEquals(base, KeyHash.of(KEY, new byte[] {1, 2, 4}, VALUE));
        assertNotEquals(base, KeyHash.of(KEY, VERSION, bytes("hellp")));
        assertNotEquals(base, KeyHash.of(KEY, VERSION, null));
        assertNotEquals(KeyHash.of(KEY, VERSION, new byte[0]), KeyHash.of(KEY, VERSION, null),
            "an empty value is not a tombstone");
    }

    @Test
    void fieldBoundariesAreNotAmbiguous() {
        assertNotEquals(KeyHash.of(bytes("ab"), bytes("c"), VALUE), KeyHash.of(bytes("a"), bytes("bc"), VALUE));
        assertNotEquals(KeyHash.of(KEY, bytes("xy"), bytes("z")), KeyHash.of(KEY, bytes("x"), bytes("yz")));
        assertNotEquals(KeyHash.of(KEY, VERSION), KeyHash.of(KEY, VERSION, null), "version sets are their own domain");
    }

    @Test
    void recordHashMatchesItsParts() {
        Key key = Key.of(KEY);
        StorageKey storageKey = new StorageKey(Partitioner.token(key), key);
        assertEquals(KeyHash.of(KEY, VERSION, VALUE), KeyHash.of(StorageRecord.live(storageKey, VERSION, VALUE)));
        assertEquals(KeyHash.of(KEY, VERSION, null), KeyHash.of(StorageRecord.tombstone(storageKey, VERSION)));
        byte[] large = new byte[10 * 1024 + 3];
        for (int i = 0; i < large.length; i++) {
            large[i] = (byte) (i * 31);
        }
        // a value larger than the digest's chunk for buffers it cannot read in place
        assertEquals(KeyHash.of(KEY, VERSION, large), KeyHash.of(StorageRecord.live(storageKey, VERSION, large)));
        assertNotEquals(KeyHash.of(KEY, VERSION, large),
            KeyHash.of(StorageRecord.live(storageKey, VERSION, java.util.Arrays.copyOf(large, large.length - 1))));
    }

    @Test
    void hashesAreNeverZeroAndSpread() {
        Set<Long> seen = new HashSet<>();
        long ones = 0;
        for (int i = 0; i < 10_000; i++) {
            long hash = KeyHash.of(bytes("k" + i), VERSION, VALUE);
            assertNotEquals(0L, hash);
            seen.add(hash);
            ones += Long.bitCount(hash);
        }
        assertEquals(10_000, seen.size());
        // 640,000 bits, mean half set; 8 standard deviations is about +-3,200.
        double share = ones / 640_000.0;
        assertEquals(0.5, share, 0.005, "share of set bits");
    }

    @Test
    void nullKeyOrVersionIsRefusedAndLeavesTheDigestClean() {
        KeyHash hasher = new KeyHash();
        assertThrows(NullPointerException.class, () -> hasher.hash(null, VERSION, VALUE));
        assertThrows(NullPointerException.class, () -> hasher.hash(KEY, null, VALUE));
        assertEquals(KeyHash.of(KEY, VERSION, VALUE), hasher.hash(KEY, VERSION, VALUE));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
