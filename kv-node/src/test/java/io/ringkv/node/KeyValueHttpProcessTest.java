package io.ringkv.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.commands.ProtocolCommand;

/**
 * The key-value API over HTTP on a real node process, as curl uses it, and the same data through RESP: one service,
 * two front doors.
 */
class KeyValueHttpProcessTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String CONTEXT = "X-Ringkv-Context";
    private static final ProtocolCommand GETV = () -> "GETV".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path workDirectory;

    @Test
    @Timeout(120)
    void valuesWrittenOverHttpAreReadOverRespAndBack() throws Exception {
        try (NodeProcess node = NodeProcess.start(workDirectory, "node", "--id", "h", "--listen",
                "127.0.0.1:" + NodeProcess.freeUdpPort(), "--client-port", "0", "--http-port", "0", "--data-dir", "h")) {
            int clientPort = port(node.await("clients on", WAIT), "clients on [^ ]+:(\\d+)");
            int httpPort = port(node.await("HTTP on", WAIT), "HTTP on [^ ]+:(\\d+)");
            awaitReady(httpPort);

            assertEquals(204, request(httpPort, "PUT", "/kv/greeting", "hello http", null).status());
            Response read = request(httpPort, "GET", "/kv/greeting?consistency=all", null, null);
            assertEquals(200, read.status());
            assertEquals("hello http", read.body());
            try (Jedis jedis = new Jedis("127.0.0.1", clientPort)) {
                assertEquals("hello http", jedis.get("greeting"), "written over HTTP, read over RESP");
                List<?> getv = (List<?>) jedis.sendCommand(GETV, "greeting");
                assertEquals(new String((byte[]) getv.getFirst(), StandardCharsets.US_ASCII), read.context(),
                    "the header carries the context GETV gives");
                jedis.set("from-resp", "set over RESP");
                assertEquals("set over RESP", request(httpPort, "GET", "/kv/from-resp", null, null).body());

                assertEquals(204, request(httpPort, "DELETE", "/kv/greeting", null, null).status());
                assertEquals(404, request(httpPort, "GET", "/kv/greeting", null, null).status());
                assertNull(jedis.get("greeting"), "deleted over HTTP, gone over RESP");
            }

            // two writers that both found the key absent keep both values; a PUT with their context replaces them
            assertEquals(204, request(httpPort, "PUT", "/kv/cart", "apple", "").status());
            assertEquals(204, request(httpPort, "PUT", "/kv/cart", "pear", "").status());
            Response siblings = request(httpPort, "GET", "/kv/cart", null, null);
            assertEquals(300, siblings.status(), siblings.body());
            assertTrue(siblings.body().contains(base64("apple")) && siblings.body().contains(base64("pear")),
                siblings.body());
            assertEquals(204, request(httpPort, "PUT", "/kv/cart", "apple+pear", siblings.context()).status());
            assertEquals("apple+pear", request(httpPort, "GET", "/kv/cart", null, null).body());

            assertEquals(400, request(httpPort, "GET", "/kv/cart?r=9", null, null).status(), "R over N");
            String metrics = request(httpPort, "GET", "/metrics", null, null).body();
            assertTrue(Pattern.compile("ringkv_request_duration_seconds_count\\{command=\"http_put\",[^}]*} 4\n")
                .matcher(metrics).find(), metrics);
            Response openApi = request(httpPort, "GET", "/openapi.json", null, null);
            assertEquals(200, openApi.status());
            assertTrue(openApi.body().contains("\"/kv/{key}\""), openApi.body());
        }
    }

    private static void awaitReady(int httpPort) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        Response last = null;
        while (System.nanoTime() < deadline) {
            last = request(httpPort, "GET", "/health/ready", null, null);
            if (last.status() == 200) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the node was not ready in " + WAIT + "; last: " + last);
    }

    /** One request as curl makes it: a body with its length, the context header when given (empty is sent too). */
    private static Response request(int port, String method, String path, String body, String context)
            throws IOException {
        HttpURLConnection connection = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + path).toURL()
            .openConnection();
        connection.setConnectTimeout(5_000);
        connection.setReadTimeout(20_000);
        connection.setRequestMethod(method);
        if (context != null) {
            connection.setRequestProperty(CONTEXT, context);
        }
        if (body != null) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            connection.setDoOutput(true);
            connection.setFixedLengthStreamingMode(bytes.length);
            connection.setRequestProperty("Content-Type", "application/octet-stream");
            try (OutputStream out = connection.getOutputStream()) {
                out.write(bytes);
            }
        }
        int status = connection.getResponseCode();
        InputStream in = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
        String text = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        Response response = new Response(status, text, connection.getHeaderField(CONTEXT),
            connection.getHeaderFields());
        connection.disconnect();
        return response;
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static int port(String line, String regex) {
        Matcher matcher = Pattern.compile(regex).matcher(line);
        assertTrue(matcher.find(), line);
        return Integer.parseInt(matcher.group(1));
    }

    record Response(int status, String body, String context, Map<String, List<String>> headers) {
    }
}
