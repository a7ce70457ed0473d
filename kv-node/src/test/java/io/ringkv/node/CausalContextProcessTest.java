package io.ringkv.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.commands.ProtocolCommand;

/**
 * What a causal context promises, through a real node: a SETV supersedes exactly what its context covers. The
 * context GETV gives for an absent key covers nothing, so two writers that both found the key absent both keep
 * their values, as siblings; only a write whose context covers both replaces them.
 */
class CausalContextProcessTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ProtocolCommand GETV = () -> "GETV".getBytes(StandardCharsets.US_ASCII);
    private static final ProtocolCommand SETV = () -> "SETV".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path workDirectory;

    @Test
    @Timeout(120)
    void writersThatSawAnAbsentKeyBothKeepTheirValuesAsSiblings() throws Exception {
        int clientPort = NodeProcess.freeTcpPort();
        try (NodeProcess node = NodeProcess.start(workDirectory, "node", "--id", "solo",
                 "--listen", "127.0.0.1:" + NodeProcess.freeUdpPort(), "--client-port", Integer.toString(clientPort),
                 "--data-dir", "solo");
             Jedis first = connect(node, clientPort);
             Jedis second = new Jedis("127.0.0.1", clientPort)) {
            String absent = context(first, "cart");
            assertEquals(absent, context(second, "cart"), "both writers found the key absent");
            assertEquals("OK", setv(first, "cart", absent, "apple"));
            assertEquals("OK", setv(second, "cart", absent, "pear"), "a write that saw nothing is not refused");
            assertEquals(Set.of("apple", "pear"), Set.copyOf(values(first, "cart")),
                "neither writer saw the other's value, so neither value may hide the other");

            String both = context(first, "cart");
            assertEquals("OK", setv(first, "cart", both, "apple+pear"));
            assertEquals(List.of("apple+pear"), values(second, "cart"), "a context that covers both replaces them");
        }
    }

    private static Jedis connect(NodeProcess node, int clientPort) throws Exception {
        node.await("(engine lsm)", WAIT);
        NodeProcess.awaitServing(clientPort, WAIT);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            try {
                Jedis client = new Jedis("127.0.0.1", clientPort);
                client.ping();
                return client;
            } catch (redis.clients.jedis.exceptions.JedisConnectionException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    private static String context(Jedis client, String key) {
        List<?> reply = (List<?>) client.sendCommand(GETV, key);
        return new String((byte[]) reply.getFirst(), StandardCharsets.UTF_8);
    }

    private static List<String> values(Jedis client, String key) {
        List<?> reply = (List<?>) client.sendCommand(GETV, key);
        List<String> values = new ArrayList<>();
        for (Object value : (List<?>) reply.get(1)) {
            values.add(new String((byte[]) value, StandardCharsets.UTF_8));
        }
        return values;
    }

    private static String setv(Jedis client, String key, String context, String value) {
        return new String((byte[]) client.sendCommand(SETV, key, context, value), StandardCharsets.UTF_8);
    }
}
