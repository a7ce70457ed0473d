package io.ringkv.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Real node processes on 127.0.0.1 finding each other by gossip over Aeron UDP. */
class NodeProcessesTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** A JVM stopped by SIGTERM exits with 128 + 15 once its shutdown hooks ran. */
    private static final int SIGTERM_EXIT = 143;

    @TempDir
    Path workDirectory;

    @Test
    @Timeout(180)
    void aNodeJoinsThroughItsSeedAndAKilledPeerIsDownThenBackAfterRestart() throws Exception {
        int portA = NodeProcess.freeUdpPort();
        int portB = NodeProcess.freeUdpPort();
        String seeds = "127.0.0.1:" + portA;
        String[] nodeB = {"node", "--id", "b", "--listen", "127.0.0.1:" + portB, "--seeds", seeds,
            "--gossip-interval-ms", "100", "--client-port", "0", "--data-dir", "b"};
        try (NodeProcess a = NodeProcess.start(workDirectory, "node", "--id", "a", "--listen", "127.0.0.1:" + portA,
                "--seeds", seeds, "--gossip-interval-ms", "100", "--client-port", "0", "--data-dir", "a");
             NodeProcess b = NodeProcess.start(workDirectory, nodeB)) {
            int clientA = clientPort(a.await("clients on", WAIT));
            int clientB = clientPort(b.await("clients on", WAIT));
            a.await("node b is ALIVE", WAIT);
            b.await("node a is ALIVE", WAIT);
            // b is ALIVE to a as soon as it gossips, still JOINING; kill it only once its tokens are stored
            b.await("joined the ring with 16 tokens", WAIT);
            // both were started with --client-port 0: a must know b by the port b actually bound
            assertEquals("127.0.0.1:" + clientB, statusColumn(clientA, "b", 3), "b's client address as a sees it");

            b.kill();
            a.await("node b is DOWN", WAIT);

            try (NodeProcess restarted = NodeProcess.start(workDirectory, nodeB)) {
                restarted.await("rejoining with the 16 tokens of the previous run", WAIT);
                a.await("node b restarted", WAIT);
                a.await("node b is ALIVE", WAIT);
                assertEquals(SIGTERM_EXIT, restarted.stop(), "SIGTERM stops a node");
                restarted.await("stopped", WAIT);
            }
            assertEquals(SIGTERM_EXIT, a.stop());
        }
    }

    @Test
    @Timeout(120)
    void aNodeStoppedWhileStartingDeletesItsMediaDriverDirectory() throws Exception {
        Path shm = Path.of("/dev/shm");
        assertTrue(Files.isDirectory(shm), "this test needs /dev/shm, where nodes put their media driver");
        int port = NodeProcess.freeUdpPort();
        Path directory = shm.resolve("ringkv-early-" + port);
        try (NodeProcess node = NodeProcess.start(workDirectory, "node", "--id", "early", "--listen",
                "127.0.0.1:" + port, "--client-port", "0", "--data-dir", "early")) {
            // the driver makes its directory as the node is being built, before the node starts serving
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!Files.exists(directory) && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertTrue(Files.exists(directory), "no media driver directory appeared:\n" + node.output());
            assertEquals(SIGTERM_EXIT, node.terminate(), node.output());
            assertFalse(Files.exists(directory), "a node stopped while starting left " + directory + "\n"
                + node.output());
            assertTrue(node.output().contains("early: stopped"), node.output());
        } finally {
            // what a failed run left, so that it does not stay in shared memory
            if (Files.exists(directory)) {
                try (var files = Files.walk(directory)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
                }
            }
        }
    }

    /** @return the port of "clients on host:port" in a node's first line */
    static int clientPort(String startLine) {
        Matcher matcher = Pattern.compile("clients on [^ ]+:(\\d+)").matcher(startLine);
        assertTrue(matcher.find(), startLine);
        return Integer.parseInt(matcher.group(1));
    }

    /** Runs {@code ringkv status} against a node and returns one column of one node's row. */
    private String statusColumn(int clientPort, String node, int column) throws Exception {
        try (NodeProcess status = NodeProcess.start(workDirectory, "status", "--port", Integer.toString(clientPort))) {
            assertEquals(0, status.exitCode(WAIT), status.output());
            for (String line : status.output().split("\n")) {
                String[] columns = line.trim().split("\\s+");
                if (columns.length > column && columns[1].equals(node)) {
                    return columns[column];
                }
            }
            throw new AssertionError("no row for " + node + " in\n" + status.output());
        }
    }

    @Test
    @Timeout(60)
    void aBadOptionIsAUsageErrorAndStartsNothing() throws Exception {
        try (NodeProcess node = NodeProcess.start(workDirectory, "node", "--listen", "127.0.0.1:notaport")) {
            node.await("expected host:port with a numeric port, was '127.0.0.1:notaport'", WAIT);
            assertEquals(1, node.exitCode(WAIT), "a configuration error exits with status 1");
        }
    }
}
