package io.ringkv.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.Dot;
import io.ringkv.api.Expiry;
import io.ringkv.api.HybridTimestamp;
import io.ringkv.api.Key;
import io.ringkv.api.NodeId;
import io.ringkv.api.Value;
import io.ringkv.api.VectorClock;
import io.ringkv.api.Version;
import io.ringkv.api.Versioned;
import io.ringkv.ring.Partitioner;
import io.ringkv.storage.EngineConfig;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageEngines;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How a replica coordinates a change of expiry ({@code PERSIST} here) against what it holds of the key. */
class CoordinatedChangeOfExpiryTest {
    private static final Key KEY = Key.utf8("k");
    private static final long TOKEN = Partitioner.token(KEY);
    private static final NodeId SELF = NodeId.of("c");
    private static final long NOW = 3_000;
    private static final ReplicaTasks.Settings SETTINGS = new ReplicaTasks.Settings(
        ConflictResolvers.named("vector-clock"), ReplicationConfig.DEFAULT.limits(), 4, 16,
        io.ringkv.storage.RecordListener.NONE);

    /** The read saw siblings "a" (from a:1) and "b" (from b:1); "a" expired here at 1 s, before now. */
    private static final Versioned EXPIRED_A = Versioned.of(new Version(new Dot(NodeId.of("a"), 1),
        VectorClock.empty(), new HybridTimestamp(900, 0), 1_000), Value.utf8("a"));

    /** A live change of expiry, made by x after a read of "b" alone, that the PERSIST's read missed. */
    private static Versioned heldChangeOf(String value) {
        return heldChangeOf(value, true);
    }

    /** As above, marked or not (made while a member of an earlier build, which drops marked versions, ran). */
    private static Versioned heldChangeOf(String value, boolean marked) {
        return Versioned.of(new Version(new Dot(NodeId.of("x"), 1), VectorClock.of(Map.of(NodeId.of("b"), 1L)),
            new HybridTimestamp(950, 1), Version.NEVER, marked), Value.utf8(value));
    }

    /** What the PERSIST's read covered. */
    private static final VectorClock READ = VectorClock.of(Map.of(NodeId.of("a"), 1L, NodeId.of("b"), 1L));

    /** PERSIST of "a", its read having covered a:1 and b:1. */
    private static ReplicaTasks.Coordinated persistA(List<Versioned> held) {
        return persistA(held, true);
    }

    private static ReplicaTasks.Coordinated persistA(List<Versioned> held, boolean mark) {
        try (StorageEngine engine = StorageEngines.open("memory", EngineConfig.of(Path.of("unused"), "data"))) {
            ReplicaTasks.apply(engine, TOKEN, KEY, held, SETTINGS);
            return ReplicaTasks.coordinate(engine, TOKEN, KEY, Value.utf8("a"), Expiry.NONE.ofLiveValueOnly(), READ,
                new HybridTimestamp(950, 0), new HybridTimestamp(NOW, 0), NOW, SELF, 1, mark, SETTINGS);
        }
    }

    /*
     * A replica holding a live change of expiry its read missed counts the value as living only when that held change
     * holds the value being written: a change of another sibling of the read says nothing of whether this value lives.
     */

    @Test
    void aHeldChangeOfAnotherSiblingDoesNotBringAnExpiredValueBack() {
        // "a" is gone here and the held change holds "b": writing "a" again would make it live once more
        assertSame(ReplicaTasks.Coordinated.NOTHING, persistA(List.of(EXPIRED_A, heldChangeOf("b"))));
    }

    @Test
    void aHeldChangeOfTheSameValueCountsAsTheValueLiving() {
        ReplicaTasks.Coordinated coordinated = persistA(List.of(EXPIRED_A, heldChangeOf("a")));
        assertNotSame(ReplicaTasks.Coordinated.NOTHING, coordinated);
        assertEquals(Value.utf8("a"), coordinated.written().value());
        assertEquals(Version.NEVER, coordinated.written().version().expiresAtMillis());
    }

    @Test
    void aHeldUnmarkedChangeMadeFromTheSameReadCountsAsTheValueLivingToo() {
        // made while marks were off, from a read of a:1 and b:1 as this one: the PERSIST took the value for gone and
        // answered 0 on a live key
        Versioned unmarked = Versioned.of(new Version(new Dot(NodeId.of("x"), 1), READ, new HybridTimestamp(950, 1),
            Version.NEVER, false), Value.utf8("a"));
        for (boolean mark : new boolean[] {true, false}) {
            ReplicaTasks.Coordinated coordinated = persistA(List.of(EXPIRED_A, unmarked), mark);
            assertNotSame(ReplicaTasks.Coordinated.NOTHING, coordinated, "marks " + mark);
            assertEquals(Value.utf8("a"), coordinated.written().value());
        }
    }

    @Test
    void aHeldPlainWriteOfTheSameBytesMadeFromLessThanTheReadSawDoesNotCount() {
        // a SET of the same bytes beside a sibling the read saw: a DEL of that SET alone would not cover the change's
        // past, and a change written here would bring the value back beside it (and answer 1 for a gone value)
        assertSame(ReplicaTasks.Coordinated.NOTHING, persistA(List.of(EXPIRED_A, heldChangeOf("a", false))));
        assertSame(ReplicaTasks.Coordinated.NOTHING, persistA(List.of(EXPIRED_A, heldChangeOf("b", false))),
            "of another sibling, it says nothing of this value");
    }

    @Test
    void aChangeIsMarkedInItsVersionOnlyWhileMarksAreOn() {
        // while a member of an earlier build (which drops marked versions as malformed) may receive it, unmarked
        List<Versioned> held = List.of(EXPIRED_A, heldChangeOf("a"));
        assertTrue(persistA(held, true).written().version().expiryChange());
        Version unmarked = persistA(held, false).written().version();
        assertFalse(unmarked.expiryChange());
        assertEquals(persistA(held, true).written().version().timestamp(), unmarked.timestamp(),
            "stamped alike: one tick after what it read");
    }
}
