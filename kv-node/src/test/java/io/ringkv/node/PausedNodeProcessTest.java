package io.ringkv.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * A node frozen with SIGSTOP (as a long GC pause, a stalled VM or a frozen container would freeze it) serves again
 * after SIGCONT, and a node frozen for longer than its transport's timeout exits with a clear message instead of
 * living on and failing every request.
 */
class PausedNodeProcessTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Duration PAUSE = Duration.ofSeconds(15);
    /** How soon after SIGCONT the paused node must serve reads and writes again. */
    private static final Duration RECOVERY = Duration.ofSeconds(20);
    private static final int READ_BATCH = 20;
    /** A read that times out (three JVMs on two shared cores, read repair filling in the paused node) is retried. */
    private static final int READ_ATTEMPTS = 5;

    @TempDir
    Path workDirectory;

    private final List<NodeProcess> processes = new ArrayList<>();
    private final int[] peerPorts = {NodeProcess.freeUdpPort(), NodeProcess.freeUdpPort(), NodeProcess.freeUdpPort()};
    private final int[] clientPorts = NodeProcess.distinctTcpPorts(3);

    @AfterEach
    void stopAll() throws Exception {
        for (NodeProcess process : processes) {
            process.resume();
            process.close();
            System.out.println("---- node output ----\n" + process.output());
        }
    }

    /** Gossip every 200 ms: SUSPECT after 3 s, DOWN after 6 s, so a 15 s pause is judged DOWN by the others. */
    private NodeProcess startNode(int i, String... extra) {
        List<String> args = new ArrayList<>(List.of("node", "--id", "n" + i,
            "--listen", "127.0.0.1:" + peerPorts[i], "--seeds", "127.0.0.1:" + peerPorts[0] + ",127.0.0.1:" + peerPorts[1],
            "--client-port", Integer.toString(clientPorts[i]), "--gossip-interval-ms", "200", "--timeout-ms", "3000",
            "--data-dir", workDirectory.resolve("n" + i).toString()));
        args.addAll(List.of(extra));
        NodeProcess process = NodeProcess.start(workDirectory, args.toArray(String[]::new));
        processes.add(process);
        return process;
    }

    @Test
    @Timeout(150)
    void aNodePausedThirtySecondsUnderLoadServesAgainAndNoAcknowledgedWriteIsLost() throws Exception {
        NodeProcess n0 = startNode(0);
        startNode(1);
        NodeProcess n2 = startNode(2);
        for (int port : clientPorts) {
            ClusterProcessesTest.awaitRing(port, 3);
        }

        Writer writer = new Writer(clientPorts[0]);
        Thread writing = Thread.ofPlatform().name("writer").start(writer);
        writer.awaitAcknowledged(100);
        long paused = System.nanoTime();
        long acknowledgedBeforePause = writer.acknowledged.size();
        n2.pause();
        n0.await("node n2 is DOWN", WAIT);
        Thread.sleep(Math.max(0, PAUSE.toMillis() - (System.nanoTime() - paused) / 1_000_000));
        long acknowledgedDuringPause = writer.acknowledged.size() - acknowledgedBeforePause;
        n2.resume();
        long resumed = System.nanoTime();

        awaitServing(clientPorts[2], RECOVERY);
        long recoveredMillis = (System.nanoTime() - resumed) / 1_000_000;
        n0.await("node n2 is ALIVE", RECOVERY);
        writer.awaitAcknowledged(writer.acknowledged.size() + 100);
        writer.stop();
        writing.join(WAIT.toMillis());
        System.out.println("paused node served again " + recoveredMillis + " ms after SIGCONT; "
            + writer.acknowledged.size() + " writes acknowledged, " + writer.failures.get() + " failed");
        assertTrue(acknowledgedDuringPause > 200, "writes went on while n2 was paused: " + acknowledgedDuringPause);
        assertFalse(n2.output().contains("Aeron client is closed"), "the paused node's transport survived");

        List<String> keys = List.copyOf(writer.acknowledged);
        for (int port : clientPorts) {
            assertEveryKeyReadsBack(port, keys);
        }
    }

    @Test
    @Timeout(90)
    void aNodePausedLongerThanItsTransportTimeoutExitsWithAClearMessage() throws Exception {
        NodeProcess node = NodeProcess.start(workDirectory, "node", "--id", "solo",
            "--listen", "127.0.0.1:" + peerPorts[0], "--client-port", Integer.toString(clientPorts[0]),
            "--data-dir", workDirectory.resolve("solo").toString(), "--transport-timeout-ms", "2000");
        processes.add(node);
        node.await("clients on", WAIT);
        awaitServing(clientPorts[0], WAIT);
        try (Jedis client = new Jedis("127.0.0.1", clientPorts[0])) {
            String info = client.info("server");
            assertTrue(info.contains("node_serving:1\r\n") && info.contains("transport_timeout_ms:2000\r\n"), info);
        }

        node.pause();
        Thread.sleep(6_000);
        node.resume();

        int exit = node.exitCode(WAIT);
        assertEquals(3, exit, "a node whose transport failed exits with status 3:\n" + node.output());
        String output = node.output();
        assertTrue(output.contains("solo: transport failed"), output);
        assertTrue(output.contains("exiting with status 3 so that a supervisor restarts it"), output);
    }

    /** Waits until a SET and a GET through the node at {@code port} both succeed. */
    private static void awaitServing(int port, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            try (Jedis client = new Jedis("127.0.0.1", port, 2_000)) {
                assertEquals("PONG", client.ping());
                if ("OK".equals(client.set("probe", "after-pause")) && "after-pause".equals(client.get("probe"))) {
                    return;
                }
            } catch (JedisException e) {
                last = e.toString();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the node on port " + port + " did not serve SET and GET within " + within
            + "; last error: " + last);
    }

    private static void assertEveryKeyReadsBack(int port, List<String> keys) throws InterruptedException {
        try (Jedis client = new Jedis("127.0.0.1", port, 10_000)) {
            for (int from = 0; from < keys.size(); from += READ_BATCH) {
                List<String> batch = keys.subList(from, Math.min(keys.size(), from + READ_BATCH));
                List<String> values = readAtQuorum(client, batch);
                for (int i = 0; i < batch.size(); i++) {
                    assertEquals(value(batch.get(i)), values.get(i), batch.get(i) + " read at QUORUM on port " + port);
                }
            }
        }
    }

    /** A TIMEOUT says nothing about what the replicas hold, so it is asked again; any other error fails the test. */
    private static List<String> readAtQuorum(Jedis client, List<String> keys) throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                return client.mget(keys.toArray(String[]::new));
            } catch (JedisDataException e) {
                if (attempt == READ_ATTEMPTS || !e.getMessage().startsWith("TIMEOUT")) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
    }

    private static String value(String key) {
        return "value-of-" + key;
    }

    /** Writes distinct keys through one node at QUORUM, about 200 a second, and records every acknowledged one. */
    private static final class Writer implements Runnable {
        final Queue<String> acknowledged = new ConcurrentLinkedQueue<>();
        final AtomicLong failures = new AtomicLong();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final int port;

        Writer(int port) {
            this.port = port;
        }

        @Override
        public void run() {
            long next = 0;
            while (running.get()) {
                try (Jedis client = new Jedis("127.0.0.1", port, 5_000)) {
                    while (running.get()) {
                        String key = "w" + next++;
                        if ("OK".equals(client.set(key, value(key)))) {
                            acknowledged.add(key);
                        }
                        Thread.sleep(5);
                    }
                } catch (JedisException e) {
                    failures.incrementAndGet();
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        void awaitAcknowledged(long count) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (acknowledged.size() < count) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("only " + acknowledged.size() + " writes acknowledged, " + failures.get()
                        + " failed");
                }
                Thread.sleep(20);
            }
        }

        void stop() {
            running.set(false);
        }
    }
}
