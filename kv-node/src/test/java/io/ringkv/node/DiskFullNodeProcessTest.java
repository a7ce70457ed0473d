package io.ringkv.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * A real node whose data directory (a 30 MiB tmpfs) fills up: SET answers an error that says the disk is full,
 * GET keeps answering, INFO and the cluster view show it, and after SIGKILL the node starts again on the full disk
 * with nothing deleted and serves every acknowledged key.
 */
class DiskFullNodeProcessTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final long MIB = 1 << 20;

    @TempDir
    Path workDirectory;

    private final List<NodeProcess> processes = new ArrayList<>();

    @AfterEach
    void stopAll() throws Exception {
        for (NodeProcess process : processes) {
            process.close();
        }
    }

    private NodeProcess start(int clientPort) throws Exception {
        NodeProcess node = NodeProcess.start(workDirectory, "node", "--id", "solo",
            "--listen", "127.0.0.1:" + NodeProcess.freeUdpPort(), "--client-port", Integer.toString(clientPort),
            "--data-dir", "data");
        processes.add(node);
        node.await("(engine lsm)", WAIT);
        NodeProcess.awaitServing(clientPort, WAIT);
        return node;
    }

    @Test
    @Timeout(300)
    void aFullDiskRefusesWritesSayingSoServesReadsAndRestartsWithNothingDeleted() throws Exception {
        Path data = Files.createDirectories(workDirectory.resolve("data"));
        try (Tmpfs disk = Tmpfs.mount(data, 30 * MIB)) {
            int clientPort = NodeProcess.freeTcpPort();
            NodeProcess node = start(clientPort);
            int acknowledged;
            try (Jedis client = new Jedis("127.0.0.1", clientPort)) {
                acknowledged = fill(client);
                assertTrue(acknowledged > 1000, "only " + acknowledged + " writes fitted in 30 MiB");
                for (int i = 0; i < acknowledged; i += 97) {
                    assertEquals(value(i), client.get(key(i)), "GET on a full disk");
                }
                // INFO's storage counters are published by the node's agent once a second
                String storage = awaitInfo(client, "storage", "storage_disk_full:1");
                assertTrue(storage.contains("storage_writes_refused_disk_full:1"), storage);
                awaitClusterViewShowsDiskFull(client);
            }
            node.kill();

            start(clientPort);
            try (Jedis client = new Jedis("127.0.0.1", clientPort)) {
                for (int i = 0; i < acknowledged; i++) {
                    assertEquals(value(i), client.get(key(i)), key(i) + " was acknowledged before the restart");
                }
                JedisDataException refused = org.junit.jupiter.api.Assertions.assertThrows(JedisDataException.class,
                    () -> client.set(key(acknowledged), value(acknowledged)));
                assertTrue(refused.getMessage().startsWith("DISKFULL"), refused.getMessage());
            }
        }
    }

    /** SETs 8 KiB values until the node refuses one. @return how many it acknowledged */
    private static int fill(Jedis client) {
        for (int i = 0; i < 10_000; i++) {
            try {
                assertEquals("OK", client.set(key(i), value(i)));
            } catch (JedisDataException e) {
                String message = e.getMessage();
                assertTrue(message.startsWith("DISKFULL") && message.contains("node solo: disk full")
                    && message.contains("free"), message);
                return i;
            }
        }
        throw new AssertionError("30 MiB never filled");
    }

    /** The node announces its disk state by gossip: {@code ringkv status} (INFO cluster) shows it. */
    private static void awaitClusterViewShowsDiskFull(Jedis client) throws InterruptedException {
        String cluster = awaitInfo(client, "cluster", "disk=full");
        assertTrue(cluster.contains("id=solo"), cluster);
    }

    /** @return INFO {@code section} once it contains {@code text}; fails with the last one seen after the wait */
    private static String awaitInfo(Jedis client, String section, String text) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        String info = client.info(section);
        while (!info.contains(text) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            info = client.info(section);
        }
        assertTrue(info.contains(text), info);
        return info;
    }

    private static String key(int i) {
        return "key" + i;
    }

    private static String value(int i) {
        return (i + ":").repeat(8 * 1024 / (Integer.toString(i).length() + 1));
    }
}
