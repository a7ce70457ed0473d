package io.ringkv.node.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.node.resp.NodeInfo;
import io.ringkv.node.resp.RespConfig;
import io.ringkv.node.resp.RespServer;
import io.ringkv.node.security.ReloadingTls;
import io.ringkv.node.security.TestCertificates;
import io.ringkv.node.service.MapKeyValueService;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator commands reach a node whose client port speaks TLS when RINGKV_TLS_CACERT names the certificate to
 * trust, and fail with a message naming it when the certificate is another node's.
 */
class AdminClientTlsTest {
    @TempDir
    Path directory;
    private Path keystore;
    private RespServer server;

    @BeforeEach
    void start() throws Exception {
        keystore = TestCertificates.keystore(directory, "node-a", "node.p12");
        server = RespServer.start(RespServer.listen(RespConfig.onPort(0))
                .tls(ReloadingTls.load(TestCertificates.settings(directory, keystore), event -> { })),
            new MapKeyValueService(null), NodeInfo.NONE);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void theNodesCertificateIsTrustedAndAnswers() throws Exception {
        Path pem = TestCertificates.pem(keystore, "node-a", directory.resolve("node.pem"));
        AdminClient.Reply reply = AdminClient.call("127.0.0.1", server.port(), List.of("PING"), null, pem.toString());
        assertFalse(reply.error(), reply.text());
        assertTrue(reply.text().contains("PONG"), reply.text());
    }

    @Test
    void anotherCertificateOrPlaintextIsRefused() throws Exception {
        Path other = TestCertificates.pem(TestCertificates.keystore(directory, "node-b", "other.p12"), "node-b",
            directory.resolve("other.pem"));
        IOException untrusted = assertThrows(IOException.class, () ->
            AdminClient.call("127.0.0.1", server.port(), List.of("PING"), null, other.toString()));
        assertTrue(untrusted.getMessage().contains("RINGKV_TLS_CACERT=" + other), untrusted.getMessage());
        // plaintext to a TLS port: the node answers nothing and closes
        assertThrows(IOException.class, () ->
            AdminClient.call("127.0.0.1", server.port(), List.of("PING"), null, null));
    }
}
