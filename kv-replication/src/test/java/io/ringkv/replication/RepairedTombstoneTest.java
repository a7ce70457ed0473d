package io.ringkv.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.Dot;
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

/**
 * What a repaired record does to a replica: a tombstone older than the grace is not taken by a replica holding
 * nothing for its key (others may have purged it; taking it back would pass it around forever), and is taken by one
 * holding a value it deletes.
 */
class RepairedTombstoneTest {
    private static final Key KEY = Key.utf8("k");
    private static final long TOKEN = Partitioner.token(KEY);
    private static final ReplicaTasks.Settings SETTINGS = new ReplicaTasks.Settings(
        ConflictResolvers.named("vector-clock"), ReplicationConfig.DEFAULT.limits(), 4, 16, io.ringkv.storage.RecordListener.NONE);

    private static Versioned written(long counter, long millis, String value) {
        VectorClock past = counter == 1 ? VectorClock.empty() : VectorClock.of(Map.of(NodeId.of("a"), counter - 1));
        Version version = new Version(new Dot(NodeId.of("a"), counter), past, new HybridTimestamp(millis, 0));
        return value == null ? Versioned.tombstone(version) : Versioned.of(version, Value.of(value.getBytes()));
    }

    private static StorageEngine engine() {
        return StorageEngines.open("memory", EngineConfig.of(Path.of("unused"), "data"));
    }

    @Test
    void anOldTombstoneIsNotTakenForAKeyHeldNowhereHere() {
        try (StorageEngine engine = engine()) {
            ReplicaTasks.Stored stored = ReplicaTasks.applyRepaired(engine, TOKEN, KEY,
                List.of(written(2, 1_000, null)), 1_001, SETTINGS);
            assertEquals(ReplicaTasks.Change.UNCHANGED, stored.change());
            assertNull(engine.get(TOKEN, KEY));
        }
    }

    @Test
    void aTombstoneWithinTheGraceIsTaken() {
        try (StorageEngine engine = engine()) {
            ReplicaTasks.applyRepaired(engine, TOKEN, KEY, List.of(written(2, 1_000, null)), 1_000, SETTINGS);
            assertTrue(engine.get(TOKEN, KEY).isTombstone());
        }
    }

    private static Versioned expiring(long counter, long millis, long expiresAt, boolean tombstone) {
        Version version = new Version(new Dot(NodeId.of("a"), counter), VectorClock.empty(),
            new HybridTimestamp(millis, 0), expiresAt);
        return tombstone ? Versioned.tombstone(version) : Versioned.of(version, Value.of("v".getBytes()));
    }

    @Test
    void aValueThatExpiredBeforeTheGraceIsNotTakenForAKeyHeldNowhereHere() {
        // it reads as absent everywhere and guards nothing here; the replicas that compacted it purged it, so
        // taking it would hand it back to them after each of their purges
        try (StorageEngine engine = engine()) {
            ReplicaTasks.Stored stored = ReplicaTasks.applyRepaired(engine, TOKEN, KEY,
                List.of(expiring(1, 500, 1_000, false)), 5_000, SETTINGS);
            assertEquals(ReplicaTasks.Change.UNCHANGED, stored.change());
            assertNull(engine.get(TOKEN, KEY));
        }
    }

    @Test
    void aValueThatExpiredWithinTheGraceIsTaken() {
        try (StorageEngine engine = engine()) {
            ReplicaTasks.applyRepaired(engine, TOKEN, KEY, List.of(expiring(1, 500, 6_000, false)), 5_000, SETTINGS);
            assertNotNull(engine.get(TOKEN, KEY));
        }
    }

    @Test
    void theTombstoneOfAnExpiredValueCountsFromItsExpiryNotItsWrite() {
        // a compaction kept the expired value as a tombstone written at its expiry: within the grace from then it
        // still guards the key (a joining node streaming it must take it), however old the write itself is
        try (StorageEngine engine = engine()) {
            ReplicaTasks.applyRepaired(engine, TOKEN, KEY, List.of(expiring(1, 500, 6_000, true)), 5_000, SETTINGS);
            assertTrue(engine.get(TOKEN, KEY).isTombstone());
        }
    }

    @Test
    void anOldTombstoneDeletesAValueHeldHere() {
        try (StorageEngine engine = engine()) {
            ReplicaTasks.apply(engine, TOKEN, KEY, List.of(written(1, 500, "v")), SETTINGS);
            ReplicaTasks.applyRepaired(engine, TOKEN, KEY, List.of(written(2, 1_000, null)), 5_000, SETTINGS);
            assertTrue(engine.get(TOKEN, KEY).isTombstone(), "the value it deletes is gone");
        }
    }
}
