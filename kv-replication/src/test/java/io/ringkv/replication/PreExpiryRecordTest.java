package io.ringkv.replication;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ringkv.api.Dot;
import io.ringkv.api.HybridTimestamp;
import io.ringkv.api.Key;
import io.ringkv.api.NodeId;
import io.ringkv.api.SiblingSet;
import io.ringkv.api.Value;
import io.ringkv.api.VectorClock;
import io.ringkv.api.Version;
import io.ringkv.api.VersionEncoding;
import io.ringkv.api.Versioned;
import io.ringkv.replication.internal.SiblingCodec;
import io.ringkv.ring.Partitioner;
import io.ringkv.storage.EngineConfig;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageEngines;
import io.ringkv.storage.StorageRecord;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A record stored before expiry existed (sibling format 2) is read, and is rewritten in the current format when a
 * write or a repair brings it the same set a peer stores in the current format: anti-entropy hashes the stored
 * bytes, so two replicas holding one set in two formats would differ at every repair, forever.
 */
class PreExpiryRecordTest {
    private static final Key KEY = Key.utf8("k");
    private static final long TOKEN = Partitioner.token(KEY);
    private static final ReplicaTasks.Settings SETTINGS = new ReplicaTasks.Settings(
        ConflictResolvers.named("vector-clock"), ReplicationConfig.DEFAULT.limits(), 4, 16,
        io.ringkv.storage.RecordListener.NONE);
    private static final Versioned WRITTEN = Versioned.of(new Version(new Dot(NodeId.of("a"), 1), VectorClock.empty(),
        new HybridTimestamp(1_000, 0)), Value.utf8("v"));

    /** The version blob format 2 had: no set expiry, versions without their expiry. */
    private static byte[] formatTwo(Versioned versioned) {
        byte[] version = VersionEncoding.encodeVersion(versioned.version());
        byte[] withoutExpiry = Arrays.copyOf(version, version.length - Long.BYTES);
        return ByteBuffer.allocate(1 + 2 + withoutExpiry.length + 1 + 4).order(ByteOrder.LITTLE_ENDIAN)
            .put((byte) 2).putShort((short) 1).put(withoutExpiry).put((byte) 0).putInt(versioned.value().length())
            .array();
    }

    @Test
    void aFormatTwoRecordIsRewrittenInTheCurrentFormatWhenARepairBringsItsSet() {
        try (StorageEngine engine = StorageEngines.open("memory", EngineConfig.of(Path.of("unused"), "data"))) {
            engine.put(TOKEN, KEY, formatTwo(WRITTEN), WRITTEN.value().toByteArray());
            assertEquals(new SiblingSet(List.of(WRITTEN)), ReplicaTasks.read(engine, TOKEN, KEY, SETTINGS.limits()),
                "a format 2 record reads as the value it held, never expiring");

            ReplicaTasks.applyRepaired(engine, TOKEN, KEY, List.of(WRITTEN), 0, SETTINGS);

            StorageRecord stored = engine.get(TOKEN, KEY);
            assertArrayEquals(SiblingCodec.encodeVersions(new SiblingSet(List.of(WRITTEN))), stored.version(),
                "the same bytes as a replica that stored the set after the upgrade");
            assertArrayEquals(WRITTEN.value().toByteArray(), stored.value());
        }
    }

    @Test
    void aCurrentRecordIsNotRewrittenForTheSameSet() {
        try (StorageEngine engine = StorageEngines.open("memory", EngineConfig.of(Path.of("unused"), "data"))) {
            ReplicaTasks.apply(engine, TOKEN, KEY, List.of(WRITTEN), SETTINGS);
            assertEquals(ReplicaTasks.Change.UNCHANGED,
                ReplicaTasks.applyRepaired(engine, TOKEN, KEY, List.of(WRITTEN), 0, SETTINGS).change());
        }
    }
}
