package io.ringkv.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three real node processes that know only their seeds find each other by gossip; {@code ringkv status} shows
 * them; a node killed with SIGKILL goes SUSPECT, then DOWN on the others in the configured times, and comes back
 * NORMAL with a new generation after a restart. Gossip every 200 ms: SUSPECT after 3 s, DOWN after 6 s.
 */
class GossipProcessesTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final long SUSPECT_AFTER_MILLIS = 3_000;
    private static final long DOWN_AFTER_MILLIS = 6_000;
    /**
     * Slack below the configured time: the last heartbeat was made up to one interval before the kill, and ages
     * travel in whole milliseconds; two intervals keep the check clear of both.
     */
    private static final long EARLY_MILLIS = 400;

    @TempDir
    Path workDirectory;

    private final List<NodeProcess> processes = new ArrayList<>();
    private final int[] peerPorts = {NodeProcess.freeUdpPort(), NodeProcess.freeUdpPort(), NodeProcess.freeUdpPort()};
    private final int[] clientPorts = NodeProcess.distinctTcpPorts(3);

    @AfterEach
    void stopAll() throws Exception {
        for (NodeProcess process : processes) {
            process.close();
            System.out.println("---- process output ----\n" + process.output());
        }
    }

    private NodeProcess startNode(int i) {
        NodeProcess process = NodeProcess.start(workDirectory, "node", "--id", "g" + i,
            "--listen", "127.0.0.1:" + peerPorts[i], "--seeds", "127.0.0.1:" + peerPorts[0],
            "--client-port", Integer.toString(clientPorts[i]), "--gossip-interval-ms", "200",
            "--suspect-after-ms", Long.toString(SUSPECT_AFTER_MILLIS),
            "--down-after-ms", Long.toString(DOWN_AFTER_MILLIS), "--data-dir", "g" + i);
        processes.add(process);
        return process;
    }

    /**
     * Runs {@code ringkv status} against node {@code i} and returns each node's row by id, or an empty map when
     * the node cannot be reached and {@code required} is false.
     */
    private Map<String, List<String>> status(int i, boolean required) throws Exception {
        NodeProcess status = NodeProcess.start(workDirectory, "status", "--port", Integer.toString(clientPorts[i]));
        try {
            int exit = status.exitCode(WAIT);
            if (!required && exit == 1 && status.output().contains("cannot reach a ringkv node")) {
                return Map.of();
            }
            assertEquals(0, exit, "ringkv status failed:\n" + status.output());
            Map<String, List<String>> rows = new HashMap<>();
            for (String line : status.output().split("\n")) {
                List<String> columns = List.of(line.trim().split("\\s+"));
                if (columns.size() == 14 && !columns.getFirst().equals("STATE")) {
                    rows.put(columns.get(1), columns);
                }
            }
            return rows;
        } finally {
            status.close();
        }
    }

    private Map<String, List<String>> awaitStatus(int i, java.util.function.Predicate<Map<String, List<String>>> done)
        throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        Map<String, List<String>> rows = Map.of();
        while (System.nanoTime() < deadline) {
            rows = status(i, false);
            if (done.test(rows)) {
                return rows;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("status of node " + i + " never reached the expected view: " + rows);
    }

    private static boolean allNormal(Map<String, List<String>> rows) {
        return rows.size() == 3 && rows.values().stream().allMatch(row -> row.getFirst().equals("NORMAL"));
    }

    @Test
    @Timeout(300)
    void seedsAreEnoughToFormAClusterAndAKilledNodeIsSuspectThenDownThenNormalAgain() throws Exception {
        NodeProcess g0 = startNode(0);
        NodeProcess g1 = startNode(1);
        NodeProcess g2 = startNode(2);

        Map<String, List<String>> before = awaitStatus(1, GossipProcessesTest::allNormal);
        awaitStatus(0, GossipProcessesTest::allNormal);
        awaitStatus(2, GossipProcessesTest::allNormal);
        for (List<String> row : before.values()) {
            assertEquals("16", row.get(10), "tokens of " + row);
            assertEquals("ok", row.get(8), "disk of " + row);
            assertEquals("ALIVE", row.get(12));
            assertTrue(row.get(6).matches("\\d+(\\.\\d+)?(B|KiB|MiB|GiB)"), "load of " + row);
            assertTrue(row.get(7).matches("\\d+"), "keys of " + row);
        }
        long generationBefore = Long.parseLong(before.get("g2").get(11));

        g0.await("node g2 is ALIVE", WAIT);
        g1.await("node g2 is ALIVE", WAIT);
        long killedAt = System.nanoTime();
        g2.kill();
        g0.await("node g2 is SUSPECT", WAIT);
        long suspectMillis = (System.nanoTime() - killedAt) / 1_000_000;
        g0.await("node g2 is DOWN", WAIT);
        long downMillis = (System.nanoTime() - killedAt) / 1_000_000;
        g1.await("node g2 is DOWN", WAIT);
        System.out.println("g0 judged g2 SUSPECT after " + suspectMillis + " ms and DOWN after " + downMillis
            + " ms (configured " + SUSPECT_AFTER_MILLIS + " and " + DOWN_AFTER_MILLIS + ")");
        assertTrue(suspectMillis >= SUSPECT_AFTER_MILLIS - EARLY_MILLIS, "SUSPECT too early: " + suspectMillis);
        assertTrue(downMillis >= DOWN_AFTER_MILLIS - EARLY_MILLIS, "DOWN too early: " + downMillis);
        // late by at most a few seconds: judged once a round, on two shared cores with three JVMs
        assertTrue(suspectMillis <= SUSPECT_AFTER_MILLIS + 5_000, "SUSPECT too late: " + suspectMillis);
        assertTrue(downMillis <= DOWN_AFTER_MILLIS + 5_000, "DOWN too late: " + downMillis);
        Map<String, List<String>> down = status(0, true);
        assertEquals("DOWN", down.get("g2").getFirst(), "status shows the dead node DOWN: " + down);

        startNode(2);
        Map<String, List<String>> after = awaitStatus(0, GossipProcessesTest::allNormal);
        long generationAfter = Long.parseLong(after.get("g2").get(11));
        assertNotEquals(generationBefore, generationAfter, "a restart takes a new generation");
        assertTrue(generationAfter > generationBefore);
        assertEquals(before.get("g2").get(10), after.get("g2").get(10), "the restarted node keeps its tokens");
        g0.await("node g2 restarted", WAIT);
    }
}
