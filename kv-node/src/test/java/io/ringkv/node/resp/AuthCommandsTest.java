package io.ringkv.node.resp;

import static io.ringkv.node.resp.RespTestClient.NULL_BULK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.CounterRegistry;
import io.ringkv.node.auth.Authenticator;
import io.ringkv.node.auth.PasswordHash;
import io.ringkv.node.auth.Permission;
import io.ringkv.node.auth.User;
import io.ringkv.node.auth.Users;
import io.ringkv.node.metrics.RequestMetrics;
import io.ringkv.node.resp.RespTestClient.Bulk;
import io.ringkv.node.resp.RespTestClient.Err;
import io.ringkv.node.service.MapKeyValueService;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** AUTH, HELLO AUTH, NOAUTH and NOPERM over a real socket, against the map service. */
class AuthCommandsTest {
    private static final Duration FAILURE_DELAY = Duration.ofMillis(300);
    private final List<AutoCloseable> resources = new ArrayList<>();
    private final MapKeyValueService map = new MapKeyValueService(null);
    private final CounterRegistry registry = new CounterRegistry();
    private RespServer server;

    private static User user(String name, Permission permission, String password) {
        return new User(name, permission, PasswordHash.create(password.toCharArray(), PasswordHash.MIN_ITERATIONS,
            new SecureRandom()));
    }

    private RespServer start(Duration failureDelay) throws IOException {
        Authenticator authenticator = Authenticator.of(new Users(List.of(
            user("default", Permission.READWRITE, "hunter2"),
            user("reader", Permission.READ, "r-pass"),
            user("writer", Permission.READWRITE, "w-pass"),
            user("root", Permission.ADMIN, "root-pass"))), registry, failureDelay);
        resources.add(authenticator);
        server = RespServer.start(RespServer.listen(RespConfig.onPort(0)), map, NodeInfo.NONE, Availability.ALWAYS,
            registry, new RequestMetrics(new PrometheusRegistry()), authenticator);
        resources.add(server);
        return server;
    }

    private RespTestClient client() throws IOException {
        if (server == null) {
            start(FAILURE_DELAY);
        }
        RespTestClient client = new RespTestClient(server.address());
        resources.add(client);
        return client;
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable resource : resources.reversed()) {
            resource.close();
        }
    }

    @Test
    void beforeLoginEveryCommandButAuthHelloAndQuitAnswersNoauthAndChangesNothing() throws IOException {
        RespTestClient client = client();
        Err noauth = new Err("NOAUTH Authentication required.");
        assertEquals(noauth, client.call("SET", "k", "v"));
        assertEquals(noauth, client.call("DEL", "k"));
        assertEquals(noauth, client.call("GET", "k"));
        assertEquals(noauth, client.call("PING"));
        assertEquals(noauth, client.call("INFO"));
        assertEquals(noauth, client.call("REMOVENODE", "n2"));
        assertTrue(((Err) client.call("HELLO", "3")).message().startsWith("NOAUTH HELLO must be called with the"
            + " client already authenticated"));
        assertTrue(((Err) client.call("NOSUCH")).message().startsWith("ERR unknown command 'NOSUCH'"),
            "an unknown command is unknown before it is unauthenticated, as in Redis");
        assertTrue(map.getNow(io.ringkv.api.Key.utf8("k")).isEmpty(), "the SET changed nothing");
        assertEquals("OK", client.call("AUTH", "writer", "w-pass"));
        assertEquals(NULL_BULK, client.call("GET", "k"));
        assertTrue(((Bulk) client.call("INFO", "stats")).text().contains("auth_required_rejections:6\r\n"));
        assertEquals("OK", client().call("QUIT"), "QUIT needs no login");
    }

    /**
     * The permission of every command comes from its flags, so a command registered without {@code write} or
     * {@code admin} would be open to read-only users: each command the server knows must be in one of these lists,
     * which a new command joins deliberately.
     */
    @Test
    void everyCommandIsFlaggedWithThePermissionItsEffectNeeds() throws IOException {
        Set<String> reads = Set.of("ping", "echo", "hello", "auth", "select", "quit", "command", "info",
            "consistency", "get", "exists", "mget", "getv", "scan", "dbsize", "keys", "ttl", "pttl", "expiretime",
            "pexpiretime");
        Set<String> writes = Set.of("set", "del", "mset", "setv", "setex", "psetex", "expire", "pexpire",
            "expireat", "pexpireat", "persist", "getex");
        Set<String> admin = Set.of("removenode", "repair", "decommission", "cleanup");
        Set<String> beforeLogin = Set.of("auth", "hello", "quit");
        RespTestClient client = client();
        assertEquals("OK", client.call("AUTH", "reader", "r-pass"));
        Set<String> seen = new java.util.HashSet<>();
        for (Object entry : (List<?>) client.call("COMMAND")) {
            List<?> fields = (List<?>) entry;
            String name = fields.get(0) instanceof Bulk bulk ? bulk.text() : String.valueOf(fields.get(0));
            List<String> flags = ((List<?>) fields.get(2)).stream().map(String::valueOf).toList();
            seen.add(name);
            String expected = admin.contains(name) ? "admin" : writes.contains(name) ? "write"
                : reads.contains(name) ? "read" : "unlisted";
            String flagged = flags.contains("admin") ? "admin" : flags.contains("write") ? "write" : "read";
            assertEquals(expected, flagged, name + " " + flags);
            assertEquals(beforeLogin.contains(name), flags.contains("no_auth"), name + " " + flags);
        }
        Set<String> listed = new java.util.HashSet<>(reads);
        listed.addAll(writes);
        listed.addAll(admin);
        assertEquals(listed, seen, "the commands the server knows");
    }

    @Test
    void aWrongPasswordAnswersWrongpassAfterTheDelayIsCountedAndLeavesTheConnectionLoggedOut() throws IOException {
        RespTestClient client = client();
        long start = System.nanoTime();
        assertEquals(new Err("WRONGPASS invalid username-password pair or user is disabled."),
            client.call("AUTH", "writer", "W-pass"));
        assertTrue(System.nanoTime() - start >= FAILURE_DELAY.toNanos(), "a failed login is answered late");
        assertEquals(new Err("WRONGPASS invalid username-password pair or user is disabled."),
            client.call("AUTH", "nobody", "w-pass"));
        assertEquals(new Err("NOAUTH Authentication required."), client.call("SET", "k", "v"));
        assertEquals(2L, registry.value("acl_access_denied_auth"));
        assertEquals("OK", client.call("AUTH", "writer", "w-pass"));
        assertTrue(((Bulk) client.call("INFO", "stats")).text().contains("acl_access_denied_auth:2\r\n"));
    }

    @Test
    void authWithOnlyAPasswordLogsInAsTheDefaultUserAndExtraArgumentsAreASyntaxError() throws IOException {
        RespTestClient client = client();
        assertEquals(new Err("ERR syntax error"), client.call("AUTH", "a", "b", "c"));
        assertEquals("OK", client.call("AUTH", "hunter2"));
        assertEquals("OK", client.call("SET", "k", "v"));
        assertEquals(new Bulk("v"), client.call("GET", "k"));
    }

    @Test
    void aReadUserReadsButEveryWriteIsRefusedWithNopermNamingTheCommand() throws IOException {
        map.putNow(io.ringkv.api.Key.utf8("k"), io.ringkv.api.Value.utf8("old"),
            io.ringkv.node.service.CausalContext.NONE);
        RespTestClient client = client();
        assertEquals("OK", client.call("AUTH", "reader", "r-pass"));
        assertEquals(new Bulk("old"), client.call("GET", "k"));
        assertEquals(1L, client.call("EXISTS", "k"));
        assertEquals(-1L, client.call("TTL", "k"));
        assertEquals("PONG", client.call("PING"));
        assertEquals(new Err("NOPERM User reader has no permissions to run the 'set' command"),
            client.call("SET", "k", "new"));
        assertEquals(new Err("NOPERM User reader has no permissions to run the 'del' command"),
            client.call("DEL", "k"));
        assertEquals(new Err("NOPERM User reader has no permissions to run the 'expire' command"),
            client.call("EXPIRE", "k", "10"));
        assertEquals(new Err("NOPERM User reader has no permissions to run the 'repair' command"),
            client.call("REPAIR"));
        assertEquals(new Bulk("old"), client.call("GET", "k"), "nothing changed");
        assertEquals(4L, registry.value("acl_access_denied_cmd"));
    }

    @Test
    void aReadwriteUserWritesButOnlyAnAdminRunsTheOperatorCommands() throws IOException {
        RespTestClient writer = client();
        assertEquals("OK", writer.call("AUTH", "writer", "w-pass"));
        assertEquals("OK", writer.call("SET", "k", "v"));
        assertEquals(new Err("NOPERM User writer has no permissions to run the 'removenode' command"),
            writer.call("REMOVENODE", "n2"));
        assertEquals(new Err("NOPERM User writer has no permissions to run the 'decommission' command"),
            writer.call("DECOMMISSION"));
        RespTestClient admin = client();
        assertEquals("OK", admin.call("AUTH", "root", "root-pass"));
        assertEquals(new Err("ERR this node does not run repair"), admin.call("REPAIR"),
            "the admin's REPAIR reached the service");
        assertEquals(new Err("ERR this node does not manage cluster membership"), admin.call("REMOVENODE", "n2"));
        assertEquals(new Bulk("v"), admin.call("GET", "k"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void hello3AuthLogsInAndAnswersInResp3AndAWrongPasswordKeepsResp2() throws IOException {
        RespTestClient client = client();
        assertEquals(new Err("WRONGPASS invalid username-password pair or user is disabled."),
            client.call("HELLO", "3", "AUTH", "writer", "nope", "SETNAME", "app"));
        assertEquals("OK", client.call("AUTH", "writer", "w-pass"));
        assertEquals(NULL_BULK, client.call("GET", "x"), "the failed HELLO left the connection in RESP2");
        RespTestClient fresh = client();
        Map<Object, Object> hello = (Map<Object, Object>) fresh.call("HELLO", "3", "AUTH", "reader", "r-pass",
            "SETNAME", "app");
        assertEquals(3L, hello.get(new Bulk("proto")));
        assertEquals(RespTestClient.NULL, fresh.call("GET", "missing"), "RESP3 from then on");
        assertTrue(((Err) fresh.call("SET", "k", "v")).message().startsWith("NOPERM"));
    }

    @Test
    void aPipelinedAuthRunsTheCommandsBehindItAsTheUserItLoggedIn() throws IOException {
        RespTestClient client = client();
        client.send(concat(RespTestClient.command("AUTH", "writer", "w-pass"), RespTestClient.command("SET", "p",
            "1"), RespTestClient.command("AUTH", "reader", "wrong"), RespTestClient.command("GET", "p"),
            RespTestClient.command("AUTH", "reader", "r-pass"), RespTestClient.command("SET", "p", "2")));
        assertEquals("OK", client.read());
        assertEquals("OK", client.read(), "the SET waited for the AUTH before it");
        assertTrue(client.read() instanceof Err, "a wrong password");
        assertEquals(new Bulk("1"), client.read(), "still the writer after a failed AUTH");
        assertEquals("OK", client.read());
        assertTrue(((Err) client.read()).message().startsWith("NOPERM User reader"), "the reader now");
    }

    @Test
    void beforeALoginALargeRequestIsAProtocolErrorThatClosesTheConnectionAndOnceLoggedInItRuns()
        throws IOException {
        // without a password a client could make the node hold 4 MiB per connection, for each of 10,000
        RespTestClient stranger = client();
        String large = "v".repeat(20 * 1024);
        // the header alone is refused: the value never has to arrive
        stranger.send("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$" + large.length() + "\r\n");
        assertEquals(new Err("ERR Protocol error: unauthenticated bulk length"), stranger.read());
        assertThrows(java.io.EOFException.class, stranger::read, "the connection is closed, as Redis closes it");
        RespTestClient many = client();
        many.send(RespTestClient.command("AUTH", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j"));
        assertEquals(new Err("ERR Protocol error: unauthenticated multibulk length"), many.read());
        RespTestClient writer = client();
        assertEquals("OK", writer.call("AUTH", "writer", "w-pass"));
        String value = "v".repeat(10 * 1024);
        assertEquals("OK", writer.call("MSET", "k1", value, "k2", value, "k3", value, "k4", value, "k5", value, "k6",
            value), "13 arguments, 60 KiB: once logged in");
        assertEquals(new Bulk(value), writer.call("GET", "k6"));
    }

    @Test
    void aLoginBeingCheckedStallsNoOtherClient() throws IOException {
        start(Duration.ofSeconds(2));
        RespTestClient guessing = client();
        guessing.send(RespTestClient.command("AUTH", "writer", "guess"));
        RespTestClient other = client();
        assertEquals("OK", other.call("AUTH", "writer", "w-pass"));
        assertEquals("OK", other.call("SET", "k", "v"));
        assertTrue(guessing.silentFor(100), "the wrong password is still waiting out its delay");
        assertTrue(((Err) guessing.read()).message().startsWith("WRONGPASS"));
    }

    @Test
    void withoutUsersAuthIsRefusedAsRedisDoesWithoutAPasswordAndEveryCommandRuns() throws IOException {
        Authenticator open = Authenticator.open(registry);
        server = RespServer.start(RespServer.listen(RespConfig.onPort(0)), map, NodeInfo.NONE, Availability.ALWAYS,
            registry, new RequestMetrics(new PrometheusRegistry()), open);
        resources.add(server);
        RespTestClient client = client();
        assertTrue(((Err) client.call("AUTH", "x")).message().contains("without any password configured"));
        assertEquals("OK", client.call("SET", "k", "v"));
        assertEquals(new Err("ERR this node does not manage cluster membership"), client.call("REMOVENODE", "n2"));
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        for (byte[] part : parts) {
            all.writeBytes(part);
        }
        return all.toByteArray();
    }
}
