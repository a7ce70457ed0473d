package io.ringkv.node.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.Consistency;
import io.ringkv.api.CounterRegistry;
import io.ringkv.api.CounterSet;
import io.ringkv.api.Key;
import io.ringkv.api.Limits;
import io.ringkv.api.Value;
import io.ringkv.node.auth.Authenticator;
import io.ringkv.node.auth.PasswordHash;
import io.ringkv.node.auth.Permission;
import io.ringkv.node.auth.User;
import io.ringkv.node.auth.Users;
import io.ringkv.node.metrics.NodeMetrics;
import io.ringkv.node.service.CausalContext;
import io.ringkv.node.service.MapKeyValueService;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The HTTP endpoint behind basic auth: the node's users and permissions, 401 and 403, and the open paths. */
class BasicAuthTest {
    private final CounterRegistry registry = new CounterRegistry();
    private final CounterSet<HttpCounter> counters = registry.register(HttpCounter.class);
    private final NodeMetrics metrics = new NodeMetrics(new CounterRegistry());
    private final MapKeyValueService map = new MapKeyValueService(null);
    private Authenticator authenticator;
    private HttpFrontDoor frontDoor;
    private NodeHttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (frontDoor != null) {
            frontDoor.close();
        }
        if (authenticator != null) {
            authenticator.close();
        }
    }

    private static User user(String name, Permission permission, String password) {
        return new User(name, permission, PasswordHash.create(password.toCharArray(), PasswordHash.MIN_ITERATIONS,
            new SecureRandom()));
    }

    private void serve(Authenticator chosen) {
        serve(chosen, new BasicAuth(chosen));
    }

    private void serve(Authenticator chosen, BasicAuth auth) {
        authenticator = chosen;
        frontDoor = HttpFrontDoor.start("test-http-kv", map, 64, counters);
        NodeHttpServer.Routes routes = new KeyValueEndpoint(frontDoor, Limits.DEFAULT, Consistency.DEFAULT,
            metrics.requests(), counters.get(HttpCounter.UNANSWERED), Duration.ofSeconds(30))
            .addTo(new NodeHttpServer.Routes());
        routes.add("/metrics", exchange -> NodeHttpServer.send(exchange, 200, "text/plain", bytes("counters")));
        routes.add("/health/live", exchange -> NodeHttpServer.send(exchange, 200, "text/plain", bytes("ok")));
        server = NodeHttpServer.start("127.0.0.1", 0, "test", routes.guardEach(auth::guard));
    }

    private void serveWithUsers() {
        serve(Authenticator.of(new Users(List.of(user("reader", Permission.READ, "r-pass"),
            user("writer", Permission.READWRITE, "w-pass"))), registry, Duration.ofMillis(100)));
    }

    private RawHttp.Response send(String method, String target, byte[] body, String... headers) throws IOException {
        return RawHttp.send(server.port(), method, target, body, headers);
    }

    private static String basic(String user, String password) {
        return "Authorization: Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
            .getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aLoopbackNodeWithoutUsersAnswersOnlyRequestsNamingItByALoopbackName() throws IOException {
        // a web page whose name its DNS turns to 127.0.0.1 (rebinding) is the same origin as the node to the
        // visitor's browser: it read and wrote every key of a default node through the HTTP port
        java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();
        Authenticator open = Authenticator.open(registry);
        serve(open, new BasicAuth(open, true, "myhost", refused::incrementAndGet));
        map.putNow(Key.utf8("secret"), Value.utf8("s"), CausalContext.NONE);
        for (String host : List.of("rebind.attacker.example:" + server.port(), "127.0.0.1.nip.io", "evil", "[::2]",
            "10.0.0.1", "localhost.evil.example", "myhost.evil.example")) {
            RawHttp.Response answer = send("GET", "/kv/secret", null, "Host: " + host);
            assertEquals(421, answer.status(), host);
            assertTrue(answer.text().contains("DNS rebinding"), answer.text());
        }
        assertEquals(421, send("PUT", "/kv/x", bytes("v"), "Host: rebind.attacker.example").status());
        assertEquals(421, send("GET", "/health/live", null, "Host: rebind.attacker.example").status());
        assertEquals(9, refused.get());
        assertTrue(map.getNow(Key.utf8("x")).isEmpty(), "the refused PUT wrote nothing");
        for (String host : List.of("127.0.0.1", "127.0.0.1:" + server.port(), "localhost:" + server.port(),
            "LOCALHOST", "[::1]:" + server.port(), "127.3.2.1", "localhost.", "node.localhost:9379", "ip6-localhost",
            "MyHost:" + server.port())) {
            assertEquals(200, send("GET", "/kv/secret", null, "Host: " + host).status(), host);
        }
        assertEquals(9, refused.get());
    }

    @Test
    void withoutCredentialsTheKeyValueApiAnswers401WithTheChallengeAndChangesNothing() throws IOException {
        serveWithUsers();
        RawHttp.Response refused = send("PUT", "/kv/k", bytes("v"));
        assertEquals(401, refused.status());
        assertEquals(BasicAuth.CHALLENGE, refused.header("WWW-Authenticate"));
        assertTrue(new String(refused.body(), StandardCharsets.UTF_8).contains("\"error\":\"NOAUTH\""));
        assertEquals(401, send("GET", "/kv/k", null).status());
        assertEquals(401, send("GET", "/kv/k", null, "Authorization: Bearer abc").status());
        assertEquals(401, send("GET", "/kv/k", null, "Authorization: Basic !!!").status());
        assertEquals(401, send("GET", "/kv/k", null, "Authorization: Basic "
            + Base64.getEncoder().encodeToString(bytes("no-colon"))).status());
        assertEquals(Optional.empty(), map.getNow(Key.utf8("k")));
        assertEquals(5, registry.value("auth_required_rejections"));
    }

    @Test
    void aWrongPasswordAnswers401AndIsCountedAsAFailedLogin() throws IOException {
        serveWithUsers();
        RawHttp.Response refused = send("PUT", "/kv/k", bytes("v"), basic("writer", "nope"));
        assertEquals(401, refused.status());
        assertEquals(BasicAuth.CHALLENGE, refused.header("WWW-Authenticate"));
        assertEquals(1, registry.value("acl_access_denied_auth"));
        assertEquals(Optional.empty(), map.getNow(Key.utf8("k")));
    }

    @Test
    void aReadUserGetsButItsPutAndDeleteAreForbiddenAndChangeNothing() throws IOException {
        map.putNow(Key.utf8("k"), Value.utf8("old"), CausalContext.NONE);
        serveWithUsers();
        RawHttp.Response read = send("GET", "/kv/k", null, basic("reader", "r-pass"));
        assertEquals(200, read.status());
        assertEquals("old", new String(read.body(), StandardCharsets.UTF_8));
        RawHttp.Response put = send("PUT", "/kv/k", bytes("new"), basic("reader", "r-pass"));
        assertEquals(403, put.status());
        assertTrue(new String(put.body(), StandardCharsets.UTF_8).contains("\"error\":\"NOPERM\""));
        assertEquals(403, send("DELETE", "/kv/k", null, basic("reader", "r-pass")).status());
        assertEquals(Optional.of(Value.utf8("old")), map.getNow(Key.utf8("k")));
        assertEquals(2, registry.value("acl_access_denied_cmd"));
    }

    @Test
    void aReadwriteUserPutsAndDeletes() throws IOException {
        serveWithUsers();
        assertEquals(204, send("PUT", "/kv/k", bytes("v"), basic("writer", "w-pass")).status());
        assertEquals(Optional.of(Value.utf8("v")), map.getNow(Key.utf8("k")));
        assertEquals(204, send("DELETE", "/kv/k", null, basic("writer", "w-pass")).status());
        assertEquals(2, registry.value("auth_logins"));
        assertEquals(1, registry.value("auth_logins_cached"), "the second request needed no slow hash");
    }

    @Test
    void healthStaysOpenAndMetricsNeedsAnyUser() throws IOException {
        serveWithUsers();
        assertEquals(200, send("GET", "/health/live", null).status());
        assertEquals(401, send("GET", "/metrics", null).status());
        assertEquals(200, send("GET", "/metrics", null, basic("reader", "r-pass")).status());
    }

    @Test
    void noSpellingOfAPathReachesTheKeyValueApiOrMetricsWithoutALogin() throws IOException {
        serveWithUsers();
        map.putNow(Key.utf8("k"), Value.utf8("secret"), CausalContext.NONE);
        List<String> targets = List.of("/kv/k", "/kv", "//kv/k", "/KV/k", "/%6Bv/k", "/kv/%6B", "/kv/../kv/k",
            "/health/../kv/k", "/health/live/../../kv/k", "/openapi.json/../kv/k", "/./kv/k", "/kv/k?x=/health",
            "http://localhost/kv/k", "/health/../metrics", "/metrics/", "/METRICS", "/health%2F..%2Fmetrics");
        for (String target : targets) {
            for (String method : List.of("GET", "PUT", "DELETE")) {
                RawHttp.Response response = send(method, target, method.equals("PUT") ? bytes("stolen") : null);
                String body = new String(response.body(), StandardCharsets.UTF_8);
                // the open health route (this test's answers "ok" under its whole prefix) may answer; nothing else
                boolean health = response.status() == 200 && body.equals("ok");
                assertTrue((response.status() >= 400 || health) && !body.contains("secret")
                    && !body.contains("counters"),
                    method + " " + target + " answered " + response.status() + ": " + body);
            }
        }
        assertEquals(Optional.of(Value.utf8("secret")), map.getNow(Key.utf8("k")), "nothing changed");
    }

    @Test
    void withoutUsersNothingAsksForCredentials() throws IOException {
        serve(Authenticator.open());
        assertEquals(204, send("PUT", "/kv/k", bytes("v")).status());
        assertEquals(200, send("GET", "/metrics", null).status());
    }
}
