package io.ringkv.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class VectorClockTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final NodeId C = NodeId.of("c");

    private static VectorClock clock(long a, long b) {
        VectorClock clock = VectorClock.empty();
        clock = a > 0 ? clock.with(A, a, 0) : clock;
        return b > 0 ? clock.with(B, b, 0) : clock;
    }

    @Test
    void aClockThatIncrementsAnotherComesAfterIt() {
        assertEquals(Occurred.AFTER, clock(2, 1).compare(clock(1, 1)));
        assertEquals(Occurred.BEFORE, clock(1, 1).compare(clock(2, 1)));
        assertEquals(Occurred.AFTER, clock(1, 0).compare(VectorClock.empty()));
    }

    @Test
    void identicalClocksAreEqual() {
        assertEquals(Occurred.EQUAL, clock(3, 4).compare(clock(3, 4)));
        assertEquals(Occurred.EQUAL, VectorClock.empty().compare(VectorClock.empty()));
    }

    @Test
    void clocksThatEachSawSomethingTheOtherDidNotAreConcurrent() {
        assertEquals(Occurred.CONCURRENT, clock(2, 1).compare(clock(1, 2)));
        assertEquals(Occurred.CONCURRENT, clock(1, 0).compare(clock(0, 1)));
    }

    @Test
    void mergeTakesTheHigherCounterPerNodeAndCoversBoth() {
        VectorClock merged = clock(3, 1).merge(clock(1, 5));
        assertEquals(Map.of(A, 3L, B, 5L), merged.asMap());
        assertTrue(merged.covers(clock(3, 1)) && merged.covers(clock(1, 5)));
    }

    private static VectorClock bump(VectorClock clock, NodeId node, long millis) {
        return clock.with(node, clock.counter(node) + 1, millis);
    }

    @Test
    void aClockCoversExactlyTheDotsUpToItsCounterForTheDotsNode() {
        assertTrue(clock(3, 0).covers(new Dot(A, 3)));
        assertTrue(clock(3, 0).covers(new Dot(A, 1)));
        assertTrue(!clock(3, 0).covers(new Dot(A, 4)));
        assertTrue(!clock(3, 0).covers(new Dot(B, 1)));
    }

    @Test
    void pruningDropsTheOldestUpdatedEntriesBeyondTheLimit() {
        VectorClock clock = bump(bump(bump(VectorClock.empty(), B, 100), A, 300), C, 200);
        VectorClock pruned = clock.pruned(2);
        assertEquals(Map.of(A, 1L, C, 1L), pruned.asMap(), "b was updated longest ago");
        assertEquals(1, clock.size() - pruned.size(), "the prune count callers record");
        assertEquals(clock, clock.pruned(3), "nothing pruned within the limit");
        assertEquals(Map.of(A, 1L), clock.pruned(1).asMap());
    }

    @Test
    void pruningNeverMakesAnAncestorLookNewer() {
        VectorClock ancestor = bump(bump(VectorClock.empty(), A, 1), B, 2);
        VectorClock descendant = bump(ancestor, C, 3).pruned(2);
        Occurred occurred = descendant.compare(ancestor);
        assertTrue(occurred == Occurred.AFTER || occurred == Occurred.CONCURRENT, occurred.toString());
    }

    @Test
    void countersBelowOneAreRejected() {
        KvException e = assertThrows(KvException.class, () -> VectorClock.empty().with(A, 0, 0));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
    }

    @Test
    void aCausalContextSurvivesItsOpaqueEncodingAndGarbageIsRejected() {
        CausalContext context = new CausalContext(bump(clock(7, 9), C, 42));
        assertEquals(context, CausalContext.fromBytes(context.toBytes()));
        KvException e = assertThrows(KvException.class, () -> CausalContext.fromBytes(new byte[] {'C', 2, 5}));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        assertThrows(KvException.class, () -> CausalContext.fromBytes(new byte[] {'C', 9, 0, 0}));
        assertThrows(KvException.class, () -> CausalContext.fromBytes(new byte[0]));
    }

    @Test
    void aVersionSurvivesItsEncoding() {
        Version version = new Version(new Dot(C, 7), clock(1, 2), new HybridTimestamp(123, 4));
        assertEquals(version, VersionEncoding.decodeVersion(VersionEncoding.encodeVersion(version)));
    }
}
