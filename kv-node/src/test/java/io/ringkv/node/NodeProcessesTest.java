package io.ringkv.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Real node processes on 127.0.0.1 exchanging Ping and Pong over Aeron UDP. */
class NodeProcessesTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** A JVM stopped by SIGTERM exits with 128 + 15 once its shutdown hooks ran. */
    private static final int SIGTERM_EXIT = 143;

    @TempDir
    Path workDirectory;

    @Test
    @Timeout(180)
    void twoNodesPingEachOtherAndAKilledPeerIsReachedAgainAfterRestart() throws Exception {
        int portA = NodeProcess.freeUdpPort();
        int portB = NodeProcess.freeUdpPort();
        String[] nodeB = {"node", "--id", "b", "--listen", "127.0.0.1:" + portB, "--peers", "a=127.0.0.1:" + portA,
            "--probe-interval-ms", "100", "--probe-misses", "5", "--client-port", "0"};
        try (NodeProcess a = NodeProcess.start(workDirectory, "node", "--id", "a", "--listen", "127.0.0.1:" + portA,
                "--peers", "b=127.0.0.1:" + portB, "--probe-interval-ms", "100", "--probe-misses", "5",
                "--client-port", "0");
             NodeProcess b = NodeProcess.start(workDirectory, nodeB)) {
            a.await("peer b reachable", WAIT);
            b.await("peer a reachable", WAIT);

            b.kill();
            a.await("peer b unreachable", WAIT);

            try (NodeProcess restarted = NodeProcess.start(workDirectory, nodeB)) {
                a.await("peer b reachable", WAIT);
                restarted.await("peer a reachable", WAIT);
                assertEquals(SIGTERM_EXIT, restarted.stop(), "SIGTERM stops a node");
                restarted.await("stopped", WAIT);
            }
            assertEquals(SIGTERM_EXIT, a.stop());
        }
    }

    @Test
    @Timeout(60)
    void aBadOptionIsAUsageErrorAndStartsNothing() throws Exception {
        try (NodeProcess node = NodeProcess.start(workDirectory, "node", "--listen", "127.0.0.1:notaport")) {
            node.await("expected host:port with a numeric port, was '127.0.0.1:notaport'", WAIT);
            assertEquals(1, node.exitCode(WAIT), "a configuration error exits with status 1");
        }
    }
}
