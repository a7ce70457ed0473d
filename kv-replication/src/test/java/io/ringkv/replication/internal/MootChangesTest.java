package io.ringkv.replication.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.ringkv.api.Dot;
import io.ringkv.api.HybridTimestamp;
import io.ringkv.api.NodeId;
import io.ringkv.api.Value;
import io.ringkv.api.VectorClock;
import io.ringkv.api.Version;
import io.ringkv.api.Versioned;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A change of expiry never stands beside a write that saw all it saw, whichever order they meet in. */
class MootChangesTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final NodeId C = NodeId.of("c");
    /** The value a:1 an EXPIRE read, and a DEL through a that read it too. */
    private static final Versioned DELETE = Versioned.tombstone(new Version(new Dot(A, 2),
        VectorClock.of(Map.of(A, 1L)), new HybridTimestamp(1_000, 0)));
    /** The EXPIRE, coordinated by b after the DEL by the wall clock (it wins under last-write-wins without the rule). */
    private static final Versioned CHANGE = Versioned.of(new Version(new Dot(B, 1), VectorClock.of(Map.of(A, 1L)),
        new HybridTimestamp(2_000, 0), 9_000, true), Value.utf8("v"));

    @Test
    void aChangeBesideADeleteThatSawItsPastIsLeftOutInEitherOrder() {
        assertEquals(List.of(DELETE), MootChanges.drop(List.of(DELETE, CHANGE)));
        assertEquals(List.of(DELETE), MootChanges.drop(List.of(CHANGE, DELETE)));
        assertEquals(List.of(DELETE), MootChanges.drop(List.of(CHANGE, DELETE, CHANGE)), "a repeated copy too");
    }

    @Test
    void aLaterWriteOverTheDeleteMakesTheChangeMootToo() {
        Versioned later = Versioned.of(new Version(new Dot(C, 1), VectorClock.of(Map.of(A, 2L)),
            new HybridTimestamp(1_500, 0)), Value.utf8("w"));
        assertEquals(List.of(later), MootChanges.drop(List.of(later, CHANGE)));
    }

    @Test
    void aChangeBesideAWriteThatDidNotSeeAllItReadStays() {
        // the change read a:1 and c:1 (siblings); the SET saw only a:1
        Versioned change = Versioned.of(new Version(new Dot(B, 1), VectorClock.of(Map.of(A, 1L, C, 1L)),
            new HybridTimestamp(2_000, 0), 9_000, true), Value.utf8("v"));
        Versioned set = Versioned.of(new Version(new Dot(A, 2), VectorClock.of(Map.of(A, 1L)),
            new HybridTimestamp(1_000, 0)), Value.utf8("w"));
        List<Versioned> both = List.of(set, change);
        assertSame(both, MootChanges.drop(both));
    }

    @Test
    void twoChangesOfTheSameReadStaySiblings() {
        Versioned other = Versioned.of(new Version(new Dot(C, 1), VectorClock.of(Map.of(A, 1L)),
            new HybridTimestamp(2_500, 0), 19_000, true), Value.utf8("v"));
        assertEquals(List.of(CHANGE, other), MootChanges.drop(List.of(CHANGE, other)));
    }
}
