package io.ringkv.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.ringkv.api.NodeId;
import io.ringkv.storage.EngineConfig;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageEngines;
import io.ringkv.storage.StorageRecord;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A holder's down mark of a replica, as a restarted holder reads it back with its summary of earlier runs. */
class DownMarkTest {
    private static final NodeId OWNER = NodeId.of("n2");

    private static StorageEngine engine() {
        return StorageEngines.open("memory", EngineConfig.of(Path.of("unused"), "hints"));
    }

    @Test
    void aMarkKeepsTheTimeAndTheRunOfTheReplicaItMarks() {
        try (StorageEngine engine = engine()) {
            HintTasks.storeDownMark(engine, OWNER, 1_234, 77);
            HintTasks.Summary summary = HintTasks.summarize(engine, HintTasks.engineLimits(ReplicationConfig.DEFAULT),
                Long.MAX_VALUE).get(OWNER);
            assertEquals(1_234, summary.downSinceMillis());
            assertEquals(77, summary.downGeneration());
            assertFalse(summary.hasHints());
        }
    }

    @Test
    void aMarkWrittenBeforeRunsWereKeptReadsAsOfAnUnknownRun() {
        try (StorageEngine engine = engine()) {
            HintTasks.storeDownMark(engine, OWNER, 1_234, 77);
            StorageRecord[] mark = new StorageRecord[1];
            engine.scan(0, 0, record -> {
                mark[0] = record;
                return false;
            });
            // the earlier layout: no run in the value
            engine.put(mark[0].token(), mark[0].key(), mark[0].version(), new byte[0]);
            Map<NodeId, HintTasks.Summary> summaries = HintTasks.summarize(engine,
                HintTasks.engineLimits(ReplicationConfig.DEFAULT), Long.MAX_VALUE);
            assertEquals(1_234, summaries.get(OWNER).downSinceMillis());
            assertEquals(0, summaries.get(OWNER).downGeneration());
            // a version of any other length is no mark
            engine.put(mark[0].token(), mark[0].key(), ByteBuffer.allocate(12).put(mark[0].version()[0]).array(),
                new byte[0]);
            assertNull(HintTasks.summarize(engine, HintTasks.engineLimits(ReplicationConfig.DEFAULT),
                Long.MAX_VALUE).get(OWNER));
        }
    }
}
