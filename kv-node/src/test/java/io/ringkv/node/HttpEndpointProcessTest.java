package io.ringkv.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/** A real node process's HTTP endpoint: readiness, and /metrics as Prometheus (and its linter) read it. */
class HttpEndpointProcessTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path workDirectory;

    @Test
    @Timeout(120)
    void aNodeIsReadyOnceInTheRingAndItsMetricsCountWhatItServed() throws Exception {
        int peerPort = NodeProcess.freeUdpPort();
        try (NodeProcess node = NodeProcess.start(workDirectory, "node", "--id", "h", "--listen",
                "127.0.0.1:" + peerPort, "--client-port", "0", "--http-port", "0", "--data-dir", "h")) {
            int clientPort = port(node.await("clients on", WAIT), "clients on [^ ]+:(\\d+)");
            int httpPort = port(node.await("HTTP on", WAIT), "HTTP on [^ ]+:(\\d+)");
            String health = awaitStatus(httpPort, "/health/ready", 200);
            assertEquals("{\"status\":\"UP\",\"node\":\"h\",\"state\":\"NORMAL\"}\n", health);
            assertTrue(get(httpPort, "/health/live").body().contains("\"status\":\"UP\""));

            try (Jedis jedis = new Jedis("127.0.0.1", clientPort)) {
                jedis.set("k", "v");
                assertEquals("v", jedis.get("k"));
                assertEquals("v", jedis.get("k"));
            }
            Response metrics = get(httpPort, "/metrics");
            assertEquals(200, metrics.status());
            String text = metrics.body();
            String set = "ringkv_request_duration_seconds_count{command=\"set\",consistency=\"N=1,R=1,W=1\"} 1\n";
            String get = "ringkv_request_duration_seconds_count{command=\"get\",consistency=\"N=1,R=1,W=1\"} 2\n";
            assertTrue(text.contains(set) && text.contains(get), text);
            assertTrue(Pattern.compile("\nringkv_commands_processed_total [1-9]").matcher(text).find(), text);
            assertTrue(text.contains("\nringkv_replication_writes_acknowledged_total "), "replication counters");
            assertTrue(text.contains("\nringkv_gossip_"), "gossip counters");
            assertTrue(text.contains("\njvm_threads_current "), "JVM metrics");
            promtoolAccepts(text);
        }
    }

    private void promtoolAccepts(String text) throws Exception {
        boolean installed = Files.isExecutable(Path.of("/usr/bin/promtool"));
        assumeTrue(installed || System.getenv("CI") != null, "promtool is not installed (apt-get install prometheus)");
        Path file = workDirectory.resolve("metrics.txt");
        Files.writeString(file, text);
        Process promtool = new ProcessBuilder("promtool", "check", "metrics").redirectInput(file.toFile())
            .redirectErrorStream(true).start();
        String report = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(promtool.waitFor(60, TimeUnit.SECONDS), "promtool finished");
        assertEquals(0, promtool.exitValue(), "promtool check metrics on a real node's /metrics: " + report);
    }

    private static String awaitStatus(int port, String path, int status) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        Response last = null;
        while (System.nanoTime() < deadline) {
            last = get(port, path);
            if (last.status() == status) {
                return last.body();
            }
            Thread.sleep(100);
        }
        throw new AssertionError(path + " did not answer " + status + " in " + WAIT + "; last: " + last);
    }

    private static int port(String line, String regex) {
        Matcher matcher = Pattern.compile(regex).matcher(line);
        assertTrue(matcher.find(), line);
        return Integer.parseInt(matcher.group(1));
    }

    static Response get(int port, String path) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + path).toURL()
            .openConnection();
        connection.setConnectTimeout(5_000);
        connection.setReadTimeout(10_000);
        int status = connection.getResponseCode();
        InputStream in = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
        String body = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        connection.disconnect();
        return new Response(status, body);
    }

    record Response(int status, String body) {
    }
}
