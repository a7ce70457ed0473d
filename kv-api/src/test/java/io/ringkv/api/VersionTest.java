package io.ringkv.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Dotted versions: a write supersedes exactly the dots its past covers. */
class VersionTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final HybridTimestamp T = new HybridTimestamp(1, 0);

    private static Version version(NodeId node, long counter, Map<NodeId, Long> past) {
        return new Version(new Dot(node, counter), VectorClock.of(past), T);
    }

    @Test
    void aWriteWhosePastCoversAnotherDotSupersedesIt() {
        Version base = version(A, 1, Map.of());
        Version next = version(A, 2, Map.of(A, 1L));
        assertTrue(base.isSupersededBy(next));
        assertEquals(Occurred.BEFORE, base.compare(next));
        assertEquals(Occurred.AFTER, next.compare(base));
    }

    /** The case: b saw base and a; c saw only base. Same coordinator, yet c is not older than b. */
    @Test
    void aWriteWithAnOlderContextIsConcurrentWithANewerOneFromTheSameReplica() {
        Version b = version(A, 3, Map.of(A, 2L));
        Version c = version(A, 4, Map.of(A, 1L));
        assertEquals(Occurred.CONCURRENT, c.compare(b));
        assertFalse(c.isSupersededBy(b));
        assertFalse(b.isSupersededBy(c));
    }

    @Test
    void theClockOfAVersionIsItsPastWithItsDot() {
        assertEquals(Map.of(A, 4L, B, 2L), version(A, 4, Map.of(A, 1L, B, 2L)).clock().asMap());
        SiblingSet siblings = new SiblingSet(List.of(Versioned.of(version(A, 3, Map.of(A, 2L)), Value.utf8("b")),
            Versioned.of(version(A, 4, Map.of(A, 1L)), Value.utf8("c"))));
        assertEquals(Map.of(A, 4L), siblings.context().clock().asMap());
    }

    @Test
    void aContextFromBeforeDottedVersionVectorsIsRefusedWithAReason() {
        byte[] formatOne = {'C', 1, 0, 0};
        KvException e = assertThrows(KvException.class, () -> CausalContext.fromBytes(formatOne));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        assertTrue(e.getMessage().contains("format 1") && e.getMessage().contains("GETV"), e.getMessage());
    }

    @Test
    void aDotCounterBelowOneIsRejected() {
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(KvException.class, () -> new Dot(A, 0)).code());
    }

    private static Version change(NodeId node, long counter, Map<NodeId, Long> past) {
        return new Version(new Dot(node, counter), VectorClock.of(past), T, 5_000, true);
    }

    @Test
    void aChangeOfExpiryYieldsToAWriteThatSawAllItSawAndToNothingElse() {
        // the value a:1; a change of its expiry by b; a DEL through a that also read a:1
        Version change = change(B, 1, Map.of(A, 1L));
        Version delete = version(A, 2, Map.of(A, 1L));
        assertEquals(Occurred.CONCURRENT, change.compare(delete), "by their clocks the two are concurrent");
        assertTrue(change.yieldsTo(delete));
        assertFalse(delete.yieldsTo(change), "only a change yields");
        // a write that did not see all the change read (b:5 beside a:1) is a sibling as before
        Version changeOfTwo = change(B, 6, Map.of(A, 1L, B, 5L));
        assertFalse(changeOfTwo.yieldsTo(delete));
        // two changes of the same read stay siblings; one that read more makes the other moot
        Version otherChange = change(A, 3, Map.of(A, 1L));
        assertFalse(change.yieldsTo(otherChange));
        assertFalse(otherChange.yieldsTo(change));
        assertTrue(change.yieldsTo(changeOfTwo));
        assertFalse(change.yieldsTo(change), "not to itself");
        assertFalse(version(B, 1, Map.of(A, 1L)).yieldsTo(delete), "a write that is no change of expiry");
    }

    @Test
    void theChangeOfExpiryMarkSurvivesEncodingAndAVersionWithoutItEncodesAsBefore() {
        Version change = change(B, 1, Map.of(A, 1L));
        Version decoded = VersionEncoding.decodeVersion(VersionEncoding.encodeVersion(change));
        assertEquals(change, decoded);
        assertTrue(decoded.expiryChange());
        assertEquals(5_000, decoded.expiresAtMillis());
        Version plain = new Version(new Dot(B, 1), VectorClock.of(Map.of(A, 1L)), T, 5_000);
        byte[] bytes = VersionEncoding.encodeVersion(plain);
        assertEquals(5_000, java.nio.ByteBuffer.wrap(bytes, bytes.length - Long.BYTES, Long.BYTES)
            .order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(), "the expiry field as every earlier build wrote it");
        assertFalse(VersionEncoding.decodeVersion(bytes).expiryChange());
        assertEquals(bytes.length, VersionEncoding.encodeVersion(change).length);
    }
}
