package io.ringkv.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Anti-entropy with real node processes: three nodes hold a data set; one is killed, its data directory wiped, and
 * it is restarted empty (no hint covers it: the writes were made while it was up). It refuses to join until its id
 * is removed, then joins as a new node; {@code ringkv repair} on it brings every key back from the other replicas,
 * and with those two then killed every key reads back at ONE through it alone.
 */
class RepairProcessesTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ProtocolCommand CONSISTENCY = () -> "CONSISTENCY".getBytes(StandardCharsets.US_ASCII);
    private static final int KEYS = 300;

    @RegisterExtension
    final ProcessCluster cluster = new ProcessCluster(4);

    @Test
    @Timeout(300)
    void aWipedReplicaGetsEveryKeyBackByRepair() throws Exception {
        cluster.startFormed(3);
        cluster.setKeys(0, KEYS);
        try (Jedis client = new Jedis("127.0.0.1", cluster.clientPorts[0])) {
            client.del("key:0");
        }
        awaitCounter(cluster.clientPorts[0], "replication", "replication_catch_ups_in_flight", 0);

        cluster.nodes[2].kill();
        try (Stream<Path> files = Files.walk(cluster.workDirectory().resolve("n2"))) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
        cluster.start(2);
        // back without its data: it refuses to join, says why to its operator and its clients, and the others keep
        // it in their rings, DOWN, with its tokens
        cluster.nodes[2].await("ERROR: refusing to join: node n2 was a member of the ring", WAIT);
        awaitCounter(cluster.clientPorts[2], "cluster", "lifecycle_join_refused", 1);
        // clients are told why from the node's next published view (once a gossip round)
        String refused = "";
        long refusedBy = System.nanoTime() + WAIT.toNanos();
        while (!refused.contains("refusing to join") && System.nanoTime() < refusedBy) {
            try (Jedis client = new Jedis("127.0.0.1", cluster.clientPorts[2])) {
                refused = assertThrows(JedisDataException.class, () -> client.get("key:1")).getMessage();
            }
            Thread.sleep(100);
        }
        assertTrue(refused.startsWith("LOADING refusing to join: node n2 was a member"), refused);
        cluster.nodes[0].await("node n2 is DOWN", WAIT);
        ClusterProcessesTest.awaitRing(cluster.clientPorts[0], 3);
        // the operator removes its id: it joins as a new node, and its leaving their rings started a repair pass on
        // each of the others
        try (Jedis client = new Jedis("127.0.0.1", cluster.clientPorts[0])) {
            client.sendCommand(() -> "REMOVENODE".getBytes(StandardCharsets.US_ASCII), "n2");
        }
        cluster.nodes[2].await("node n2 was removed from the cluster: joining as a new node", WAIT);
        NodeProcess.awaitServing(cluster.clientPorts[2], WAIT);
        ClusterProcessesTest.awaitRing(cluster.clientPorts[2], 3);
        awaitCounter(cluster.clientPorts[2], "cluster", "lifecycle_join_refused", 0);
        for (int i = 0; i < 2; i++) {
            awaitCounterAtLeast(cluster.clientPorts[i], "repair", "repair_passes_completed", 1);
            awaitCounter(cluster.clientPorts[i], "cluster", "lifecycle_members_back_without_tokens", 0);
        }
        // the survivors' live trees are ready: they answer the sessions without scanning their ranges
        awaitLiveTreesReady(cluster.clientPorts[0]);
        awaitLiveTreesReady(cluster.clientPorts[1]);

        try (NodeProcess repair = NodeProcess.start(cluster.workDirectory(), "repair", "--port",
                Integer.toString(cluster.clientPorts[2]), "--timeout-s", "120")) {
            assertEquals(0, repair.exitCode(Duration.ofSeconds(150)), repair.output());
            assertTrue(repair.output().contains("repair done"), repair.output());
        }
        try (Jedis client = new Jedis("127.0.0.1", cluster.clientPorts[2])) {
            String info = client.info("repair");
            assertTrue(counter(info, "repair_keys_received") >= KEYS - 1, info);
        }
        long fromLive = 0;
        for (int i = 0; i < 2; i++) {
            try (Jedis client = new Jedis("127.0.0.1", cluster.clientPorts[i])) {
                fromLive += counter(client.info("repair"), "repair_trees_from_live");
            }
        }
        assertTrue(fromLive > 0, "no survivor took a session's tree from its live trees");

        cluster.nodes[0].kill();
        cluster.nodes[1].kill();
        List<String> missing = new ArrayList<>();
        try (Jedis client = new Jedis("127.0.0.1", cluster.clientPorts[2])) {
            client.sendCommand(CONSISTENCY, "ONE");
            for (int k = 1; k < KEYS; k++) {
                if (!("value-" + k).equals(client.get("key:" + k))) {
                    missing.add("key:" + k);
                }
            }
            assertEquals(null, client.get("key:0"), "the delete came back with the repair, not the value");
        }
        assertEquals(List.of(), missing, "keys the repaired node does not hold");
    }

    /**
     * Four nodes at N=3: each key lives on three. One is killed and removed; the survivors that took over its
     * ranges start a repair pass by themselves, and afterwards each of the three holds every key (as each node
     * announces its record count by gossip). Started again on its data after some deletes, it drops what it kept and
     * joins as a new node, and every key reads back as it should through it.
     */
    @Test
    @Timeout(300)
    void removingADeadNodeRepairsItsRangesBackToNCopies() throws Exception {
        for (int i = 0; i < 4; i++) {
            cluster.start(i);
        }
        for (int i = 0; i < 4; i++) {
            ClusterProcessesTest.awaitRing(cluster.clientPorts[i], 4);
        }
        try (Jedis client = new Jedis("127.0.0.1", cluster.clientPorts[0])) {
            for (int k = 0; k < KEYS; k++) {
                assertEquals("OK", client.set("key:" + k, "value-" + k));
            }
        }
        awaitCounter(cluster.clientPorts[0], "replication", "replication_catch_ups_in_flight", 0);
        cluster.nodes[3].kill();
        cluster.nodes[0].await("node n3 is DOWN", WAIT);
        try (Jedis client = new Jedis("127.0.0.1", cluster.clientPorts[0])) {
            client.sendCommand(() -> "REMOVENODE".getBytes(StandardCharsets.US_ASCII), "n3");
        }
        long deadline = System.nanoTime() + WAIT.toNanos() * 2;
        String info = "";
        while (System.nanoTime() < deadline) {
            try (Jedis client = new Jedis("127.0.0.1", cluster.clientPorts[0])) {
                info = client.info("cluster");
            }
            if (records(info, "n0") == KEYS && records(info, "n1") == KEYS && records(info, "n2") == KEYS) {
                break;
            }
            Thread.sleep(500);
        }
        for (String id : List.of("n0", "n1", "n2")) {
            assertEquals(KEYS, records(info, id), id + " holds every key after the removal's repair:\n" + info);
        }
        // the copies can be complete before the pass that made them ends (its last sessions find nothing to do)
        long passDeadline = System.nanoTime() + WAIT.toNanos();
        String repair = "";
        while (System.nanoTime() < passDeadline) {
            try (Jedis client = new Jedis("127.0.0.1", cluster.clientPorts[1])) {
                repair = client.info("repair");
            }
            if (counter(repair, "repair_passes_completed") >= 1) {
                break;
            }
            Thread.sleep(500);
        }
        assertTrue(counter(repair, "repair_passes_completed") >= 1, "a pass ran by itself:\n" + repair);

        // while it is away, some keys are deleted; started again on its data, it learns that it was removed, drops
        // the records it kept (their deletes may have been purged by the time it is back) and joins as a new node
        int deleted = 50;
        try (Jedis client = new Jedis("127.0.0.1", cluster.clientPorts[0])) {
            for (int k = 0; k < deleted; k++) {
                assertEquals(1L, client.del("key:" + k));
            }
        }
        cluster.start(3);
        cluster.nodes[3].await("asking the cluster about node n3 before it rejoins", WAIT);
        cluster.nodes[3].await("node n3 was removed from the cluster while it was down", WAIT);
        String droppedLine = cluster.nodes[3].await("records of node n3's previous run: it joins as a new node", WAIT);
        Matcher dropped = Pattern.compile("dropped the (\\d+) records").matcher(droppedLine);
        assertTrue(dropped.find(), droppedLine);
        assertTrue(Long.parseLong(dropped.group(1)) >= KEYS / 2, "it held about 3/4 of the keys: " + droppedLine);
        cluster.nodes[3].await("streamed the ranges it takes over", WAIT);
        for (int i = 0; i < 4; i++) {
            ClusterProcessesTest.awaitRing(cluster.clientPorts[i], 4);
        }
        awaitCounter(cluster.clientPorts[3], "cluster", "lifecycle_removed_while_down", 1);
        try (Jedis client = new Jedis("127.0.0.1", cluster.clientPorts[3])) {
            client.sendCommand(CONSISTENCY, "ALL");
            for (int k = 0; k < KEYS; k++) {
                assertEquals(k < deleted ? null : "value-" + k, client.get("key:" + k), "key:" + k);
            }
        }
    }

    /** @return the record count node {@code id} last announced, from an INFO cluster text; -1 when absent */
    private static long records(String info, String id) {
        Matcher matcher = Pattern.compile("id=" + id + ",[^\r\n]*,keys=(\\d+),").matcher(info);
        return matcher.find() ? Long.parseLong(matcher.group(1)) : -1;
    }

    private static void awaitCounter(int port, String section, String name, long value) throws InterruptedException {
        awaitCounter(port, section, name, value, false);
    }

    private static void awaitCounterAtLeast(int port, String section, String name, long value)
        throws InterruptedException {
        awaitCounter(port, section, name, value, true);
    }

    private static void awaitCounter(int port, String section, String name, long value, boolean atLeast)
        throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        String info = "";
        while (System.nanoTime() < deadline) {
            try (Jedis client = new Jedis("127.0.0.1", port)) {
                info = client.info(section);
                long now = counter(info, name);
                if (now == value || atLeast && now > value) {
                    return;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError(name + " never reached " + value + ":\n" + info);
    }

    private static void awaitLiveTreesReady(int port) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        String info = "";
        while (System.nanoTime() < deadline) {
            try (Jedis client = new Jedis("127.0.0.1", port)) {
                info = client.info("repair");
                long ranges = counter(info, "live_tree_ranges");
                if (ranges > 0 && counter(info, "live_tree_ranges_ready") == ranges) {
                    return;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the live trees never became ready:\n" + info);
    }

    private static long counter(String info, String name) {
        return ClusterProcessesTest.counter(info, name);
    }
}
