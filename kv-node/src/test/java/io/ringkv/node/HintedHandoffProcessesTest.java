package io.ringkv.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.commands.ProtocolCommand;

/**
 * Hinted handoff with real node processes: three nodes (N=3, every key on all of them), one killed. QUORUM writes
 * through the other two succeed, and each keeps a durable hint for the dead node, which {@code INFO hints} and
 * {@code ringkv status} show. The node restarts, the hints drain to zero, and with the other two then stopped every
 * key written while it was away reads back at consistency ONE through it alone: handoff, not a read, brought them.
 */
class HintedHandoffProcessesTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ProtocolCommand CONSISTENCY = () -> "CONSISTENCY".getBytes(StandardCharsets.US_ASCII);
    private static final int KEYS = 200;

    @TempDir
    Path workDirectory;

    private final List<NodeProcess> processes = new ArrayList<>();
    private final NodeProcess[] nodes = new NodeProcess[3];
    private final int[] peerPorts = {NodeProcess.freeUdpPort(), NodeProcess.freeUdpPort(), NodeProcess.freeUdpPort()};
    private final int[] clientPorts = {NodeProcess.freeTcpPort(), NodeProcess.freeTcpPort(), NodeProcess.freeTcpPort()};

    @AfterEach
    void stopAll() throws Exception {
        for (NodeProcess process : processes) {
            process.close();
            System.out.println("---- node output ----\n" + process.output());
        }
    }

    private void startNode(int i) {
        String seeds = "127.0.0.1:" + peerPorts[0] + ",127.0.0.1:" + peerPorts[1];
        nodes[i] = NodeProcess.start(workDirectory, "node", "--id", "n" + i,
            "--listen", "127.0.0.1:" + peerPorts[i], "--seeds", seeds,
            "--client-port", Integer.toString(clientPorts[i]), "--gossip-interval-ms", "200",
            "--data-dir", workDirectory.resolve("n" + i).toString());
        processes.add(nodes[i]);
    }

    @Test
    @Timeout(300)
    void writesMadeWhileANodeWasDownReachItByHandoff() throws Exception {
        for (int i = 0; i < 3; i++) {
            startNode(i);
        }
        for (int port : clientPorts) {
            ClusterProcessesTest.awaitRing(port, 3);
        }
        nodes[2].kill();
        awaitLiveness(clientPorts[0], "n2", "DOWN");
        awaitLiveness(clientPorts[1], "n2", "DOWN");

        List<String> keys = new ArrayList<>();
        for (int k = 0; k < KEYS; k++) {
            String key = "away:" + k;
            try (Jedis client = new Jedis("127.0.0.1", clientPorts[k % 2])) {
                assertEquals("OK", client.set(key, "value-" + k), "QUORUM write " + key + " with one node down");
            }
            keys.add(key);
        }
        long held = 0;
        for (int i = 0; i < 2; i++) {
            try (Jedis client = new Jedis("127.0.0.1", clientPorts[i])) {
                String hints = client.info("hints");
                assertEquals(counter(hints, "hints_pending"), counter(hints, "hints_pending_n2"), hints);
                assertTrue(counter(hints, "hints_pending_bytes") > 0, hints);
                held += counter(hints, "hints_pending_n2");
            }
        }
        assertEquals(KEYS, held, "one hint for n2 per write, at the node that coordinated it");
        String status = status(clientPorts[0]);
        assertTrue(status.contains("Hints held by n0"), status);
        assertTrue(Pattern.compile("(?m)\\sn2\\s.*\\sDOWN\\s+[1-9]\\d*$").matcher(status).find(),
            "ringkv status shows n2 DOWN with hints pending:\n" + status);

        startNode(2);
        nodes[2].await("clients on", WAIT);
        NodeProcess.awaitServing(clientPorts[2], WAIT);
        awaitNoHints(clientPorts[0]);
        awaitNoHints(clientPorts[1]);

        nodes[0].kill();
        nodes[1].kill();
        List<String> missing = new ArrayList<>();
        try (Jedis client = new Jedis("127.0.0.1", clientPorts[2])) {
            client.sendCommand(CONSISTENCY, "ONE");
            for (int k = 0; k < KEYS; k++) {
                if (!("value-" + k).equals(client.get(keys.get(k)))) {
                    missing.add(keys.get(k));
                }
            }
        }
        assertEquals(List.of(), missing, "keys n2 did not get while it was down");
    }

    private String status(int clientPort) throws Exception {
        try (NodeProcess status = NodeProcess.start(workDirectory, "status", "--port", Integer.toString(clientPort))) {
            assertEquals(0, status.exitCode(WAIT), status.output());
            return status.output();
        }
    }

    private static void awaitLiveness(int clientPort, String node, String liveness) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        String info = "";
        while (System.nanoTime() < deadline) {
            try (Jedis client = new Jedis("127.0.0.1", clientPort)) {
                info = client.info("cluster");
                if (Pattern.compile("id=" + node + ",.*liveness=" + liveness).matcher(info).find()) {
                    return;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError(node + " never became " + liveness + " at port " + clientPort + ":\n" + info);
    }

    private static void awaitNoHints(int clientPort) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        String info = "";
        while (System.nanoTime() < deadline) {
            try (Jedis client = new Jedis("127.0.0.1", clientPort)) {
                info = client.info("hints");
                if (counter(info, "hints_pending") == 0 && counter(info, "hints_delivered") > 0) {
                    return;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("hints never drained at port " + clientPort + ":\n" + info);
    }

    private static long counter(String info, String name) {
        return ClusterProcessesTest.counter(info, name);
    }
}
