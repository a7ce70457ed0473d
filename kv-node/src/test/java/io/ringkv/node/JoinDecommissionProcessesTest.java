package io.ringkv.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Scaling out and in with real node processes. Three nodes hold 2,000 keys; a fourth joins while a client keeps
 * writing: it streams the ranges it takes over, and afterwards every key, those written during the join included,
 * reads back at QUORUM through each of the four nodes, and the fourth holds about its share (3/4 of the keys at
 * N=3); n0, which held every key, drops those of the ranges it no longer replicates with {@code ringkv cleanup}, and
 * every key still reads back. Then one of the first three decommissions with {@code ringkv decommission}: it hands its ranges over,
 * leaves and exits, and every key still reads back at QUORUM through each node that stays.
 */
class JoinDecommissionProcessesTest {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final int KEYS = 2_000;

    @RegisterExtension
    final ProcessCluster cluster = new ProcessCluster(4);

    @Test
    @Timeout(600)
    void aJoinAndADecommissionLoseNoKey() throws Exception {
        cluster.startFormed(3);
        cluster.setKeys(0, KEYS);

        // a client keeps writing through the join
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicInteger written = new AtomicInteger();
        Thread writer = Thread.ofPlatform().start(() -> {
            try (Jedis client = new Jedis("127.0.0.1", cluster.clientPorts[1])) {
                while (writing.get()) {
                    int k = written.get();
                    try {
                        if ("OK".equals(client.set("live:" + k, "live-" + k))) {
                            written.incrementAndGet();
                        }
                    } catch (JedisDataException e) {
                        // an error reply (a timeout): the same key is written again
                    }
                }
            }
        });
        // n3's directory holds a record but no tokens, and a join began there: what a join that did not finish
        // leaves (a restart mid-stream, or a removal while it was down). Dropped at its start, it is sent to no one
        io.ringkv.api.Key stale = io.ringkv.api.Key.utf8("stale-from-an-unfinished-join");
        try (io.ringkv.storage.StorageEngine engine = io.ringkv.storage.StorageEngines.open("lsm",
            new io.ringkv.storage.EngineConfig(cluster.workDirectory().resolve("n3"), "data",
                io.ringkv.api.Limits.DEFAULT, io.ringkv.storage.EngineConfig.DEFAULT_MAX_VERSION_BYTES, Map.of()))) {
            engine.put(io.ringkv.ring.Partitioner.token(stale), stale, new byte[] {1}, new byte[] {2});
            engine.flush();
        }
        io.ringkv.node.membership.NodeState.beginJoin(cluster.workDirectory().resolve("n3"));
        cluster.start(3);
        cluster.nodes[3].await("dropped the 1 records this node holds from a join that did not finish", WAIT);
        cluster.nodes[3].await("joined the ring", WAIT);
        for (int i = 0; i < 4; i++) {
            ClusterProcessesTest.awaitRing(cluster.clientPorts[i], 4);
        }
        writing.set(false);
        writer.join();
        assertTrue(cluster.nodes[3].output().contains("streamed the ranges it takes over"), cluster.nodes[3].output());
        assertTrue(written.get() > 0, "the client wrote nothing during the join");

        for (int i = 0; i < 4; i++) {
            assertEquals(List.of(), missing(cluster.clientPorts[i], written.get()), "keys n" + i + " cannot read");
        }
        // the three first nodes each lost ranges to the joiner and keep their records: every node holds its purges
        awaitLeftoverHolders(cluster.clientPorts[3], "n0,n1,n2");
        try (Jedis client = new Jedis("127.0.0.1", cluster.clientPorts[3])) {
            long held = ClusterProcessesTest.counter(client.info("storage"), "storage_records");
            double share = (double) held / (KEYS + written.get());
            assertTrue(share > 0.6 && share < 0.9, "the new node holds " + held + " of " + (KEYS + written.get())
                + " keys; its share at N=3 of 4 nodes is about 3/4");
        }

        // n0 held every key; after cleanup it keeps only the ranges it still replicates
        try (NodeProcess cleanup = NodeProcess.start(cluster.workDirectory(), "cleanup", "--port",
                Integer.toString(cluster.clientPorts[0]), "--timeout-s", "120")) {
            assertEquals(0, cleanup.exitCode(Duration.ofSeconds(150)), cleanup.output());
            assertTrue(cleanup.output().contains("records dropped"), cleanup.output());
        }
        // the engine's report reaches INFO once a second
        long held = -1;
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline && !(held > 0 && held < 0.95 * (KEYS + written.get()))) {
            Thread.sleep(200);
            try (Jedis client = new Jedis("127.0.0.1", cluster.clientPorts[0])) {
                held = ClusterProcessesTest.counter(client.info("storage"), "storage_records");
            }
        }
        assertTrue(held > 0 && held < 0.95 * (KEYS + written.get()), "n0 still holds " + held + " of "
            + (KEYS + written.get()) + " keys after cleanup");
        for (int i = 0; i < 4; i++) {
            assertEquals(List.of(), missing(cluster.clientPorts[i], written.get()), "after cleanup, keys n" + i
                + " cannot read");
        }
        awaitLeftoverHolders(cluster.clientPorts[3], "n1,n2");
        // n2's mark survives a restart (leftovers.state)
        cluster.nodes[2].kill();
        cluster.start(2);
        cluster.nodes[2].await("clients on", WAIT);
        NodeProcess.awaitServing(cluster.clientPorts[2], WAIT);
        try (Jedis client = new Jedis("127.0.0.1", cluster.clientPorts[2])) {
            assertTrue(client.info("cluster").contains("cluster_leftovers_here:1"), "n2 forgot its leftovers:\n"
                + cluster.nodes[2].output());
        }
        ClusterProcessesTest.awaitRing(cluster.clientPorts[2], 4);
        awaitLeftoverHolders(cluster.clientPorts[0], "n1,n2");

        try (NodeProcess decommission = NodeProcess.start(cluster.workDirectory(), "decommission", "--port",
                Integer.toString(cluster.clientPorts[1]), "--timeout-s", "300")) {
            assertEquals(0, decommission.exitCode(Duration.ofSeconds(330)), decommission.output());
            assertTrue(decommission.output().contains("decommissioned"), decommission.output());
        }
        assertEquals(0, cluster.nodes[1].exitCode(WAIT), "the decommissioned node exits by itself:\n" + cluster.nodes[1].output());
        for (int i : new int[] {0, 2, 3}) {
            ClusterProcessesTest.awaitRing(cluster.clientPorts[i], 3);
        }
        for (int i : new int[] {0, 2, 3}) {
            assertEquals(List.of(), missing(cluster.clientPorts[i], written.get()), "keys n" + i + " cannot read");
        }
        // a node that left holds no one's purges; started again on its data, it drops that data before it joins
        awaitLeftoverHolders(cluster.clientPorts[0], "n2");
        cluster.start(1);
        String dropped = cluster.nodes[1].await("records this node kept from before it gave its tokens up",
            WAIT);
        assertTrue(dropped.matches("(?s).*dropped the [1-9][0-9]* records this node kept.*"), dropped);
        cluster.nodes[1].kill();
    }

    /** Waits until the node's {@code INFO cluster} names exactly {@code holders} as holding leftovers. */
    private static void awaitLeftoverHolders(int port, String holders) throws InterruptedException {
        String seen = null;
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            try (Jedis client = new Jedis("127.0.0.1", port)) {
                seen = client.info("cluster").lines().filter(line -> line.startsWith("cluster_leftover_holders:"))
                    .findFirst().map(line -> line.substring(line.indexOf(':') + 1).strip()).orElse(null);
            }
            if (holders.equals(seen)) {
                return;
            }
            Thread.sleep(200);
        }
        assertEquals(holders, seen, "the nodes announcing leftovers, as the node on port " + port + " sees them");
    }

    /**
     * A killed node is replaced: a new node started with {@code --replace} takes its tokens, streams its ranges
     * from the two other replicas and removes it; then, with those two killed, every key reads back at ONE through
     * the replacement alone.
     */
    @Test
    @Timeout(600)
    void aDeadNodeIsReplacedByANewOneThatTakesItsRanges() throws Exception {
        cluster.startFormed(3);
        cluster.setKeys(0, KEYS);
        cluster.nodes[2].kill();
        cluster.nodes[0].await("node n2 is DOWN", WAIT);
        cluster.start(3, "--replace", "n2");
        cluster.nodes[3].await("joined the ring", WAIT);
        assertTrue(cluster.nodes[3].output().contains("removed n2, whose tokens this node takes over"),
            cluster.nodes[3].output());
        for (int i : new int[] {0, 1, 3}) {
            ClusterProcessesTest.awaitRing(cluster.clientPorts[i], 3);
        }
        cluster.nodes[0].kill();
        cluster.nodes[1].kill();
        List<String> missing = new ArrayList<>();
        try (Jedis client = new Jedis("127.0.0.1", cluster.clientPorts[3])) {
            client.sendCommand(() -> "CONSISTENCY".getBytes(java.nio.charset.StandardCharsets.US_ASCII), "ONE");
            for (int k = 0; k < KEYS; k++) {
                check(client, "key:" + k, "value-" + k, missing);
            }
        }
        assertEquals(List.of(), missing, "keys the replacement does not hold");
    }

    /**
     * @return the keys a QUORUM read through the node does not return with their value; a read that answers an
     *     error (a timeout says nothing about whether the key is held) is asked again on its own, three times at
     *     most, and one that still fails is listed with its error
     */
    private static List<String> missing(int port, int live) {
        Map<String, String> expected = new LinkedHashMap<>();
        for (int k = 0; k < KEYS; k++) {
            expected.put("key:" + k, "value-" + k);
        }
        for (int k = 0; k < live; k++) {
            expected.put("live:" + k, "live-" + k);
        }
        try (Jedis client = new Jedis("127.0.0.1", port)) {
            // a key answered with an error is read again on its own
            List<String> missing = new ArrayList<>();
            missing.addAll(ProcessCluster.readBack(client, expected, 500,
                (key, error) -> check(client, key, expected.get(key), missing)));
            return missing;
        }
    }

    private static void check(Jedis client, String key, String expected, List<String> missing) {
        for (int attempt = 1; ; attempt++) {
            try {
                if (!expected.equals(client.get(key))) {
                    missing.add(key);
                }
                return;
            } catch (JedisDataException e) {
                System.out.println("GET " + key + " answered an error (attempt " + attempt + "): " + e.getMessage());
                if (attempt == 3) {
                    missing.add(key + " (" + e.getMessage() + ")");
                    return;
                }
            }
        }
    }
}
