package io.ringkv.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ringkv.api.ConflictResolver;
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

    private static Versioned write(String value, VectorClock clock, long millis, NodeId writer) {
        return Versioned.of(new Version(clock, new HybridTimestamp(millis, 0), writer), Value.utf8(value));
    }

    private static VectorClock clock(NodeId node, long counter) {
        return VectorClock.empty().with(node, counter, 0);
    }

    @Test
    void lwwKeepsTheHighestHybridTimestamp() {
        Versioned older = write("old", clock(A, 5), 100, A);
        Versioned newer = write("new", clock(B, 1), 200, B);
        assertEquals(List.of(newer), lww.resolve(List.of(older, newer)).versions());
        assertEquals(List.of(newer), lww.resolve(List.of(newer, older)).versions());
    }

    @Test
    void lwwBreaksTimestampTiesByTheHigherWriterIdOnEveryReplica() {
        Versioned fromA = write("a", clock(A, 1), 100, A);
        Versioned fromB = write("b", clock(B, 1), 100, B);
        assertEquals(List.of(fromB), lww.resolve(List.of(fromA, fromB)).versions());
        assertEquals(List.of(fromB), lww.resolve(List.of(fromB, fromA)).versions());
    }

    @Test
    void lwwLetsANewerDeleteWin() {
        Versioned value = write("v", clock(A, 1), 100, A);
        Versioned delete = Versioned.tombstone(new Version(clock(A, 2), new HybridTimestamp(101, 0), A));
        SiblingSet resolved = lww.resolve(List.of(value, delete));
        assertEquals(List.of(delete), resolved.versions());
        assertEquals(true, resolved.isDeleted());
    }

    @Test
    void vectorClockDropsDominatedVersions() {
        Versioned first = write("1", clock(A, 1), 100, A);
        Versioned second = write("2", clock(A, 2), 50, A);
        assertEquals(List.of(second), vectorClock.resolve(List.of(first, second)).versions(),
            "causality, not wall time, decides");
    }

    @Test
    void vectorClockKeepsConcurrentVersionsAsSiblings() {
        Versioned x = write("x", clock(A, 1), 100, A);
        Versioned y = write("y", clock(B, 1), 100, B);
        SiblingSet siblings = vectorClock.resolve(List.of(x, y, x));
        assertEquals(2, siblings.size());
        assertEquals(List.of(Value.utf8("x"), Value.utf8("y")), siblings.values());
    }

    @Test
    void aWriteWithTheSiblingsContextSupersedesThem() {
        Versioned x = write("x", clock(A, 1), 100, A);
        Versioned y = write("y", clock(B, 1), 100, B);
        SiblingSet siblings = vectorClock.resolve(List.of(x, y));
        Versioned merged = write("xy", siblings.context().clock().incremented(A, 0), 90, A);
        assertEquals(List.of(merged), vectorClock.resolve(List.of(x, y, merged)).versions());
    }

    @Test
    void twoBlindWritesThroughOneCoordinatorAreBothKept() {
        Versioned first = write("1", clock(A, 1), 100, A);
        Versioned second = write("2", clock(A, 1), 101, A);
        assertEquals(2, vectorClock.resolve(List.of(first, second)).size());
    }

    @Test
    void resolutionIsIdempotentAndOrderFree() {
        Versioned x = write("x", clock(A, 1), 100, A);
        Versioned y = write("y", clock(B, 1), 100, B);
        Versioned z = write("z", clock(A, 1).merge(clock(B, 1)).incremented(B, 0), 100, B);
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
