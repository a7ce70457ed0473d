package io.ringkv.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.CounterRegistry;
import io.ringkv.node.auth.Authenticator;
import io.ringkv.node.auth.PasswordHash;
import io.ringkv.node.auth.Permission;
import io.ringkv.node.auth.User;
import io.ringkv.node.auth.Users;
import io.ringkv.node.metrics.RequestMetrics;
import io.ringkv.node.resp.Availability;
import io.ringkv.node.resp.NodeInfo;
import io.ringkv.node.resp.RespConfig;
import io.ringkv.node.resp.RespServer;
import io.ringkv.node.service.MapKeyValueService;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The operator commands' client logs in with RINGKV_AUTH's credentials, and says how when a node wants a login. */
class AdminClientAuthTest {
    private final CounterRegistry registry = new CounterRegistry();
    private Authenticator authenticator;
    private RespServer server;

    @BeforeEach
    void start() {
        authenticator = Authenticator.of(new Users(List.of(
            new User("ops", Permission.ADMIN, PasswordHash.create("ops-pass".toCharArray(),
                PasswordHash.MIN_ITERATIONS, new SecureRandom())),
            new User("default", Permission.READ, PasswordHash.create("plain".toCharArray(),
                PasswordHash.MIN_ITERATIONS, new SecureRandom())))), registry, Duration.ZERO);
        server = RespServer.start(RespServer.listen(RespConfig.onPort(0)), new MapKeyValueService(null),
            NodeInfo.NONE, Availability.ALWAYS, registry, new RequestMetrics(new PrometheusRegistry()), authenticator);
    }

    @AfterEach
    void stop() {
        server.close();
        authenticator.close();
    }

    private AdminClient.Reply call(String auth, String... command) throws Exception {
        return AdminClient.call("127.0.0.1", server.port(), List.of(command), auth);
    }

    @Test
    void aUserAndPasswordLogInBeforeTheCommand() throws Exception {
        AdminClient.Reply reply = call("ops:ops-pass", "REPAIR");
        assertEquals("ERR this node does not run repair", reply.text(), "REPAIR ran as the admin");
        assertFalse(call("plain", "INFO", "server").error(), "a password alone is the default user's");
    }

    @Test
    void withoutCredentialsTheRefusalSaysWhichVariableToSet() throws Exception {
        AdminClient.Reply refused = call(null, "INFO", "cluster");
        assertTrue(refused.error() && refused.text().startsWith("NOAUTH") && refused.text().contains("RINGKV_AUTH"),
            refused.text());
    }

    @Test
    void aWrongPasswordIsReportedAsTheLoginsFailure() throws Exception {
        AdminClient.Reply refused = call("ops:nope", "INFO", "cluster");
        assertTrue(refused.error() && refused.text().startsWith("WRONGPASS") && refused.text().contains("RINGKV_AUTH"),
            refused.text());
    }

    @Test
    void basicAuthorizationCarriesTheSameCredentials() {
        assertEquals("Basic " + Base64.getEncoder().encodeToString("ops:p:q".getBytes(StandardCharsets.UTF_8)),
            AdminClient.basicAuthorization("ops:p:q"));
        assertEquals("Basic " + Base64.getEncoder().encodeToString("default:pw".getBytes(StandardCharsets.UTF_8)),
            AdminClient.basicAuthorization("pw"));
        assertEquals(null, AdminClient.basicAuthorization(""));
    }
}
