package io.ringkv.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.commands.ProtocolCommand;

/**
 * Three healthy nodes under a write load through one of them: afterwards every node holds every acknowledged
 * key (N=3 on three nodes), though W=2 acknowledged each write before the third replica had it. Each key is
 * checked on exactly one node at consistency ONE, which that node answers from its own replica before any read
 * repair of the key could run.
 */
class ReplicasInStepProcessesTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ProtocolCommand CONSISTENCY = () -> "CONSISTENCY".getBytes(StandardCharsets.US_ASCII);
    private static final int WRITERS = 16;
    private static final long LOAD_NANOS = TimeUnit.SECONDS.toNanos(8);
    private static final int MAX_KEYS_PER_WRITER = 2_000;

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
    void everyReplicaHoldsEveryAcknowledgedWriteAfterALoad() throws Exception {
        nodes = new ThreeNodeProcesses(workDirectory);
        int[] clientPorts = nodes.clientPorts;
        for (int i = 0; i < 3; i++) {
            nodes.start(i);
        }
        for (int port : clientPorts) {
            ClusterProcessesTest.awaitRing(port, 3);
        }
        List<String> acknowledged = load(clientPorts[0]);
        assertTrue(acknowledged.size() > 100, "the load acknowledged only " + acknowledged.size() + " writes");
        String info = awaitCatchUpsDone(clientPorts[0], acknowledged.size());
        assertTrue(counter(info, "transport_sent") > 0, info);
        assertEquals(0, counter(info, "transport_dropped_malformed"), info);

        List<String> missing = new ArrayList<>();
        for (int node = 0; node < 3; node++) {
            try (Jedis client = new Jedis("127.0.0.1", clientPorts[node])) {
                client.sendCommand(CONSISTENCY, "ONE");
                for (int k = node; k < acknowledged.size(); k += 3) {
                    String key = acknowledged.get(k);
                    if (client.get(key) == null) {
                        missing.add(key + "@n" + node);
                    }
                }
            }
        }
        assertEquals(List.of(), missing.subList(0, Math.min(20, missing.size())), missing.size() + " of "
            + acknowledged.size() + " acknowledged keys missing from a replica (first 20 shown)");
    }

    /**
     * Waits until the coordinator's counters (published once a second) count every acknowledged write and no
     * acknowledged write is still being sent to a lagging replica.
     */
    private static String awaitCatchUpsDone(int port, int acknowledged) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        String info = "";
        try (Jedis client = new Jedis("127.0.0.1", port)) {
            while (System.nanoTime() < deadline) {
                info = client.info();
                if (counter(info, "replication_writes_acknowledged") >= acknowledged
                    && counter(info, "replication_catch_ups_in_flight") == 0) {
                    return info;
                }
                Thread.sleep(200);
            }
        }
        throw new AssertionError("acknowledged writes still catching up replicas after " + WAIT + ":\n" + info);
    }

    /** Writes distinct 1 KiB values from {@link #WRITERS} connections for a few seconds; returns the acknowledged keys. */
    private static List<String> load(int port) throws Exception {
        List<String> acknowledged = Collections.synchronizedList(new ArrayList<>());
        String value = "v".repeat(1024);
        long end = System.nanoTime() + LOAD_NANOS;
        ExecutorService writers = Executors.newFixedThreadPool(WRITERS);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                int writer = w;
                done.add(writers.submit(() -> {
                    try (Jedis client = new Jedis("127.0.0.1", port)) {
                        for (int k = 0; k < MAX_KEYS_PER_WRITER && System.nanoTime() < end; k++) {
                            String key = "w" + writer + ":" + k;
                            if ("OK".equals(client.set(key, value))) {
                                acknowledged.add(key);
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> writer : done) {
                writer.get(2, TimeUnit.MINUTES);
            }
        } finally {
            writers.shutdownNow();
        }
        return acknowledged;
    }

    private static long counter(String info, String name) {
        return ClusterProcessesTest.counter(info, name);
    }
}
