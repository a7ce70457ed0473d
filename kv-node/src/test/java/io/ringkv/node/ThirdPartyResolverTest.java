package io.ringkv.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * A conflict resolver from a separate jar (test-plugins/kv-resolver-fixture) is found by name once the jar is on
 * a node's module path, with no change to ringkv; without the jar the node refuses to start and lists the
 * resolvers it has.
 */
class ThirdPartyResolverTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String FIXTURE = "kv-resolver-fixture";

    @TempDir
    Path workDirectory;

    private String[] node(int clientPort) {
        return new String[] {"node", "--id", "solo", "--listen", "127.0.0.1:" + NodeProcess.freeUdpPort(),
            "--client-port", Integer.toString(clientPort), "--resolver", "largest-value",
            "--data-dir", workDirectory.resolve("solo").toString()};
    }

    @Test
    @Timeout(120)
    void aResolverJarOnTheModulePathIsChosenByName() throws Exception {
        String modulePath = System.getProperty("jdk.module.path");
        assertTrue(modulePath.contains(FIXTURE), "the fixture jar must be on the test's module path: " + modulePath);
        int clientPort = NodeProcess.freeTcpPort();
        try (NodeProcess process = NodeProcess.startWithModulePath(workDirectory, modulePath, node(clientPort))) {
            process.await("clients on", WAIT);
            NodeProcess.awaitServing(clientPort, WAIT);
            try (Jedis client = new Jedis("127.0.0.1", clientPort)) {
                assertEquals("OK", client.set("k", "b"));
                assertEquals("OK", client.set("k", "a"));
                assertEquals("b", client.get("k"),
                    "largest-value keeps the greater value where vector clocks would keep the later write");
                assertTrue(client.info("replication").contains("resolver:largest-value"));
            }
        }
    }

    @Test
    @Timeout(120)
    void withoutTheJarTheNodeRefusesToStartAndListsTheResolversItHas() throws Exception {
        String withoutFixture = Arrays.stream(System.getProperty("jdk.module.path").split(File.pathSeparator))
            .filter(entry -> !entry.contains(FIXTURE))
            .collect(Collectors.joining(File.pathSeparator));
        try (NodeProcess process = NodeProcess.startWithModulePath(workDirectory, withoutFixture,
                node(NodeProcess.freeTcpPort()))) {
            String line = process.await("largest-value", WAIT);
            assertTrue(line.contains("lww") && line.contains("vector-clock"), line);
            assertEquals(1, process.exitCode(WAIT));
        }
    }

}
