package io.ringkv.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.node.transport.ClusterKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/**
 * The cluster key with real processes: three nodes share a key file and form a cluster; a node with another key,
 * and one without a key that takes the id of a member (an impersonator), both seeded by the cluster, cannot join,
 * gossip or make a member look DOWN, and the members count their datagrams as rejected.
 */
class PeerAuthenticationProcessesTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** Twice the time after which a silent member is DOWN (30 gossip intervals of 200 ms). */
    private static final long WATCH_NANOS = TimeUnit.SECONDS.toNanos(12);

    @RegisterExtension
    final ProcessCluster cluster = new ProcessCluster(5);

    @Test
    @Timeout(300)
    void nodesWithoutTheClusterKeyCannotJoinGossipOrMakeAMemberLookDown() throws Exception {
        String keyText = ClusterKey.generate(new SecureRandom());
        Path key = keyFile("cluster.key", keyText);
        Path otherKey = keyFile("other.key", ClusterKey.generate(new SecureRandom()));
        for (int i = 0; i < 3; i++) {
            cluster.start(i, "--cluster-key-file", key.toString());
        }
        for (int i = 0; i < 3; i++) {
            ClusterProcessesTest.awaitRing(cluster.clientPorts[i], 3);
        }
        NodeProcess otherCluster = cluster.start(3, "--cluster-key-file", otherKey.toString());
        // no key, and the id of a member: without authentication its newer generation would take n2's place
        NodeProcess impersonator = cluster.startAs(4, "n2");
        impersonator.await("WARNING: no cluster key", WAIT);
        otherCluster.await("clients on", WAIT);

        long watchEnd = System.nanoTime() + WATCH_NANOS;
        while (System.nanoTime() < watchEnd) {
            for (int i = 0; i < 3; i++) {
                assertOnlyTheMembers(info(cluster.clientPorts[i]));
            }
            Thread.sleep(250);
        }
        for (int seed = 0; seed < 2; seed++) {
            String info = info(cluster.clientPorts[seed]);
            assertTrue(ClusterProcessesTest.counter(info, "transport_dropped_bad_tag") > 0,
                "the intruders' datagrams are counted on seed n" + seed + ":\n" + info);
            assertEquals(0, ClusterProcessesTest.counter(info, "transport_dropped_replayed"), info);
        }
        for (int i = 3; i < 5; i++) {
            String info = info(cluster.clientPorts[i]);
            assertFalse(info.contains("id=n0,") || info.contains("id=n1,"), "an intruder learned the members:\n"
                + info);
        }
        for (int i = 0; i < 3; i++) {
            cluster.setKeys(i, 20);
        }
        try (Jedis client = new Jedis("127.0.0.1", cluster.clientPorts[2])) {
            assertEquals("value-7", client.get("key:7"));
        }
        for (int i = 0; i < 5; i++) {
            assertFalse(cluster.nodes[i].output().contains(keyText.lines().skip(1).findFirst().orElseThrow()),
                "no node prints the key");
        }
    }

    @Test
    @Timeout(300)
    void encryptingNodesServeAndANodeWithTheKeyButNoEncryptionCannotJoin() throws Exception {
        Path key = keyFile("cluster.key", ClusterKey.generate(new SecureRandom()));
        for (int i = 0; i < 3; i++) {
            cluster.start(i, "--cluster-key-file", key.toString(), "--peer-encryption");
        }
        cluster.nodes[0].await("authenticated with the cluster key and encrypted", WAIT);
        for (int i = 0; i < 3; i++) {
            ClusterProcessesTest.awaitRing(cluster.clientPorts[i], 3);
        }
        NodeProcess tagging = cluster.start(3, "--cluster-key-file", key.toString());
        tagging.await("clients on", WAIT);
        for (int i = 0; i < 3; i++) {
            cluster.setKeys(i, 20);
        }
        try (Jedis client = new Jedis("127.0.0.1", cluster.clientPorts[2])) {
            assertEquals("value-7", client.get("key:7"));
        }
        long watchEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < watchEnd) {
            for (int i = 0; i < 3; i++) {
                assertTrue(info(cluster.clientPorts[i]).contains("cluster_known_nodes:3\r\n"));
            }
            Thread.sleep(250);
        }
        String seed = info(cluster.clientPorts[0]);
        assertTrue(ClusterProcessesTest.counter(seed, "transport_dropped_bad_tag") > 0,
            "the tagging node's datagrams are refused:\n" + seed);

        // a member killed and started again refuses what its peers made for its earlier run (its replay windows
        // start empty), its peers learn which run is current (from its datagrams, or a hello), and it serves again:
        // a read through it needs their answers
        cluster.nodes[1].kill();
        cluster.start(1, "--cluster-key-file", key.toString(), "--peer-encryption");
        ClusterProcessesTest.awaitRing(cluster.clientPorts[1], 3);
        long readDeadline = System.nanoTime() + WAIT.toNanos();
        String read = null;
        while (!"value-7".equals(read) && System.nanoTime() < readDeadline) {
            try (Jedis client = new Jedis("127.0.0.1", cluster.clientPorts[1])) {
                read = client.get("key:7");
            } catch (redis.clients.jedis.exceptions.JedisException e) {
                Thread.sleep(200);
            }
        }
        assertEquals("value-7", read, "read through the restarted node:\n" + info(cluster.clientPorts[1]));

        // a node joining the encrypted cluster streams the ranges it takes over: the members send it records before
        // they heard from it (named for no receiver, so refused) and again once its hello named its run
        NodeProcess joining = cluster.start(4, "--cluster-key-file", key.toString(), "--peer-encryption");
        joining.await("joined the ring", WAIT);
        assertTrue(joining.output().contains("streamed the ranges it takes over"), joining.output());
        for (int i : new int[] {0, 1, 2, 4}) {
            ClusterProcessesTest.awaitRing(cluster.clientPorts[i], 4);
        }
        // N=3 of 4 nodes: about 15 of the 20 keys (the engine's count reaches INFO once a second)
        long held = 0;
        long heldDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (held < 10 && System.nanoTime() < heldDeadline) {
            Thread.sleep(200);
            try (Jedis client = new Jedis("127.0.0.1", cluster.clientPorts[4])) {
                held = ClusterProcessesTest.counter(client.info("storage"), "storage_records");
            }
        }
        assertTrue(held >= 10, "the joined node holds " + held + " of 20 keys:\n" + joining.output());
    }

    @Test
    @Timeout(120)
    void aKeyFileOthersCanReadStopsTheNodeFromStarting() throws Exception {
        Path key = keyFile("cluster.key", ClusterKey.generate(new SecureRandom()));
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        NodeProcess node = cluster.start(0, "--cluster-key-file", key.toString());
        assertTrue(node.exitCode(WAIT) > 0, "the node refused to start");
        assertTrue(node.output().contains("chmod 600"), node.output());
    }

    /** Every member ALIVE, no other node known: the impersonator did not replace n2, the stranger did not join. */
    private void assertOnlyTheMembers(String info) {
        assertTrue(info.contains("cluster_known_nodes:3\r\n"), info);
        assertEquals(3, info.split("liveness=ALIVE", -1).length - 1, info);
        // the peer address field only: an intruder's UDP port may have the number of a member's TCP client port
        assertFalse(info.contains("address=127.0.0.1:" + cluster.peerPorts[3] + ",")
            || info.contains("address=127.0.0.1:" + cluster.peerPorts[4] + ","),
            "a member took an intruder's address:\n" + info);
    }

    private static String info(int clientPort) {
        try (Jedis client = new Jedis("127.0.0.1", clientPort)) {
            return client.info("cluster");
        }
    }

    private Path keyFile(String name, String text) throws IOException {
        Path file = cluster.workDirectory().resolve(name);
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }
}
