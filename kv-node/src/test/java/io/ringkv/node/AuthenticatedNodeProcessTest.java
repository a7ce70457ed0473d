package io.ringkv.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * A real node with a users file made by {@code ringkv user add} (the password on its standard input): Jedis and
 * Lettuce log in as their users do, an unauthenticated client is refused, a read user cannot write, the HTTP API
 * takes the same users by basic auth; and protected mode refuses a node on every interface without users.
 */
@Timeout(180)
class AuthenticatedNodeProcessTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    static Path workDirectory;
    private static NodeProcess node;
    private static int port;
    private static int httpPort;

    @BeforeAll
    static void startNode() throws Exception {
        addUser("app", "readwrite", "app-secret");
        addUser("viewer", "read", "viewer-secret");
        addUser("ops", "admin", "ops-secret");
        node = NodeProcess.start(workDirectory, "node", "--id", "secured", "--listen",
            "127.0.0.1:" + NodeProcess.freeUdpPort(), "--client-port", "0", "--http-port", "0", "--data-dir",
            "secured", "--users-file", "users");
        port = port(node.await("clients on", WAIT), "clients on [^ ]+:(\\d+)");
        httpPort = port(node.await("HTTP on", WAIT), "HTTP on [^ ]+:(\\d+)");
        NodeProcess.awaitServing(port, WAIT, "viewer", "viewer-secret");
    }

    /** Adds a user as an operator does, with fewer iterations than the default so the test's logins are quick. */
    private static void addUser(String name, String permission, String password) throws Exception {
        try (NodeProcess add = NodeProcess.startWithInput(workDirectory, password + "\n", "user", "add", name,
            "--permission", permission, "--users-file", "users", "--iterations", "1000")) {
            assertEquals(0, add.exitCode(WAIT), add.output());
            assertTrue(add.output().contains("added user " + name), add.output());
        }
    }

    private static int port(String line, String pattern) {
        Matcher matcher = Pattern.compile(pattern).matcher(line);
        assertTrue(matcher.find(), line);
        return Integer.parseInt(matcher.group(1));
    }

    @AfterAll
    static void stopNode() throws Exception {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void theUsersFileHoldsHashesReadableByItsOwnerOnly() throws Exception {
        Path users = workDirectory.resolve("users");
        String text = Files.readString(users);
        assertFalse(text.contains("app-secret"), "no password in the file");
        assertTrue(text.contains("app readwrite pbkdf2-sha256$1000$"), text);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(users)));
    }

    @Test
    void jedisLogsInWithAuthAndAnUnauthenticatedJedisIsRefused() {
        try (Jedis anonymous = new Jedis("127.0.0.1", port)) {
            JedisDataException refused = assertThrows(JedisDataException.class, () -> anonymous.set("k", "v"));
            assertTrue(refused.getMessage().startsWith("NOAUTH"), refused.getMessage());
            JedisDataException wrong = assertThrows(JedisDataException.class, () -> anonymous.auth("app", "guess"));
            assertTrue(wrong.getMessage().startsWith("WRONGPASS"), wrong.getMessage());
        }
        try (Jedis jedis = new Jedis("127.0.0.1", port)) {
            assertEquals("OK", jedis.auth("app", "app-secret"));
            assertEquals("OK", jedis.set("k", "v"));
            assertEquals("v", jedis.get("k"));
            JedisDataException admin = assertThrows(JedisDataException.class, () -> jedis.sendCommand(
                () -> "REPAIR".getBytes(StandardCharsets.UTF_8)));
            assertTrue(admin.getMessage().startsWith("NOPERM User app"), admin.getMessage());
            assertTrue(jedis.info("stats").contains("acl_access_denied_auth:"), "failed logins are counted");
        }
        try (Jedis viewer = new Jedis("127.0.0.1", port)) {
            viewer.auth("viewer", "viewer-secret");
            assertEquals("v", viewer.get("k"));
            JedisDataException refused = assertThrows(JedisDataException.class, () -> viewer.set("k", "x"));
            assertTrue(refused.getMessage().startsWith("NOPERM User viewer has no permissions to run the 'set'"),
                refused.getMessage());
            assertEquals("v", viewer.get("k"));
        }
    }

    @Test
    void lettuceLogsInThroughItsHelloHandshake() {
        RedisURI uri = RedisURI.builder().withHost("127.0.0.1").withPort(port).withAuthentication("app",
            "app-secret".toCharArray()).build();
        RedisClient client = RedisClient.create(uri);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            assertEquals("OK", connection.sync().set("lettuce", "yes"));
            assertEquals("yes", connection.sync().get("lettuce"));
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(5));
        }
    }

    @Test
    void theHttpApiTakesTheSameUsersByBasicAuth() throws Exception {
        HttpURLConnection anonymous = request("PUT", "/kv/over-http", null, "x");
        assertEquals(401, anonymous.getResponseCode());
        assertTrue(anonymous.getHeaderField("WWW-Authenticate").startsWith("Basic"));
        assertEquals(204, request("PUT", "/kv/over-http", basic("app", "app-secret"), "x").getResponseCode());
        assertEquals(403, request("DELETE", "/kv/over-http", basic("viewer", "viewer-secret"), null)
            .getResponseCode());
        HttpURLConnection read = request("GET", "/kv/over-http", basic("viewer", "viewer-secret"), null);
        assertEquals(200, read.getResponseCode());
        try (InputStream body = read.getInputStream()) {
            assertEquals("x", new String(body.readAllBytes(), StandardCharsets.UTF_8));
        }
        assertEquals(200, request("GET", "/health/live", null, null).getResponseCode(), "health stays open");
    }

    private static HttpURLConnection request(String method, String path, String authorization, String body)
        throws IOException {
        HttpURLConnection connection = (HttpURLConnection) URI.create("http://127.0.0.1:" + httpPort + path).toURL()
            .openConnection();
        connection.setRequestMethod(method);
        connection.setConnectTimeout(10_000);
        connection.setReadTimeout(10_000);
        if (authorization != null) {
            connection.setRequestProperty("Authorization", authorization);
        }
        if (body != null) {
            connection.setDoOutput(true);
            try (OutputStream out = connection.getOutputStream()) {
                out.write(body.getBytes(StandardCharsets.UTF_8));
            }
        }
        return connection;
    }

    @Test
    void aNodeOnEveryInterfaceWithoutUsersRefusesToStartNamingTheOption() throws Exception {
        try (NodeProcess open = NodeProcess.start(workDirectory, "node", "--id", "open", "--listen",
            "0.0.0.0:" + NodeProcess.freeUdpPort(), "--client-port", "0", "--data-dir", "open")) {
            assertEquals(1, open.exitCode(WAIT), open.output());
            assertTrue(open.output().contains("not a loopback address") && open.output().contains("--users-file")
                && open.output().contains("--allow-unauthenticated"), open.output());
            assertFalse(Files.exists(workDirectory.resolve("open")), "refused before it touched its data directory");
        }
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
