package io.ringkv.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.GetExArgs;
import io.lettuce.core.KeyValue;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.params.SetParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * Jedis and Lettuce against one real node, each used as its users use it: the default handshake, a pipeline,
 * binary keys and values, MSET/MGET, expiry, SCAN iteration with the client's own cursor handling, and errors
 * surfacing as the client's exceptions. The matrix's Python column is {@link RedisPyCompatibilityTest}.
 */
@Timeout(180)
class JavaClientsCompatibilityTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final byte[] BINARY_KEY = {'b', 0, (byte) 0xff, '\r', '\n'};

    @TempDir
    static Path workDirectory;
    private static NodeProcess node;
    private static int port;

    @BeforeAll
    static void startNode() throws Exception {
        node = NodeProcess.start(workDirectory, "node", "--id", "clients", "--listen",
            "127.0.0.1:" + NodeProcess.freeUdpPort(), "--client-port", "0", "--data-dir", "clients");
        Matcher matcher = Pattern.compile("clients on [^ ]+:(\\d+)").matcher(node.await("clients on", WAIT));
        assertTrue(matcher.find());
        port = Integer.parseInt(matcher.group(1));
        NodeProcess.awaitServing(port, WAIT);
    }

    @AfterAll
    static void stopNode() throws Exception {
        if (node != null) {
            node.close();
        }
    }

    private static byte[] binaryValue() {
        byte[] value = new byte[1024];
        for (int i = 0; i < value.length; i++) {
            value[i] = (byte) i;
        }
        return value;
    }

    @Test
    void jedis() {
        try (Jedis jedis = new Jedis("127.0.0.1", port)) {
            assertEquals("PONG", jedis.ping());
            assertEquals("OK", jedis.set(BINARY_KEY, binaryValue()));
            assertArrayEquals(binaryValue(), jedis.get(BINARY_KEY));
            assertEquals("OK", jedis.mset("j:a", "1", "j:b", "2"));
            assertEquals(java.util.Arrays.asList("1", null, "2"), jedis.mget("j:a", "j:missing", "j:b"));

            Pipeline pipeline = jedis.pipelined();
            List<Response<String>> reads = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                pipeline.set("j:p" + i, "v" + i);
            }
            for (int i = 0; i < 200; i++) {
                reads.add(pipeline.get("j:p" + i));
            }
            pipeline.sync();
            for (int i = 0; i < 200; i++) {
                assertEquals("v" + i, reads.get(i).get(), "pipelined answers in order");
            }

            assertEquals("OK", jedis.set("j:ttl", "v", SetParams.setParams().px(60_000)));
            long pttl = jedis.pttl("j:ttl");
            assertTrue(pttl > 55_000 && pttl <= 60_000, "PTTL " + pttl);
            assertEquals(1L, jedis.expire("j:ttl", 120));
            assertEquals("v", jedis.getEx("j:ttl", redis.clients.jedis.params.GetExParams.getExParams().persist()));
            assertEquals(-1L, jedis.ttl("j:ttl"));
            assertEquals("OK", jedis.psetex("j:short", 200, "gone"));

            Set<String> scanned = new HashSet<>();
            String cursor = ScanParams.SCAN_POINTER_START;
            do {
                ScanResult<String> page = jedis.scan(cursor, new ScanParams().match("j:p*").count(50));
                scanned.addAll(page.getResult());
                cursor = page.getCursor();
            } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
            assertEquals(200, scanned.size(), "SCAN with Jedis' cursor loop found every key once or more");

            JedisDataException error = assertThrows(JedisDataException.class, () -> jedis.set("j:x", "v",
                SetParams.setParams().ex(0)));
            assertTrue(error.getMessage().contains("invalid expire time"), error.getMessage());
            assertThrows(JedisDataException.class, () -> jedis.incr("j:a"), "an unknown command is an error");
            assertEquals("PONG", jedis.ping(), "the connection serves on after errors");
            awaitAbsent(() -> jedis.get("j:short"));
        }
    }

    @Test
    void lettuce() throws Exception {
        RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", port));
        try (StatefulRedisConnection<byte[], byte[]> binary = client.connect(ByteArrayCodec.INSTANCE);
             StatefulRedisConnection<String, String> text = client.connect()) {
            RedisCommands<byte[], byte[]> bytes = binary.sync();
            assertEquals("OK", bytes.set(BINARY_KEY, binaryValue()));
            assertArrayEquals(binaryValue(), bytes.get(BINARY_KEY));

            RedisCommands<String, String> commands = text.sync();
            assertEquals("PONG", commands.ping(), "its default handshake (HELLO 3) is answered");
            assertEquals("OK", commands.mset(Map.of("l:a", "1", "l:b", "2")));
            assertEquals(List.of(KeyValue.just("l:a", "1"), KeyValue.empty("l:missing")),
                commands.mget("l:a", "l:missing"));

            // pipelining as Lettuce users do it: commands queued without flushing, then one flush
            RedisAsyncCommands<String, String> async = text.async();
            text.setAutoFlushCommands(false);
            List<RedisFuture<?>> futures = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                futures.add(async.set("l:p" + i, "v" + i));
            }
            List<RedisFuture<String>> reads = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                reads.add(async.get("l:p" + i));
            }
            futures.addAll(reads);
            text.flushCommands();
            assertTrue(LettuceFutures.awaitAll(30, TimeUnit.SECONDS, futures.toArray(new RedisFuture[0])));
            text.setAutoFlushCommands(true);
            for (int i = 0; i < 200; i++) {
                assertEquals("v" + i, reads.get(i).get());
            }

            assertEquals("OK", commands.set("l:ttl", "v", SetArgs.Builder.ex(60)));
            long ttl = commands.ttl("l:ttl");
            assertTrue(ttl > 55 && ttl <= 60, "TTL " + ttl);
            assertTrue(commands.expire("l:ttl", 30, io.lettuce.core.ExpireArgs.Builder.lt()));
            assertEquals("v", commands.getex("l:ttl", GetExArgs.Builder.persist()));
            assertEquals(-1L, commands.ttl("l:ttl"));
            assertEquals("OK", commands.psetex("l:short", 200, "gone"));

            Set<String> scanned = new HashSet<>();
            ScanIterator.scan(commands, ScanArgs.Builder.matches("l:p*").limit(50)).forEachRemaining(scanned::add);
            assertEquals(200, scanned.size(), "Lettuce's ScanIterator walked every key");

            RedisCommandExecutionException error = assertThrows(RedisCommandExecutionException.class,
                () -> commands.expire("l:a", Long.MAX_VALUE));
            assertTrue(error.getMessage().contains("invalid expire time"), error.getMessage());
            assertThrows(RedisCommandExecutionException.class, () -> commands.incr("l:a"));
            assertEquals("PONG", commands.ping());
            awaitAbsent(() -> commands.get("l:short"));
        } finally {
            client.shutdown();
        }
    }

    private static void awaitAbsent(java.util.function.Supplier<Object> read) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (read.get() != null && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        assertNull(read.get(), "a key past its expiry reads as absent");
    }
}
