package io.ringkv.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * Three real nodes; n0's data directory is a small tmpfs. A client's SET through n0 while its disk is full (n0
 * hands it to another replica and refuses its own copy), then, once space is freed, its DEL through n0, which holds
 * nothing of the SET: the DEL deletes the value on every node, and says it deleted one.
 */
class BlindDeleteAfterFullDiskProcessTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final long MIB = 1 << 20;

    @TempDir
    Path workDirectory;

    private ThreeNodeProcesses nodes;

    @AfterEach
    void stopAll() throws Exception {
        if (nodes != null) {
            nodes.close();
        }
    }

    @Test
    @Timeout(240)
    void aDeleteThroughANodeThatMissedTheSetOnAFullDiskDeletesIt() throws Exception {
        Path n0 = Files.createDirectories(workDirectory.resolve("n0"));
        try (Tmpfs disk = Tmpfs.mount(n0, 48 * MIB)) {
            nodes = new ThreeNodeProcesses(workDirectory);
            int[] clientPorts = nodes.clientPorts;
            for (int i = 0; i < 3; i++) {
                nodes.start(i);
            }
            for (int port : clientPorts) {
                ClusterProcessesTest.awaitRing(port, 3);
            }
            Path ballast = n0.resolve("ballast");
            try (Jedis through0 = new Jedis("127.0.0.1", clientPorts[0])) {
                fill(ballast);
                setUntilTheRingSettles(through0);
                long handedOver = ClusterProcessesTest.counter(through0.info("replication"),
                    "replication_disk_full_hand_overs");
                assertTrue(handedOver >= 1, "n0 refused to coordinate the SET on its full disk");
                Files.delete(ballast);
                assertEquals(1L, through0.del("k"), "the DEL found the value the client set");
                System.out.println("blind writes written again by n0: " + ClusterProcessesTest.counter(
                    through0.info("replication"), "replication_blind_writes_rewritten"));
            }
            for (int port : clientPorts) {
                try (Jedis client = new Jedis("127.0.0.1", port)) {
                    assertNull(client.get("k"), "through port " + port);
                }
            }
        }
    }

    /**
     * SETs k through n0 until it succeeds: right after the nodes joined, a write also needs a quorum in the ring
     * before the last join, which n0's refusal can make impossible; once the joins settled, two replicas suffice.
     */
    private static void setUntilTheRingSettles(Jedis through0) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            try {
                assertEquals("OK", through0.set("k", "v"));
                return;
            } catch (redis.clients.jedis.exceptions.JedisDataException e) {
                assertTrue(System.nanoTime() < deadline, "two replicas have room, yet: " + e.getMessage());
                Thread.sleep(500);
            }
        }
    }

    /** Writes a ballast file until the file system has no space left. */
    private static void fill(Path ballast) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocate((int) MIB);
        try (FileChannel file = FileChannel.open(ballast, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            for (int i = 0; i < 1024; i++) {
                chunk.clear();
                file.write(chunk);
            }
        } catch (IOException e) {
            // no space left on device: the point
        }
    }
}
