package io.ringkv.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import org.junit.jupiter.api.Test;

/**
 * {@code SET ... KEEPTTL} keeps the expiry {@code TTL} reports: that of the value {@code GET} answers (the newest of
 * the siblings the write replaces), so a key whose TTL reads 50 s still reads 50 s after it.
 */
class KeepExpiryTest {
    private static final Key KEY = Key.utf8("k");
    private static final long TOKEN = Partitioner.token(KEY);
    private static final NodeId SELF = NodeId.of("c");
    private static final ReplicaTasks.Settings SETTINGS = new ReplicaTasks.Settings(
        ConflictResolvers.named("vector-clock"), ReplicationConfig.DEFAULT.limits(), 4, 16,
        io.ringkv.storage.RecordListener.NONE);

    private static Versioned sibling(String node, long millis, long expiresAt, String value) {
        Version version = new Version(new Dot(NodeId.of(node), 1), VectorClock.empty(), new HybridTimestamp(millis, 0),
            expiresAt);
        return value == null ? Versioned.tombstone(version) : Versioned.of(version, Value.utf8(value));
    }

    private static Version keep(List<Versioned> held) {
        try (StorageEngine engine = StorageEngines.open("memory", EngineConfig.of(Path.of("unused"), "data"))) {
            ReplicaTasks.apply(engine, TOKEN, KEY, held, SETTINGS);
            return ReplicaTasks.coordinate(engine, TOKEN, KEY, Value.utf8("new"), Expiry.KEEP, null, null,
                new HybridTimestamp(3_000, 0), 3_000, SELF, 1, true, SETTINGS).written().version();
        }
    }

    @Test
    void theNewestSiblingsExpiryIsKeptThoughAnOlderOneNeverExpires() {
        assertEquals(1_000_000, keep(List.of(sibling("a", 1_000, Version.NEVER, "older"),
            sibling("b", 2_000, 1_000_000, "newer"))).expiresAtMillis());
    }

    @Test
    void aNewestSiblingWithoutExpiryKeepsNone() {
        assertTrue(!keep(List.of(sibling("a", 1_000, 1_000_000, "older"), sibling("b", 2_000, Version.NEVER, "newer")))
            .expires());
    }

    @Test
    void aNewestDeleteLeavesNothingToKeep() {
        // GET answers such a key as absent, and KEEPTTL on an absent key sets no expiry
        assertTrue(!keep(List.of(sibling("a", 1_000, 1_000_000, "older"), sibling("b", 2_000, Version.NEVER, null)))
            .expires());
    }
}
