package io.ringkv.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
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

    @RegisterExtension
    final ProcessCluster cluster = new ProcessCluster(3);

    @Test
    @Timeout(300)
    void writesMadeWhileANodeWasDownReachItByHandoff() throws Exception {
        for (int i = 0; i < 3; i++) {
            cluster.start(i);
        }
        for (int port : cluster.clientPorts) {
            ClusterProcessesTest.awaitRing(port, 3);
        }
        cluster.nodes[2].kill();
        awaitLiveness(cluster.clientPorts[0], "n2", "DOWN");
        awaitLiveness(cluster.clientPorts[1], "n2", "DOWN");

        List<String> keys = new ArrayList<>();
        for (int k = 0; k < KEYS; k++) {
            String key = "away:" + k;
            try (Jedis client = new Jedis("127.0.0.1", cluster.clientPorts[k % 2])) {
                assertEquals("OK", client.set(key, "value-" + k), "QUORUM write " + key + " with one node down");
            }
            keys.add(key);
        }
        long held = 0;
        for (int i = 0; i < 2; i++) {
            try (Jedis client = new Jedis("127.0.0.1", cluster.clientPorts[i])) {
                String hints = client.info("hints");
                assertEquals(counter(hints, "hints_pending"), counter(hints, "hints_pending_n2"), hints);
                assertTrue(counter(hints, "hints_pending_bytes") > 0, hints);
                held += counter(hints, "hints_pending_n2");
                String shown = hintsCommand(cluster.clientPorts[i]);
                assertTrue(shown.contains("ringkv hints: reached node n" + i + " at 127.0.0.1:" + cluster.clientPorts[i]),
                    shown);
                assertTrue(Pattern.compile("(?m)^n2\\s+" + counter(hints, "hints_pending_n2") + "\\s+DOWN$")
                    .matcher(shown).find(), "ringkv hints shows the hints n" + i + " holds for n2:\n" + shown);
            }
        }
        assertEquals(KEYS, held, "one hint for n2 per write, at the node that coordinated it");
        String status = status(cluster.clientPorts[0]);
        assertTrue(status.contains("Hints held by n0"), status);
        assertTrue(Pattern.compile("(?m)\\sn2\\s.*\\sDOWN\\s+[1-9]\\d*$").matcher(status).find(),
            "ringkv status shows n2 DOWN with hints pending:\n" + status);

        cluster.start(2);
        cluster.nodes[2].await("clients on", WAIT);
        NodeProcess.awaitServing(cluster.clientPorts[2], WAIT);
        awaitNoHints(cluster.clientPorts[0]);
        awaitNoHints(cluster.clientPorts[1]);

        cluster.nodes[0].kill();
        cluster.nodes[1].kill();
        List<String> missing = new ArrayList<>();
        try (Jedis client = new Jedis("127.0.0.1", cluster.clientPorts[2])) {
            client.sendCommand(CONSISTENCY, "ONE");
            for (int k = 0; k < KEYS; k++) {
                if (!("value-" + k).equals(client.get(keys.get(k)))) {
                    missing.add(keys.get(k));
                }
            }
        }
        assertEquals(List.of(), missing, "keys n2 did not get while it was down");
    }

    private String hintsCommand(int clientPort) throws Exception {
        try (NodeProcess hints = NodeProcess.start(cluster.workDirectory(), "hints", "--port", Integer.toString(clientPort))) {
            assertEquals(0, hints.exitCode(WAIT), hints.output());
            return hints.output();
        }
    }

    private String status(int clientPort) throws Exception {
        try (NodeProcess status = NodeProcess.start(cluster.workDirectory(), "status", "--port", Integer.toString(clientPort))) {
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
