package io.ringkv.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.exceptions.JedisDataException;

/** Three real node processes on 127.0.0.1, used through Jedis and Lettuce, with one node killed and restarted. */
class ClusterProcessesTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ProtocolCommand CONSISTENCY = () -> "CONSISTENCY".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path workDirectory;

    private ThreeNodeProcesses nodes;

    @AfterEach
    void stopAll() throws Exception {
        if (nodes != null) {
            nodes.close();
        }
    }

    private static void awaitPeers(NodeProcess process, int self) throws Exception {
        List<String> lines = new ArrayList<>();
        for (int j = 0; j < 3; j++) {
            if (j != self) {
                lines.add("node n" + j + " is ALIVE");
            }
        }
        process.awaitAll(lines, WAIT);
    }

    /** Waits until the node at {@code clientPort} serves clients with every node in its ring. */
    static void awaitRing(int clientPort, int nodes) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        String info = "";
        while (System.nanoTime() < deadline) {
            try (Jedis client = new Jedis("127.0.0.1", clientPort)) {
                info = client.info("cluster");
                if (info.contains("cluster_ring_nodes:" + nodes + "\r\n") && info.contains("loading:0\r\n")) {
                    // gossip's counters travel with the view: a node that learned the ring took messages, and a
                    // healthy cluster sends nothing that fails to decode
                    assertTrue(counter(info, "gossip_messages_received") > 0, info);
                    assertTrue(counter(info, "gossip_bytes_sent") > 0, info);
                    assertEquals(0, counter(info, "gossip_dropped_malformed"), info);
                    return;
                }
            } catch (redis.clients.jedis.exceptions.JedisConnectionException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the ring of the node on port " + clientPort + " never held " + nodes
            + " nodes:\n" + info);
    }

    /** @return the value of counter {@code name} in an INFO text; fails the test when it is missing */
    static long counter(String info, String name) {
        java.util.regex.Matcher matcher = java.util.regex.Pattern.compile("(?m)^" + name + ":(\\d+)\r?$")
            .matcher(info);
        if (!matcher.find()) {
            throw new AssertionError(name + " missing from INFO:\n" + info);
        }
        return Long.parseLong(matcher.group(1));
    }

    @Test
    @Timeout(240)
    void quorumWritesSurviveAKilledNodeAndConsistencyLevelsAreHonored() throws Exception {
        nodes = new ThreeNodeProcesses(workDirectory);
        int[] clientPorts = nodes.clientPorts;
        NodeProcess n0 = nodes.start(0);
        NodeProcess n1 = nodes.start(1);
        NodeProcess n2 = nodes.start(2);
        awaitPeers(n0, 0);
        awaitPeers(n2, 2);
        for (int port : clientPorts) {
            awaitRing(port, 3);
        }

        try (Jedis client = new Jedis("127.0.0.1", clientPorts[0])) {
            assertEquals("PONG", client.ping());
            assertEquals("OK", client.set("greeting", "hello"));
            assertEquals("hello", client.get("greeting"));
            for (int i = 0; i < 10; i++) {
                assertEquals("OK", client.set("overwritten", "v" + i), "a SET supersedes the value it replaces");
            }
            assertEquals("v9", client.get("overwritten"));
            assertEquals("OK", client.mset("a", "1", "b", "2"));
            assertEquals(List.of("1", "2"), client.mget("a", "b"));
            assertEquals(1L, client.del("a"));
            assertNull(client.get("a"));
            assertFalse(client.exists("a"));
            assertEquals(1L, client.exists("greeting", "a"));
            // expiry, written through one node and read through the others
            assertEquals("OK", client.set("expiring", "soon",
                redis.clients.jedis.params.SetParams.setParams().ex(100)));
            long ttl = client.ttl("expiring");
            assertTrue(ttl > 90 && ttl <= 100, "TTL " + ttl);
            assertEquals(1L, client.persist("expiring"));
            assertEquals(-1L, client.ttl("expiring"));
            assertEquals(1L, client.pexpire("expiring", 400));
        }

        RedisClient lettuce = RedisClient.create(RedisURI.create("127.0.0.1", clientPorts[1]));
        try (StatefulRedisConnection<String, String> connection = lettuce.connect()) {
            RedisCommands<String, String> commands = connection.sync();
            assertEquals("OK", commands.set("lettuce", "resp3"));
            assertEquals("resp3", commands.get("lettuce"));
            assertEquals("hello", commands.get("greeting"), "written through another node");
            assertEquals(List.of(KeyValue.just("lettuce", "resp3"), KeyValue.empty("a")), commands.mget("lettuce", "a"));
            assertEquals("OK", commands.setex("lettuce-ttl", 100, "v"));
            assertTrue(commands.ttl("lettuce-ttl") > 90);
            assertEquals("v", commands.getex("lettuce-ttl", io.lettuce.core.GetExArgs.Builder.persist()));
            assertEquals(-1L, commands.ttl("lettuce-ttl"));
            // the key Jedis gave 400 ms to live through another node has expired here
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
            while (commands.get("expiring") != null && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertNull(commands.get("expiring"));
            assertEquals(-2L, commands.ttl("expiring"));
        } finally {
            lettuce.shutdown();
        }

        n2.kill();
        n0.await("node n2 is DOWN", WAIT);
        n1.await("node n2 is DOWN", WAIT);
        List<String> acknowledged = new ArrayList<>();
        try (Jedis client = new Jedis("127.0.0.1", clientPorts[1])) {
            for (int k = 0; k < 200; k++) {
                assertEquals("OK", client.set("key" + k, "value" + k), "QUORUM write with one node down");
                acknowledged.add("key" + k);
            }
            client.sendCommand(CONSISTENCY, "ALL");
            JedisDataException refused = assertThrows(JedisDataException.class, () -> client.set("all", "x"));
            assertTrue(refused.getMessage().toLowerCase().contains("unavailable")
                || refused.getMessage().toLowerCase().contains("replica"), refused.getMessage());
            client.sendCommand(CONSISTENCY, "ONE");
            assertEquals("OK", client.set("one", "x"), "ONE succeeds with a node down");
        }

        NodeProcess restarted = nodes.start(2);
        awaitPeers(restarted, 2);
        NodeProcess.awaitServing(clientPorts[2], WAIT);
        n0.await("node n2 is ALIVE", WAIT);
        try (Jedis client = new Jedis("127.0.0.1", clientPorts[2])) {
            for (String key : acknowledged) {
                assertEquals("value" + key.substring(3), client.get(key), key + " after the restart, read at n2");
            }
        }
    }

}
