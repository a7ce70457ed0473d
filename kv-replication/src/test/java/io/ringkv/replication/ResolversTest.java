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
    private static final NodeId C = NodeId.of("c");
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

    /** A change of expiry with dot {@code writer:counter} of the value it read ({@code past}). */
    private static Versioned change(NodeId writer, long counter, VectorClock past, long millis) {
        return Versioned.of(new Version(new Dot(writer, counter), past, new HybridTimestamp(millis, 0), 9_000, true),
            Value.utf8("v"));
    }

    @Test
    void underVectorClocksAChangeOfExpiryYieldsToAWriteThatSawAllItRead() {
        // the value a:1; an EXPIRE through b read it; a DEL through a read it too, stamped earlier
        Versioned delete = Versioned.tombstone(new Version(new Dot(A, 2), clock(A, 1), new HybridTimestamp(100, 0)));
        Versioned change = change(B, 1, clock(A, 1), 200);
        assertEquals(List.of(delete), vectorClock.resolve(List.of(delete, change)).versions());
        assertEquals(List.of(delete), vectorClock.resolve(List.of(change, delete, change)).versions());
        // a SET over the DEL makes it moot too
        Versioned later = write("w", C, 1, clock(A, 2), 150);
        assertEquals(List.of(later), vectorClock.resolve(List.of(later, change)).versions());
        // a write that did not see all the change read (c:1 beside a:1) is its sibling, as is a change of one read
        Versioned changeOfTwo = change(B, 2, clock(A, 1).merge(clock(C, 1)), 200);
        assertEquals(2, vectorClock.resolve(List.of(delete, changeOfTwo)).size());
        assertEquals(2, vectorClock.resolve(List.of(change, change(C, 1, clock(A, 1), 300))).size());
        // last-write-wins keeps its order by timestamp
        assertEquals(List.of(change), lww.resolve(List.of(delete, change)).versions());
    }

    @Test
    void atAnEqualStampLastWriteWinsOrdersAChangeOfExpiryFirst() {
        // a change is stamped one tick after what it read; a DEL that read the same value may draw the same stamp
        Versioned delete = Versioned.tombstone(new Version(new Dot(A, 2), clock(A, 1), new HybridTimestamp(100, 1)));
        Versioned change = Versioned.of(new Version(new Dot(C, 1), clock(A, 1), new HybridTimestamp(100, 1), 9_000,
            true), Value.utf8("v"));
        assertEquals(List.of(delete), lww.resolve(List.of(delete, change)).versions(), "though c orders after a");
        assertEquals(List.of(delete), lww.resolve(List.of(change, delete)).versions());
    }

    @Test
    void resolutionOfRandomHistoriesWithChangesOfExpiryIsOrderAndGroupingFree() {
        // each history: writes through three coordinators, each reading a random subset of the versions before it
        // (its past covers their clocks), a third of them changes of expiry; then the versions are merged in random
        // orders and groupings, as replicas, hints and repairs meet them, and must resolve to one set
        java.util.Random random = new java.util.Random(11);
        NodeId[] writers = {A, B, C};
        for (int history = 0; history < 500; history++) {
            List<Versioned> versions = new java.util.ArrayList<>();
            long[] counters = new long[writers.length];
            for (int i = 0; i < 8; i++) {
                VectorClock past = NONE;
                for (Versioned earlier : versions) {
                    if (random.nextInt(3) == 0) {
                        past = past.merge(earlier.version().clock());
                    }
                }
                // as dotted version vectors guarantee: a context that covers a dot covers that write's past too
                // (the replica that issued a later dot of its node held the write, or a version superseding it)
                for (boolean grew = true; grew; ) {
                    grew = false;
                    for (Versioned earlier : versions) {
                        if (past.covers(earlier.version().dot()) && !past.covers(earlier.version().clock())) {
                            past = past.merge(earlier.version().clock());
                            grew = true;
                        }
                    }
                }
                int w = random.nextInt(writers.length);
                counters[w] = Math.max(counters[w], past.counter(writers[w])) + 1;
                long millis = random.nextInt(1_000);
                boolean isChange = !past.equals(NONE) && random.nextInt(3) == 0;
                versions.add(isChange ? change(writers[w], counters[w], past, millis)
                    : random.nextInt(4) == 0 ? Versioned.tombstone(new Version(new Dot(writers[w], counters[w]), past,
                        new HybridTimestamp(millis, 0))) : write("x" + i, writers[w], counters[w], past, millis));
            }
            for (ConflictResolver resolver : List.of(vectorClock, lww)) {
                SiblingSet all = resolver.resolve(versions);
                for (int order = 0; order < 10; order++) {
                    List<Versioned> shuffled = new java.util.ArrayList<>(versions);
                    java.util.Collections.shuffle(shuffled, random);
                    // folded one version at a time, as a replica receiving them one by one stores them
                    SiblingSet folded = new SiblingSet(List.of());
                    for (Versioned next : shuffled) {
                        List<Versioned> merged = new java.util.ArrayList<>(folded.versions());
                        merged.add(next);
                        folded = resolver.resolve(merged);
                    }
                    assertEquals(all, folded, resolver.name() + ", history " + history + ": " + versions);
                    // and in two groups resolved apart, as two replicas whose sets a repair then merges
                    int cut = random.nextInt(shuffled.size() + 1);
                    List<Versioned> both = new java.util.ArrayList<>(resolver.resolve(shuffled.subList(0, cut))
                        .versions());
                    both.addAll(resolver.resolve(shuffled.subList(cut, shuffled.size())).versions());
                    assertEquals(all, resolver.resolve(both), resolver.name() + ", history " + history);
                }
            }
        }
    }

    @Test
    void anUnknownResolverNameIsAClearError() {
        KvException e = assertThrows(KvException.class, () -> ConflictResolvers.named("nope"));
        assertEquals(ErrorCode.UNKNOWN_PLUGIN, e.code());
        assertEquals(true, e.getMessage().contains("lww") && e.getMessage().contains("vector-clock"), e.getMessage());
    }
}
