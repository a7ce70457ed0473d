package io.ringkv.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The process bookkeeping of {@code ringkv cluster}: what it starts, and which data directories it empties. */
class LocalNodesTest {
    @TempDir
    Path dir;

    private final List<FakeProcess> started = new ArrayList<>();
    private final PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

    private ClusterCommand.LocalNodes nodes() {
        return new ClusterCommand.LocalNodes(7400, 7379, 9379, dir, List.of(), out, command -> {
            FakeProcess process = new FakeProcess();
            started.add(process);
            return process;
        });
    }

    @Test
    void aSlotWhoseDataDirectoryAnEarlierRunLeftIsNeitherOfferedNorEmptied() throws Exception {
        Path earlier = Files.createDirectories(dir.resolve("node2"));
        Files.writeString(earlier.resolve("records"), "an earlier run's data");
        ClusterCommand.LocalNodes nodes = nodes();
        nodes.start(1, true);

        assertEquals(3, nodes.freeSlot(), "offered a slot whose directory this run did not create");
        assertThrows(IllegalStateException.class, () -> nodes.startFresh(2));
        assertTrue(Files.exists(earlier.resolve("records")), "emptied a directory this run did not create");
        assertEquals(1, started.size());
    }

    @Test
    void aSlotThisRunStartedIsEmptiedAndStartedAgainOnceItsNodeExited() throws Exception {
        ClusterCommand.LocalNodes nodes = nodes();
        nodes.start(1, true);
        nodes.start(2, true);
        Path old = node2Data("a node that left", null);
        started.get(1).exit();

        assertEquals(2, nodes.freeSlot());
        nodes.startFresh(2);
        assertTrue(Files.notExists(old.resolve("records")));
        assertEquals(List.of(1, 2), nodes.running());
    }

    @Test
    void aSlotWhoseNodeExitedWithoutLeavingKeepsItsDataAndIsNotOffered() throws Exception {
        // a node killed while it left was taken for one that left: its slot was offered again and its data
        // directory, holding ranges not yet handed over, emptied for the next node
        ClusterCommand.LocalNodes nodes = nodes();
        nodes.start(1, true);
        nodes.start(2, true);
        Path kept = node2Data("ranges not yet handed over", "1,2,3");
        started.get(1).exit(137);

        assertEquals(137, nodes.exitStatus(2));
        assertEquals(-1, nodes.exitStatus(1), "a running node has no status");
        assertTrue(nodes.holdsRanges(2));
        assertEquals(3, nodes.freeSlot());
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> nodes.startFresh(2));
        assertTrue(refused.getMessage().contains("exited with status 137 holding ranges"), refused.getMessage());
        assertTrue(Files.exists(kept.resolve("records")), "emptied the directory of a node that did not leave");
        assertEquals(2, started.size());
    }

    @Test
    void aSlotWhoseNodeExitedBeforeItBecameAMemberIsEmptiedAndOfferedAgain() throws Exception {
        // a node that failed to join kept its slot for good, and each retry took the next one until none was left
        ClusterCommand.LocalNodes nodes = nodes();
        nodes.start(1, true);
        nodes.start(2, true);
        Path failed = node2Data("writes to ranges it was about to take", "");
        started.get(1).exit(1);

        assertEquals(false, nodes.holdsRanges(2));
        assertEquals(2, nodes.freeSlot());
        nodes.startFresh(2);
        assertTrue(Files.notExists(failed.resolve("records")));
        assertEquals(List.of(1, 2), nodes.running());
    }

    @Test
    void aNodeThatExitedWithStatusZeroWhileAMemberKeepsItsData() throws Exception {
        ClusterCommand.LocalNodes nodes = nodes();
        nodes.start(1, true);
        nodes.start(2, true);
        Path member = node2Data("the only copy of some writes", "7,8");
        started.get(1).exit(0);

        assertEquals(3, nodes.freeSlot(), "offered the slot of a member");
        assertThrows(IllegalStateException.class, () -> nodes.startFresh(2));
        assertTrue(Files.exists(member.resolve("records")));
    }

    @Test
    void nothingStartsOnceTheClusterStops() {
        ClusterCommand.LocalNodes nodes = nodes();
        nodes.start(1, true);
        nodes.stopAll();

        assertThrows(IllegalStateException.class, () -> nodes.startFresh(2));
        assertThrows(IllegalStateException.class, () -> nodes.start(3, true));
        assertEquals(1, started.size(), "started a process after the cluster stopped");
        assertEquals(List.of(), nodes.running());
    }

    /**
     * @param tokens what node2's {@code node.state} names ({@code ""} for none: it never joined, or left), or null for
     *     no such file
     * @return node2's data directory, holding {@code records}
     */
    private Path node2Data(String records, String tokens) throws java.io.IOException {
        Path data = Files.createDirectories(dir.resolve("node2"));
        Files.writeString(data.resolve("records"), records);
        if (tokens != null) {
            Files.writeString(data.resolve("node.state"), "generation=5\ntokens=" + tokens + "\n");
        }
        return data;
    }

    /** A process that runs until destroyed or told to exit. */
    private static final class FakeProcess extends Process {
        private volatile boolean alive = true;
        private volatile int status;

        void exit() {
            exit(0);
        }

        void exit(int status) {
            this.status = status;
            alive = false;
        }

        @Override
        public OutputStream getOutputStream() {
            return OutputStream.nullOutputStream();
        }

        @Override
        public InputStream getInputStream() {
            return new ByteArrayInputStream(new byte[0]);
        }

        @Override
        public InputStream getErrorStream() {
            return new ByteArrayInputStream(new byte[0]);
        }

        @Override
        public int waitFor() {
            alive = false;
            return 0;
        }

        @Override
        public boolean waitFor(long timeout, java.util.concurrent.TimeUnit unit) {
            return !alive;
        }

        @Override
        public int exitValue() {
            if (alive) {
                throw new IllegalThreadStateException("running");
            }
            return status;
        }

        @Override
        public void destroy() {
            alive = false;
        }

        @Override
        public boolean isAlive() {
            return alive;
        }
    }
}
