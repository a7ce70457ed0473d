package io.ringkv.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        SimNode<SimStorageStage> node = nodeWhoseForcesFail(sim, ErrorCode.STORAGE_FAILURE, failing);
        List<String> outcomes = new ArrayList<>();
        writeK(node, outcomes);
        sim.runFor(100 * MS);
        assertEquals(List.of("write STORAGE_FAILURE"), outcomes);
        // the value is applied and not durable: a read must not answer with it while the forces fail
        readK(node, outcomes);
        sim.runFor(100 * MS);
        assertEquals(List.of("write STORAGE_FAILURE", "read STORAGE_FAILURE"), outcomes);
        // once a force succeeds the value is durable, and a read answers with it
        failing[0] = false;
        StorageRecord[] read = new StorageRecord[1];
        node.instance().read(TOKEN, engine -> engine.get(TOKEN, KEY), (result, failure) -> read[0] = result);
        sim.runFor(100 * MS);
        assertNotNull(read[0], "the read waited for a force that succeeded");
        StorageRecord afterCrash = readAfterACrash(sim);
        assertNotNull(afterCrash, "what a read answered survives a crash");
    }

    @Test
    void aWriteWhoseForceFailedForWantOfSpaceWaitsForAForceThatSucceedsWithoutAnotherWrite() {
        Simulation sim = new Simulation(1);
        boolean[] full = {true};
        SimNode<SimStorageStage> node = nodeWhoseForcesFail(sim, ErrorCode.DISK_FULL, full);
        List<String> outcomes = new ArrayList<>();
        writeK(node, outcomes);
        sim.runFor(1_000 * MS);
        long forces = node.instance().forces();
        assertTrue(forces >= 5, "forced again while the write waited: " + forces);
        readK(node, outcomes);
        sim.runFor(300 * MS);
        assertEquals(List.of("read STORAGE_FAILURE"), outcomes, "the write waits; a read of it fails with the force");
        full[0] = false;
        sim.runFor(300 * MS);
        assertEquals(List.of("read STORAGE_FAILURE", "write ok"), outcomes);
        StorageRecord afterCrash = readAfterACrash(sim);
        assertNotNull(afterCrash, "the write acknowledged survives a crash");
    }

    @Test
    void whileWritesWaitForSpaceNewOnesAreRefusedUnappliedAndReadsAnswer() {
        Simulation sim = new Simulation(1);
        boolean[] full = {true};
        SimNode<SimStorageStage> node = nodeWhoseForcesFail(sim, ErrorCode.DISK_FULL, full);
        List<String> outcomes = new ArrayList<>();
        writeK(node, outcomes);
        sim.runFor(300 * MS);
        assertEquals(List.of(), outcomes, "the write waits for space");
        boolean[] ran = {false};
        assertTrue(node.instance().write(TOKEN, engine -> {
            ran[0] = true;
            return null;
        }, (result, failure) -> outcomes.add("second write " + (failure == null ? "ok" : failure.code()))));
        node.instance().read(TOKEN + 1, engine -> engine.get(TOKEN + 1, KEY),
            (StorageRecord result, KvException failure) -> outcomes.add("read " + (failure == null ? "ok" : failure)));
        sim.runFor(10 * MS);
        assertEquals(List.of("read ok", "second write DISK_FULL"), outcomes.stream().sorted().toList(),
            "the second write is refused, the read of another token answers");
        assertTrue(!ran[0], "a refused write is not applied");
        full[0] = false;
        sim.runFor(300 * MS);
        assertEquals(List.of("write ok"), outcomes.subList(2, outcomes.size()), "space is back");
    }

    /** A node whose stage's forces fail with {@code code} while {@code failing[0]} is set. */
    private static SimNode<SimStorageStage> nodeWhoseForcesFail(Simulation sim, ErrorCode code, boolean[] failing) {
        return sim.addNode(NODE, (context, disk) -> new SimStorageStage(context,
            new ForwardingEngine(disk.open(EngineConfig.of(Path.of("sim"), "data"))) {
                @Override
                public void flush() {
                    if (failing[0]) {
                        throw new KvException(code, "the device failed the flush");
                    }
                    super.flush();
                }
            }));
    }

    private static void writeK(SimNode<SimStorageStage> node, List<String> outcomes) {
        node.instance().write(TOKEN, engine -> {
            engine.put(TOKEN, KEY, new byte[] {1}, new byte[] {2});
            return null;
        }, (result, failure) -> outcomes.add("write " + (failure == null ? "ok" : failure.code())));
    }

    private static void readK(SimNode<SimStorageStage> node, List<String> outcomes) {
        node.instance().read(TOKEN, engine -> engine.get(TOKEN, KEY), (StorageRecord result, KvException failure) ->
            outcomes.add("read " + (failure == null ? (result == null ? "nothing" : "value") : failure.code())));
    }

    /** Crashes and restarts the node, then reads k: @return the record, or null. */
    private static StorageRecord readAfterACrash(Simulation sim) {
        sim.crash(NODE);
        sim.restart(NODE);
        sim.runFor(10 * MS);
        StorageRecord[] afterCrash = new StorageRecord[1];
        sim.<SimStorageStage>node(NODE).instance().read(TOKEN, engine -> engine.get(TOKEN, KEY),
            (result, failure) -> afterCrash[0] = result);
        sim.runFor(100 * MS);
        return afterCrash[0];
    }
}
