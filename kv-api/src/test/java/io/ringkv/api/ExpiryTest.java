package io.ringkv.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExpiryTest {
    private static final NodeId A = NodeId.of("a");
    private static final HybridTimestamp STAMP = new HybridTimestamp(10_000, 3);

    private static Version version(long counter, long expiresAt) {
        return new Version(new Dot(A, counter), VectorClock.empty(), STAMP, expiresAt);
    }

    @Test
    void anExpiryResolvesAgainstTheWritesTimestampNotTheReadersClock() {
        assertEquals(10_500, Expiry.after(500).resolve(STAMP, 77));
        assertEquals(42, Expiry.at(42).resolve(STAMP, 77));
        assertEquals(77, Expiry.KEEP.resolve(STAMP, 77));
        assertEquals(Version.NEVER, Expiry.KEEP.resolve(STAMP, Version.NEVER));
        assertEquals(Version.NEVER, Expiry.NONE.resolve(STAMP, 77));
        assertEquals(Long.MAX_VALUE, Expiry.after(Long.MAX_VALUE - 5).resolve(STAMP, 0), "saturates, never wraps");
    }

    @Test
    void anExpiryOfNoTimeOrANegativeOneIsRefused() {
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(KvException.class, () -> Expiry.after(0)).code());
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(KvException.class, () -> Expiry.at(-1)).code());
        assertThrows(KvException.class, () -> new Expiry(Expiry.Kind.KEEP, 5));
        assertThrows(KvException.class, () -> version(1, -1));
    }

    @Test
    void aValueReadsAsAbsentFromItsExpiryOnAndItsContextStillCoversIt() {
        Versioned expiring = Versioned.of(version(1, 20_000), Value.of(new byte[] {1}));
        Versioned lasting = Versioned.of(version(2, Version.NEVER), Value.of(new byte[] {2}));
        SiblingSet set = new SiblingSet(List.of(expiring, lasting));
        assertSame(set, set.visibleAt(19_999));
        SiblingSet later = set.visibleAt(20_000);
        assertEquals(1, later.values().size());
        assertEquals(set.context(), later.context());
        assertTrue(expiring.isExpiredAt(20_000));
        assertFalse(expiring.isLiveAt(20_000));
        assertTrue(later.visibleAt(30_000).versions().stream().anyMatch(Versioned::isTombstone));
    }

    @Test
    void aKeyExpiresWhenItsLastLiveValueDoes() {
        Versioned early = Versioned.of(version(1, 20_000), Value.of(new byte[] {1}));
        Versioned late = Versioned.of(version(2, 30_000), Value.of(new byte[] {2}));
        Versioned lasting = Versioned.of(version(3, Version.NEVER), Value.of(new byte[] {3}));
        Versioned deleted = Versioned.tombstone(version(4, Version.NEVER));
        assertEquals(30_000, new SiblingSet(List.of(early, late, deleted)).expiresAtMillis());
        assertEquals(Version.NEVER, new SiblingSet(List.of(early, lasting)).expiresAtMillis());
        assertEquals(Version.NEVER, new SiblingSet(List.of(deleted)).expiresAtMillis());
    }

    @Test
    void anExpiryTravelsInTheVersionEncodingAndOldVersionsReadAsNeverExpiring() {
        Version version = version(7, 123_456);
        assertEquals(version, VersionEncoding.decodeVersion(VersionEncoding.encodeVersion(version)));
        byte[] encoded = VersionEncoding.encodeVersion(version(7, Version.NEVER));
        ByteBuffer old = ByteBuffer.wrap(encoded, 0, encoded.length - Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(version(7, Version.NEVER), VersionEncoding.readVersionWithoutExpiry(old));
        assertFalse(old.hasRemaining());
        // the field's top bit marks a change of expiry; the instant is the other 63 bits
        byte[] marked = VersionEncoding.encodeVersion(version);
        ByteBuffer.wrap(marked).order(ByteOrder.LITTLE_ENDIAN).putLong(marked.length - Long.BYTES,
            123_456 | Long.MIN_VALUE);
        Version change = VersionEncoding.decodeVersion(marked);
        assertTrue(change.expiryChange());
        assertEquals(123_456, change.expiresAtMillis());
    }

    @Test
    void anAmountAClientSentIsTakenInRangeAndRefusedOutsideIt() {
        assertEquals(Expiry.after(5_000), Expiry.ofAmount(5, 1000, false, 1_700_000_000_000L).orElseThrow());
        assertEquals(Expiry.at(1_700_000_000_123L), Expiry.ofAmount(1_700_000_000_123L, 1, true, 0).orElseThrow());
        assertTrue(Expiry.ofAmount(0, 1000, false, 0).isEmpty(), "zero");
        assertTrue(Expiry.ofAmount(-1, 1, true, 0).isEmpty(), "negative");
        assertTrue(Expiry.ofAmount(Long.MAX_VALUE / 1000 + 1, 1000, true, 0).isEmpty(), "past milliseconds");
        // a time to live counts from now: what would pass Long.MAX_VALUE from the front door's clock is refused
        long now = 1_700_000_000_000L;
        assertTrue(Expiry.ofAmount(Long.MAX_VALUE - now + 1, 1, false, now).isEmpty());
        assertFalse(Expiry.ofAmount(Long.MAX_VALUE - now, 1, false, now).isEmpty());
    }
}
