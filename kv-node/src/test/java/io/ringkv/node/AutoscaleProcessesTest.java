package io.ringkv.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * {@code ringkv cluster --autoscale 2,3} with real processes and a policy scaled down for a test (a target of 20
 * requests per second per node, 3 s above it to grow, 5 s low to shrink, 5 s cool-down): traffic above the target
 * makes it start a third node, which joins by streaming; traffic stopping makes it decommission that node, which
 * hands its ranges back and exits. Every acknowledged write reads back at QUORUM through every member, while three
 * and after two remain.
 */
class AutoscaleProcessesTest {
    private static final Duration STEP = Duration.ofSeconds(180);

    @TempDir
    Path workDirectory;

    private final List<NodeProcess> processes = new ArrayList<>();

    @AfterEach
    void stopAll() throws Exception {
        for (NodeProcess process : processes) {
            // SIGTERM first: the command stops its node processes on the way out
            process.stop();
            process.close();
            System.out.println("---- cluster output ----\n" + process.output());
        }
    }

    @Test
    @Timeout(600)
    void growsUnderTrafficAndShrinksWhenItStopsWithoutLosingAWrite() throws Exception {
        int tcpOffset = 20;
        int base = NodeProcess.freeBase(3, tcpOffset);
        int baseClientPort = base + 1 + tcpOffset;
        NodeProcess cluster = NodeProcess.start(workDirectory, "cluster", "--autoscale", "2,3",
            "--base-port", Integer.toString(base), "--base-client-port", Integer.toString(baseClientPort),
            "--data-dir", workDirectory.resolve("cluster").toString(), "--scale-target-rps", "20",
            "--scale-up-after-s", "3", "--scale-down-after-s", "5", "--scale-cooldown-s", "5");
        processes.add(cluster);
        cluster.await("ringkv cluster: cluster ready", STEP);

        // writes as fast as one client goes, far above 2 x 20 per second, until the third node has joined
        int written = 0;
        long deadline = System.nanoTime() + STEP.toNanos();
        try (Jedis client = new Jedis("127.0.0.1", baseClientPort)) {
            while (!cluster.output().contains("autoscale: node3 joined")) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("no third node within " + STEP + "; the nodes' view:\n"
                        + diagnostics(baseClientPort));
                }
                for (int i = 0; i < 50; i++, written++) {
                    assertEquals("OK", client.set("key-" + written, "value-" + written));
                }
            }
        }
        assertTrue(cluster.output().contains("autoscale: starting node3"), cluster.output());
        assertTrue(cluster.output().contains("every key has 2 copies"), "the operator is told N: " + cluster.output());
        assertTrue(written > 0);
        System.out.println("written before the scale-out: " + written);
        for (int node = 1; node <= 3; node++) {
            assertAllReadBack(baseClientPort + node - 1, written, "node" + node + " after the scale-out");
        }

        // the join took ranges from the first two nodes (N=2): the autoscaler cleans them up, or tombstones stay
        cluster.await("autoscale: cleaning up node", STEP);
        String holders = null;
        long cleanDeadline = System.nanoTime() + STEP.toNanos();
        while (System.nanoTime() < cleanDeadline) {
            try (Jedis client = new Jedis("127.0.0.1", baseClientPort)) {
                holders = client.info("cluster").lines().filter(line -> line.startsWith("cluster_leftover_holders:"))
                    .findFirst().orElse("").replace("cluster_leftover_holders:", "").strip();
            }
            // node3 itself may be leaving by now (a leaver holds purges until it has left)
            if (holders.isEmpty() || holders.equals("node3")) {
                break;
            }
            Thread.sleep(500);
        }
        assertTrue(holders != null && (holders.isEmpty() || holders.equals("node3")), "the cleanups did not clear"
            + " the first nodes' leftovers: holders " + holders + "\n" + cluster.output());

        // no traffic: the newest node is decommissioned and exits
        cluster.await("autoscale: node3 decommissioned and exited", STEP);
        String info = "";
        long infoDeadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!info.contains("autoscale_members:2\r\n") && System.nanoTime() < infoDeadline) {
            Thread.sleep(500);
            try (Jedis client = new Jedis("127.0.0.1", baseClientPort)) {
                info = client.info("autoscale");
            }
        }
        assertTrue(info.contains("autoscale_members:2\r\n") && info.contains("autoscale_min_nodes:2\r\n"), info);
        // (reading every key back is traffic too: with this test's tiny target the cluster may grow again meanwhile)
        for (int node = 1; node <= 2; node++) {
            assertAllReadBack(baseClientPort + node - 1, written, "node" + node + " after the scale-in");
        }
    }

    private static String diagnostics(int baseClientPort) {
        StringBuilder text = new StringBuilder();
        for (int node = 1; node <= 3; node++) {
            try (Jedis client = new Jedis("127.0.0.1", baseClientPort + node - 1)) {
                text.append("node").append(node).append(":\n").append(client.info("everything")).append('\n');
            } catch (RuntimeException e) {
                text.append("node").append(node).append(": ").append(e).append('\n');
            }
        }
        return text.toString();
    }

    private static void assertAllReadBack(int clientPort, int written, String through) {
        Map<String, String> expected = new LinkedHashMap<>();
        for (int i = 0; i < written; i++) {
            expected.put("key-" + i, "value-" + i);
        }
        try (Jedis client = new Jedis("127.0.0.1", clientPort)) {
            List<String> missing = ProcessCluster.readBack(client, expected, 1_000, (key, error) -> {
                throw error;
            });
            assertEquals(List.of(), missing.subList(0, Math.min(10, missing.size())), missing.size() + " of "
                + written + " acknowledged writes missing through " + through);
        }
    }
}
