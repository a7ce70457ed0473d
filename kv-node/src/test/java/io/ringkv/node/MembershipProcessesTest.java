package io.ringkv.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Membership across restarts, with real processes: a member that is down while every node that knew it restarts
 * stays in their ring, DOWN; a restarted node answers {@code LOADING} until it heard from a peer; and
 * {@code ringkv cluster} says it is ready only once every node routes by the whole ring.
 */
class MembershipProcessesTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ProtocolCommand CONSISTENCY = () -> "CONSISTENCY".getBytes(StandardCharsets.US_ASCII);

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

    /** Gossip every 200 ms: SUSPECT after 3 s, DOWN after 6 s of silence. */
    private NodeProcess startNode(int i, String... extra) {
        List<String> args = new ArrayList<>(List.of("node", "--id", "n" + i,
            "--listen", "127.0.0.1:" + peerPorts[i], "--seeds", "127.0.0.1:" + peerPorts[0] + ",127.0.0.1:" + peerPorts[1],
            "--client-port", Integer.toString(clientPorts[i]), "--gossip-interval-ms", "200",
            "--data-dir", workDirectory.resolve("n" + i).toString()));
        args.addAll(List.of(extra));
        NodeProcess process = NodeProcess.start(workDirectory, args.toArray(String[]::new));
        processes.add(process);
        return process;
    }

    private static String info(int clientPort) {
        try (Jedis client = new Jedis("127.0.0.1", clientPort)) {
            return client.info("cluster");
        }
    }

    /** Waits until the node serves clients with {@code ringNodes} nodes in its ring, {@code alive} of them ALIVE. */
    private static String awaitServing(int clientPort, int ringNodes, int alive) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        String info = "";
        while (System.nanoTime() < deadline) {
            try {
                info = info(clientPort);
                if (info.contains("loading:0\r\n") && info.contains("cluster_ring_nodes:" + ringNodes + "\r\n")
                    && count(info, "liveness=ALIVE") == alive) {
                    return info;
                }
            } catch (JedisConnectionException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the node on port " + clientPort + " never served with a ring of " + ringNodes
            + ", " + alive + " alive:\n" + info);
    }

    private static int count(String text, String part) {
        int count = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
            count++;
        }
        return count;
    }

    private static String row(String info, String id) {
        Matcher matcher = Pattern.compile("(?m)^node\\d+:id=" + id + ",(.*)\r?$").matcher(info);
        if (!matcher.find()) {
            throw new AssertionError("no row for " + id + " in INFO cluster:\n" + info);
        }
        return matcher.group(1);
    }

    private void startThreeAndAwaitTheRing(String... extra) throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            startNode(i, extra);
        }
        for (int port : clientPorts) {
            awaitServing(port, 3, 3);
        }
    }

    @Test
    @Timeout(300)
    void aDeadMemberStaysInTheRingWhenEveryNodeThatKnewItRestarts() throws Exception {
        startThreeAndAwaitTheRing();
        NodeProcess n0 = processes.get(0);
        NodeProcess n1 = processes.get(1);
        processes.get(2).kill();
        n0.await("node n2 is DOWN", WAIT);
        n1.await("node n2 is DOWN", WAIT);
        n0.kill();
        n1.kill();

        startNode(0);
        startNode(1);
        for (int i = 0; i < 2; i++) {
            String info = awaitServing(clientPorts[i], 3, 2);
            assertTrue(info.contains("cluster_known_nodes:3\r\n"), info);
            String n2 = row(info, "n2");
            assertTrue(n2.contains("state=DOWN"), "n" + i + " sees n2 as " + n2);
            assertTrue(n2.contains("tokens=16"), "n2 keeps its tokens: " + n2);
        }
        try (Jedis client = new Jedis("127.0.0.1", clientPorts[0])) {
            client.sendCommand(CONSISTENCY, "ALL");
            JedisDataException refused = assertThrows(JedisDataException.class, () -> client.set("all", "x"));
            assertTrue(refused.getMessage().startsWith("UNAVAILABLE"), refused.getMessage());
            assertTrue(refused.getMessage().contains("of the key's 3 replicas"),
                "routed by a shrunken ring: " + refused.getMessage());
            client.sendCommand(CONSISTENCY, "QUORUM");
            assertEquals("OK", client.set("quorum", "x"), "two of three replicas are alive");
        }
    }

    @Test
    @Timeout(300)
    void aRestartedNodeAnswersLoadingUntilItHeardFromAPeer() throws Exception {
        // a wait bound far beyond the test: only a peer ends the loading
        startThreeAndAwaitTheRing("--ready-after-rounds", "100000");
        for (NodeProcess process : List.copyOf(processes)) {
            process.kill();
        }
        NodeProcess n0 = startNode(0, "--ready-after-rounds", "100000");
        n0.await("clients on", WAIT);
        long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        int refusals = 0;
        try (Jedis client = new Jedis("127.0.0.1", clientPorts[0])) {
            while (System.nanoTime() < until) {
                assertEquals("PONG", client.ping(), "PING answers while loading");
                JedisDataException refused = assertThrows(JedisDataException.class, () -> client.set("k", "v"));
                assertTrue(refused.getMessage().startsWith("LOADING "), "while loading: " + refused.getMessage());
                refusals++;
                Thread.sleep(100);
            }
            String info = client.info("cluster");
            assertTrue(info.contains("loading:1\r\n"), info);
            assertTrue(info.contains("loading_reason:"), info);
        }
        assertTrue(refusals > 10, "only " + refusals + " requests in 3 s");

        startNode(1, "--ready-after-rounds", "100000");
        awaitServing(clientPorts[0], 3, 2);
        try (Jedis client = new Jedis("127.0.0.1", clientPorts[0])) {
            assertEquals("OK", client.set("k", "v"), "QUORUM once a peer is back");
        }
    }

    @Test
    @Timeout(300)
    void clusterCommandSaysReadyOnlyOnceEveryNodeRoutesByTheWholeRing() throws Exception {
        int tcpOffset = 20;
        int base = NodeProcess.freeBase(3, tcpOffset);
        int baseClientPort = base + 1 + tcpOffset;
        NodeProcess cluster = NodeProcess.start(workDirectory, "cluster", "--nodes", "3",
            "--base-port", Integer.toString(base), "--base-client-port", Integer.toString(baseClientPort),
            "--data-dir", workDirectory.resolve("cluster").toString());
        processes.add(cluster);
        cluster.await("ringkv cluster: cluster ready", Duration.ofSeconds(120));
        for (int i = 0; i < 3; i++) {
            String info = info(baseClientPort + i);
            assertTrue(info.contains("loading:0\r\n") && info.contains("cluster_ring_nodes:3\r\n")
                && count(info, "liveness=ALIVE") == 3, "node" + (i + 1) + " when ready:\n" + info);
        }
        try (Jedis client = new Jedis("127.0.0.1", baseClientPort)) {
            client.sendCommand(CONSISTENCY, "ALL");
            assertEquals("OK", client.set("right-after-ready", "x"), "a write at ALL right after ready");
        }
    }
}
