package io.ringkv.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * SCAN with real node processes: three nodes (N=2), 2,000 keys written at consistency ALL. A scan with Jedis from
 * cursor 0 to 0, each call through the next node (a cursor is self-contained), sees every key; a second scan, with a
 * node SIGKILLed after a few pages, still sees every key, as one live replica per range answers (R=1).
 */
class ScanProcessesTest {
    private static final ProtocolCommand CONSISTENCY = () -> "CONSISTENCY".getBytes(StandardCharsets.US_ASCII);
    private static final int KEYS = 2_000;

    @RegisterExtension
    final ProcessCluster cluster = new ProcessCluster(3);

    @Test
    @Timeout(300)
    void aScanSeesEveryKeyAcrossNodesAndThroughANodeKilledMidScan() throws Exception {
        // N=2 of 3 nodes: a third of the ranges have no replica on the node a call goes through, so it asks the
        // others, one of which is the node killed below
        for (int i = 0; i < 3; i++) {
            cluster.start(i, "--n", "2");
        }
        for (int port : cluster.clientPorts) {
            ClusterProcessesTest.awaitRing(port, 3);
        }
        Set<String> written = write();

        Set<String> seen = new HashSet<>();
        String cursor = ScanParams.SCAN_POINTER_START;
        int calls = 0;
        do {
            try (Jedis client = new Jedis("127.0.0.1", cluster.clientPorts[calls % 3])) {
                ScanResult<String> page = client.scan(cursor, new ScanParams().count(100));
                seen.addAll(page.getResult());
                cursor = page.getCursor();
            }
            calls++;
            assertTrue(calls < 10_000, "the scan never ended");
        } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
        assertEquals(written, seen, "a scan from 0 to 0 sees exactly the keys written");
        awaitDbsizeNear(KEYS);

        Set<String> afterKill = new HashSet<>();
        cursor = ScanParams.SCAN_POINTER_START;
        int pages = 0;
        List<String> failures = new ArrayList<>();
        boolean killed = false;
        try (Jedis client = new Jedis("127.0.0.1", cluster.clientPorts[0])) {
            client.sendCommand(CONSISTENCY, "ONE");
            do {
                if (pages == 5 && !killed) {
                    cluster.nodes[2].kill();
                    killed = true;
                }
                try {
                    ScanResult<String> page = client.scan(cursor, new ScanParams().count(50));
                    afterKill.addAll(page.getResult());
                    cursor = page.getCursor();
                    pages++;
                } catch (JedisDataException e) {
                    // a client may retry a call that timed out with the same cursor; the coordinator asking the
                    // range's other replica within the call makes that all but unneeded
                    failures.add(e.getMessage());
                    assertTrue(failures.size() < 20, "scan kept failing: " + failures);
                }
                assertTrue(pages < 10_000, "the scan never ended");
            } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
            assertTrue(killed && pages > 5, "the node was killed mid-scan");
            // a coordinator that kept asking the dead replica fails each call until gossip judges it DOWN (8 calls in
            // a run where the retry was broken on purpose); a slow live replica may rarely fail one
            assertTrue(failures.size() <= 2, "calls failed after the kill: " + failures);
            Object refused = null;
            try {
                // one past the largest 64-bit cursor, and no position within a token
                client.scan("18446744073709551616");
            } catch (JedisDataException e) {
                refused = e.getMessage();
            }
            assertEquals("ERR invalid cursor", refused);
        }
        Set<String> missing = new HashSet<>(written);
        missing.removeAll(afterKill);
        assertEquals(Set.of(), missing, "keys a scan missed with a node killed mid-scan");
    }

    /** DBSIZE is an estimate from gossiped record counts: within a factor of two once every node announced. */
    private void awaitDbsizeNear(long keys) throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        long estimate;
        do {
            try (Jedis client = new Jedis("127.0.0.1", cluster.clientPorts[1])) {
                estimate = client.dbSize();
            }
            if (estimate >= keys / 2 && estimate <= keys * 2) {
                return;
            }
            Thread.sleep(200);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("DBSIZE stayed at " + estimate + ", far from " + keys);
    }

    /**
     * Writes every key at consistency ALL, so that each of its replicas holds it (R=1 scans read one). A write may
     * time out while the new ring's views settle: it is idempotent and written again, within a deadline.
     */
    private Set<String> write() throws InterruptedException {
        Set<String> keys = new HashSet<>();
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(120);
        try (Jedis client = new Jedis("127.0.0.1", cluster.clientPorts[0])) {
            client.sendCommand(CONSISTENCY, "ALL");
            for (int k = 0; k < KEYS; k++) {
                String key = "scan:" + k;
                while (true) {
                    try {
                        assertEquals("OK", client.set(key, "value-" + k));
                        break;
                    } catch (JedisDataException e) {
                        assertTrue(System.nanoTime() < deadline, "writes kept failing: " + e.getMessage());
                        Thread.sleep(100);
                    }
                }
                keys.add(key);
            }
        }
        return keys;
    }
}
