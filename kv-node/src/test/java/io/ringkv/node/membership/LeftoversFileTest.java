package io.ringkv.node.membership;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.CounterRegistry;
import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The leftovers mark across restarts: stored off the agent thread, read back at start, a bad file refused. */
class LeftoversFileTest {
    @TempDir
    Path directory;

    @Test
    void noFileReadsAsNoLeftoversAndAStoredMarkReadsBack() {
        assertFalse(LeftoversFile.load(directory));
        LeftoversFile.store(directory, true);
        assertTrue(LeftoversFile.load(directory));
        LeftoversFile.store(directory, false);
        assertFalse(LeftoversFile.load(directory));
    }

    @Test
    void aFileHoldingAnythingElseStopsTheStartSayingWhatToDo() throws IOException {
        Files.writeString(directory.resolve(LeftoversFile.FILE), "leftovers=yes\n");
        KvException damaged = assertThrows(KvException.class, () -> LeftoversFile.load(directory));
        assertEquals(ErrorCode.STORAGE_FAILURE, damaged.code());
        assertTrue(damaged.getMessage().contains("leftovers=1"), damaged.getMessage());
    }

    @Test
    void theWriterStoresTheNewestMarkAndTriesAgainUntilAWriteSucceeds() throws Exception {
        // a directory where the data directory should be: every write fails until it is a directory again
        Path blocked = directory.resolve("blocked");
        Files.writeString(blocked, "not a directory");
        List<String> events = new CopyOnWriteArrayList<>();
        try (PeersWriter writer = new PeersWriter(blocked, events::add, new CounterRegistry())) {
            writer.saveLeftovers(true);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (events.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(events.getFirst().startsWith("could not store this node's leftovers mark"), events.toString());
            Files.delete(blocked);
            Files.createDirectory(blocked);
            while (!Files.exists(blocked.resolve(LeftoversFile.FILE)) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(LeftoversFile.load(blocked), "the mark was never stored once the directory was back");
        }
    }
}
