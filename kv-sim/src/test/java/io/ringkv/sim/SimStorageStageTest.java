package io.ringkv.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.Key;
import io.ringkv.api.KvException;
import io.ringkv.api.NodeId;
import io.ringkv.storage.EngineConfig;
import io.ringkv.storage.StorageRecord;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The simulator's stage keeps the storage stage's contract as the node's does, failed forces included. */
class SimStorageStageTest {
    private static final NodeId NODE = NodeId.of("n1");
    private static final long TOKEN = 7;
    private static final Key KEY = Key.utf8("k");
    private static final long MS = 1_000_000;

    @Test
    void afterAFailedForceAReadOfTheWriteWaitsForAForceAndNeverAnswersWhatACrashCouldTakeBack() {
        Simulation sim = new Simulation(1);
        boolean[] failing = {true};
        SimNode<SimStorageStage> node = sim.addNode(NODE, (context, disk) -> new SimStorageStage(context,
            new ForwardingEngine(disk.open(EngineConfig.of(Path.of("sim"), "data"))) {
                @Override
                public void flush() {
                    if (failing[0]) {
                        throw new KvException(ErrorCode.STORAGE_FAILURE, "the device failed the flush");
                    }
                    super.flush();
                }
            }));
        List<String> outcomes = new ArrayList<>();
        node.instance().write(TOKEN, engine -> {
            engine.put(TOKEN, KEY, new byte[] {1}, new byte[] {2});
            return null;
        }, (result, failure) -> outcomes.add("write " + (failure == null ? "ok" : failure.code())));
        sim.runFor(100 * MS);
        assertEquals(List.of("write STORAGE_FAILURE"), outcomes);
        // the value is applied and not durable: a read must not answer with it while the forces fail
        node.instance().read(TOKEN, engine -> engine.get(TOKEN, KEY), (StorageRecord result, KvException failure) ->
            outcomes.add("read " + (failure == null ? (result == null ? "nothing" : "value") : failure.code())));
        sim.runFor(100 * MS);
        assertEquals(List.of("write STORAGE_FAILURE", "read STORAGE_FAILURE"), outcomes);
        // once a force succeeds the value is durable, and a read answers with it
        failing[0] = false;
        StorageRecord[] read = new StorageRecord[1];
        node.instance().read(TOKEN, engine -> engine.get(TOKEN, KEY), (result, failure) -> read[0] = result);
        sim.runFor(100 * MS);
        assertNotNull(read[0], "the read waited for a force that succeeded");
        sim.crash(NODE);
        sim.restart(NODE);
        sim.runFor(10 * MS);
        StorageRecord[] afterCrash = new StorageRecord[1];
        sim.<SimStorageStage>node(NODE).instance().read(TOKEN, engine -> engine.get(TOKEN, KEY),
            (result, failure) -> afterCrash[0] = result);
        sim.runFor(100 * MS);
        assertNotNull(afterCrash[0], "what a read answered survives a crash");
    }
}
