package io.ringkv.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.Dot;
import io.ringkv.api.HybridTimestamp;
import io.ringkv.api.Key;
import io.ringkv.api.Limits;
import io.ringkv.api.NodeId;
import io.ringkv.api.Value;
import io.ringkv.api.VectorClock;
import io.ringkv.api.Version;
import io.ringkv.api.Versioned;
import io.ringkv.ring.Partitioner;
import io.ringkv.storage.EngineConfig;
import io.ringkv.storage.RecordListener;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageEngines;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A replica never stores a sibling set that would not fit one replication message (only versions from a peer
 * configured beyond this node's settings can make one): it could never send it again.
 */
class OversizeSetTest {
    private static final Key KEY = Key.utf8("k");
    private static final long TOKEN = Partitioner.token(KEY);
    private static final ReplicaTasks.Settings SETTINGS = new ReplicaTasks.Settings(
        ConflictResolvers.named("vector-clock"), Limits.DEFAULT, 4, 16, RecordListener.NONE);

    /** A version of {@code writer} whose past holds {@code entries} 64-character ids (about 81 bytes each). */
    private static Versioned fat(int writer, int entries) {
        Map<NodeId, Long> past = new HashMap<>();
        for (int i = 0; i < entries; i++) {
            past.put(NodeId.of(String.format("%064d", i)), 1L);
        }
        Version version = new Version(new Dot(NodeId.of("w" + writer), 1), VectorClock.of(past),
            new HybridTimestamp(1_000 + writer, 0));
        return Versioned.of(version, Value.utf8("v" + writer));
    }

    @Test
    void aSetThatWouldNotFitOneMessageIsRefusedAndNothingIsStored() {
        try (StorageEngine engine = StorageEngines.open("memory", EngineConfig.of(Path.of("unused"), "data"))) {
            // two concurrent versions of 410 entries each: about 66.5 KB together
            ReplicaTasks.Stored refused = ReplicaTasks.apply(engine, TOKEN, KEY, List.of(fat(1, 410), fat(2, 410)),
                SETTINGS);
            assertEquals(ReplicaTasks.Change.TOO_LARGE, refused.change());
            assertTrue(ReplicaTasks.read(engine, TOKEN, KEY, Limits.DEFAULT).isEmpty(), "nothing was stored");

            ReplicaTasks.Stored one = ReplicaTasks.apply(engine, TOKEN, KEY, List.of(fat(1, 410)), SETTINGS);
            assertEquals(ReplicaTasks.Change.WRITTEN, one.change(), "one such version fits");
            ReplicaTasks.Stored second = ReplicaTasks.apply(engine, TOKEN, KEY, List.of(fat(2, 410)), SETTINGS);
            assertEquals(ReplicaTasks.Change.TOO_LARGE, second.change(), "a sibling beside it would not");
            assertEquals(1, ReplicaTasks.read(engine, TOKEN, KEY, Limits.DEFAULT).size());
        }
    }
}
