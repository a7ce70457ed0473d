package io.ringkv.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ringkv.api.ConflictResolver;
import io.ringkv.api.Dot;
import io.ringkv.api.ErrorCode;
import io.ringkv.api.HybridTimestamp;
import io.ringkv.api.KvException;
import io.ringkv.api.NodeId;
import io.ringkv.api.SiblingSet;
import io.ringkv.api.Value;
import io.ringkv.api.VectorClock;
import io.ringkv.api.Version;
import io.ringkv.api.Versioned;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResolversTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private final ConflictResolver lww = ConflictResolvers.named("lww");
    private final ConflictResolver vectorClock = ConflictResolvers.named("vector-clock");

    private static final VectorClock NONE = VectorClock.empty();

    /** A write with dot {@code writer:counter} that saw {@code past}. */
    private static Versioned write(String value, NodeId writer, long counter, VectorClock past, long millis) {
        return Versioned.of(new Version(new Dot(writer, counter), past, new HybridTimestamp(millis, 0)),
            Value.utf8(value));
    }

    private static VectorClock clock(NodeId node, long counter) {
        return VectorClock.empty().with(node, counter, 0);
    }

    @Test
    void lwwKeepsTheHighestHybridTimestamp() {
        Versioned older = write("old", A, 5, NONE, 100);
        Versioned newer = write("new", B, 1, NONE, 200);
        assertEquals(List.of(newer), lww.resolve(List.of(older, newer)).versions());
        assertEquals(List.of(newer), lww.resolve(List.of(newer, older)).versions());
    }

    @Test
    void lwwBreaksTimestampTiesByTheHigherWriterIdOnEveryReplica() {
        Versioned fromA = write("a", A, 1, NONE, 100);
        Versioned fromB = write("b", B, 1, NONE, 100);
        assertEquals(List.of(fromB), lww.resolve(List.of(fromA, fromB)).versions());
        assertEquals(List.of(fromB), lww.resolve(List.of(fromB, fromA)).versions());
    }

    @Test
    void lwwLetsANewerDeleteWin() {
        Versioned value = write("v", A, 1, NONE, 100);
        Versioned delete = Versioned.tombstone(new Version(new Dot(A, 2), clock(A, 1), new HybridTimestamp(101, 0)));
        SiblingSet resolved = lww.resolve(List.of(value, delete));
        assertEquals(List.of(delete), resolved.versions());
        assertEquals(true, resolved.isDeleted());
    }

    @Test
    void vectorClockDropsDominatedVersions() {
        Versioned first = write("1", A, 1, NONE, 100);
        Versioned second = write("2", A, 2, clock(A, 1), 50);
        assertEquals(List.of(second), vectorClock.resolve(List.of(first, second)).versions(),
            "causality, not wall time, decides");
    }

    @Test
    void vectorClockKeepsConcurrentVersionsAsSiblings() {
        Versioned x = write("x", A, 1, NONE, 100);
        Versioned y = write("y", B, 1, NONE, 100);
        SiblingSet siblings = vectorClock.resolve(List.of(x, y, x));
        assertEquals(2, siblings.size());
        assertEquals(List.of(Value.utf8("x"), Value.utf8("y")), siblings.values());
    }

    @Test
    void aWriteWithTheSiblingsContextSupersedesThem() {
        Versioned x = write("x", A, 1, NONE, 100);
        Versioned y = write("y", B, 1, NONE, 100);
        SiblingSet siblings = vectorClock.resolve(List.of(x, y));
        Versioned merged = write("xy", A, 2, siblings.context().clock(), 90);
        assertEquals(List.of(merged), vectorClock.resolve(List.of(x, y, merged)).versions());
    }

    @Test
    void twoWritesWithOneContextThroughOneCoordinatorAreBothKept() {
        Versioned first = write("1", A, 1, NONE, 100);
        Versioned second = write("2", A, 2, NONE, 101);
        assertEquals(2, vectorClock.resolve(List.of(first, second)).size());
    }

    @Test
    void resolutionIsIdempotentAndOrderFree() {
        Versioned x = write("x", A, 1, NONE, 100);
        Versioned y = write("y", B, 1, NONE, 100);
        Versioned z = write("z", B, 2, clock(A, 1).merge(clock(B, 1)), 100);
        for (ConflictResolver resolver : List.of(lww, vectorClock)) {
            SiblingSet once = resolver.resolve(List.of(x, y, z));
            assertEquals(once, resolver.resolve(once.versions()), resolver.name());
            assertEquals(once, resolver.resolve(List.of(z, y, x)), resolver.name());
        }
    }

    @Test
    void anUnknownResolverNameIsAClearError() {
        KvException e = assertThrows(KvException.class, () -> ConflictResolvers.named("nope"));
        assertEquals(ErrorCode.UNKNOWN_PLUGIN, e.code());
        assertEquals(true, e.getMessage().contains("lww") && e.getMessage().contains("vector-clock"), e.getMessage());
    }
}
