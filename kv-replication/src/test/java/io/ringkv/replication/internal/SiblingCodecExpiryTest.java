package io.ringkv.replication.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ringkv.api.Dot;
import io.ringkv.api.HybridTimestamp;
import io.ringkv.api.NodeId;
import io.ringkv.api.SiblingSet;
import io.ringkv.api.Value;
import io.ringkv.api.VectorClock;
import io.ringkv.api.Version;
import io.ringkv.api.Versioned;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The record expiry compaction reads, and the tombstone blob it keeps of an expired record: exactly the bytes a
 * replica writes when it resolves that record's versions as tombstones (the repair of an uncompacted replica), so
 * the two hash alike in anti-entropy.
 */
class SiblingCodecExpiryTest {
    private static Versioned sibling(String node, long millis, long expiresAt, String value) {
        Version version = new Version(new Dot(NodeId.of(node), 1), VectorClock.empty(), new HybridTimestamp(millis, 0),
            expiresAt);
        return value == null ? Versioned.tombstone(version) : Versioned.of(version, Value.utf8(value));
    }

    @Test
    void theKeptTombstoneIsTheBlobOfTheSameVersionsAsTombstonesInTheirOrder() {
        // given out of order: a concurrent delete between two values that expire at different instants
        List<Versioned> held = List.of(sibling("c", 3_000, 9_000, "late"), sibling("a", 1_000, 5_000, "early"),
            sibling("b", 2_000, Version.NEVER, null));
        byte[] live = SiblingCodec.encodeVersions(new SiblingSet(held));
        assertEquals(9_000, SiblingCodec.EXPIRY.expiresAtMillis(live), "the last live value's expiry");

        List<Versioned> asTombstones = new ArrayList<>();
        held.forEach(versioned -> asTombstones.add(Versioned.tombstone(versioned.version())));
        byte[] kept = SiblingCodec.EXPIRY.expiredVersion(live);
        assertArrayEquals(SiblingCodec.encodeVersions(new SiblingSet(asTombstones)), kept);
        assertEquals(Version.NEVER, SiblingCodec.EXPIRY.expiresAtMillis(kept), "a tombstone blob expires never");
    }

    @Test
    void aRecordWithAValueThatNeverExpiresNeverExpires() {
        byte[] live = SiblingCodec.encodeVersions(new SiblingSet(List.of(sibling("a", 1_000, 5_000, "x"),
            sibling("b", 2_000, Version.NEVER, "y"))));
        assertEquals(Version.NEVER, SiblingCodec.EXPIRY.expiresAtMillis(live));
    }
}
