package io.ringkv.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.node.membership.NodeState;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node whose data directory has not one free byte left (a small tmpfs, filled) still takes and stores a new,
 * greater generation at start and keeps its tokens; a start removes the temporary files failed writes left.
 */
class NodeStateOnFullDiskTest {
    private static final long SECOND = 1000;

    @TempDir
    Path workDirectory;

    @Test
    void aNodeTakesAGreaterGenerationOnADiskWithoutAFreeByte() throws Exception {
        Path data = Files.createDirectories(workDirectory.resolve("data"));
        try (Tmpfs disk = Tmpfs.mount(data, 1 << 20)) {
            NodeState first = NodeState.startNewGeneration(data, 1000 * SECOND);
            long[] tokens = {11, 22, 33};
            first.withTokens(tokens, data);
            fill(data.resolve("filler"));
            assertTrue(Files.getFileStore(data).getUsableSpace() < 4096, "the disk is not full");

            NodeState second = NodeState.startNewGeneration(data, 1000 * SECOND);
            assertEquals(1001, second.generation(), "the clock did not move: one more than the last start");
            assertArrayEquals(tokens, second.tokens());
            NodeState third = NodeState.startNewGeneration(data, 500 * SECOND);
            assertEquals(1002, third.generation(), "the clock went back: still greater than the last start");
            assertEquals(2000, NodeState.startNewGeneration(data, 2000 * SECOND).generation());
            assertFalse(Files.exists(data.resolve("node.generation.tmp")));
        }
    }

    @Test
    void dataIsNewUntilItHeldTheNodesTokensAndStaysSoAfterTheyAreGivenUp() throws Exception {
        Path data = Files.createDirectories(workDirectory.resolve("data"));
        assertTrue(NodeState.startNewGeneration(data, 1000 * SECOND).newData(), "a new data directory");
        NodeState second = NodeState.startNewGeneration(data, 1000 * SECOND);
        assertTrue(second.newData(), "restarted before its join finished (or refused): still no tokens held here");
        assertFalse(second.withTokens(new long[] {7}, data).newData());
        NodeState member = NodeState.startNewGeneration(data, 1000 * SECOND);
        assertFalse(member.newData());
        member.withTokens(new long[0], data);
        NodeState gaveThemUp = NodeState.startNewGeneration(data, 1000 * SECOND);
        assertFalse(gaveThemUp.newData(), "a node that left or handed its tokens over");
        assertEquals(0, gaveThemUp.tokens().length);
    }

    @Test
    void aTemporaryFileAFailedWriteLeftIsRemovedAtStart() throws Exception {
        Path data = Files.createDirectories(workDirectory.resolve("data"));
        NodeState.startNewGeneration(data, 1000 * SECOND);
        Files.writeString(data.resolve("node.state.tmp"), "half");
        Files.writeString(data.resolve("node.generation.tmp"), "half");
        assertEquals(1001, NodeState.startNewGeneration(data, 1000 * SECOND).generation());
        assertFalse(Files.exists(data.resolve("node.state.tmp")), "a stale temporary file was left");
        assertFalse(Files.exists(data.resolve("node.generation.tmp")), "a stale temporary file was left");
    }

    /** Writes {@code file} until the file system has no room left. */
    private static void fill(Path file) throws IOException {
        byte[] chunk = new byte[4096];
        try (OutputStream out = Files.newOutputStream(file)) {
            while (true) {
                out.write(chunk);
                out.flush();
            }
        } catch (IOException full) {
            if (!String.valueOf(full.getMessage()).contains("No space left")) {
                throw full;
            }
        }
    }
}
