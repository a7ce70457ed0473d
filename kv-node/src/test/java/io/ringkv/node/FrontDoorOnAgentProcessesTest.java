package io.ringkv.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

/**
 * Two real node processes on 127.0.0.1 whose Redis-protocol ports run on their agent threads
 * ({@code --front-door-thread agent}): the agent's selector serves client sockets beside its peer sockets, writes
 * replicate between the nodes, pipelines stay in order, and a node stops cleanly.
 */
class FrontDoorOnAgentProcessesTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** A JVM stopped by SIGTERM exits with 128 + 15 once its shutdown hooks ran. */
    private static final int SIGTERM_EXIT = 143;

    @TempDir
    Path workDirectory;

    @Test
    @Timeout(180)
    void clientsServedOnTheAgentThreadReadTheirWritesThroughEitherNodeAndPipelinesStayInOrder() throws Exception {
        int portA = NodeProcess.freeUdpPort();
        int portB = NodeProcess.freeUdpPort();
        String seeds = "127.0.0.1:" + portA + ",127.0.0.1:" + portB;
        try (NodeProcess a = start("a", portA, seeds); NodeProcess b = start("b", portB, seeds)) {
            int clientA = NodeProcessesTest.clientPort(a.await("clients on", WAIT));
            int clientB = NodeProcessesTest.clientPort(b.await("clients on", WAIT));
            assertFalse(a.output().contains("has a thread of its own"), a.output());
            ClusterProcessesTest.awaitRing(clientA, 2);
            ClusterProcessesTest.awaitRing(clientB, 2);
            try (Jedis viaA = new Jedis("127.0.0.1", clientA); Jedis viaB = new Jedis("127.0.0.1", clientB)) {
                // W=2 and R=2: every write and read crosses to the other node while the clients wait on the agent
                for (int i = 0; i < 50; i++) {
                    assertEquals("OK", viaA.set("k" + i, "v" + i));
                    assertEquals("v" + i, viaB.get("k" + i));
                }
                Pipeline pipeline = viaB.pipelined();
                List<Response<String>> replies = new ArrayList<>();
                for (int i = 0; i < 500; i++) {
                    pipeline.set("p" + i, "first" + i);
                    pipeline.set("p" + i, "second" + i);
                    replies.add(pipeline.get("p" + i));
                }
                pipeline.sync();
                for (int i = 0; i < 500; i++) {
                    assertEquals("second" + i, replies.get(i).get(), "reply " + i + " of the pipeline");
                }
                assertEquals("second499", viaA.get("p499"));
                String stats = viaA.info("stats");
                // a's 50 SETs and its GET
                assertTrue(ClusterProcessesTest.counter(stats, "total_commands_processed") >= 51, stats);
                assertEquals(0, ClusterProcessesTest.counter(stats, "total_service_failures"), stats);
            }
            assertEquals(SIGTERM_EXIT, b.stop(), "SIGTERM stops a node whose agent serves its clients");
            b.await("stopped", WAIT);
            assertEquals(SIGTERM_EXIT, a.stop());
        }
    }

    @Test
    @Timeout(120)
    void withTlsOrABlindIdleStrategyThePortKeepsAThreadOfItsOwnAndTheNodeSaysWhy() throws Exception {
        int port = NodeProcess.freeUdpPort();
        try (NodeProcess node = NodeProcess.start(workDirectory, "node", "--id", "s", "--listen", "127.0.0.1:" + port,
                "--client-port", "0", "--data-dir", "s", "--front-door-thread", "agent", "--idle", "backoff")) {
            // said as the port starts serving, before the line that names the ports
            node.await("the Redis-protocol port has a thread of its own: the agent parks blind under the backoff"
                + " idle strategy", WAIT);
            int client = NodeProcessesTest.clientPort(node.await("clients on", WAIT));
            try (Jedis jedis = new Jedis("127.0.0.1", client)) {
                assertEquals("OK", jedis.set("k", "v"));
                assertEquals("v", jedis.get("k"));
            }
            assertEquals(SIGTERM_EXIT, node.stop());
        }
    }

    private NodeProcess start(String id, int port, String seeds) throws Exception {
        return NodeProcess.start(workDirectory, "node", "--id", id, "--listen", "127.0.0.1:" + port, "--seeds", seeds,
            "--n", "2", "--r", "2", "--w", "2", "--gossip-interval-ms", "100", "--client-port", "0", "--data-dir", id,
            "--front-door-thread", "agent");
    }
}
