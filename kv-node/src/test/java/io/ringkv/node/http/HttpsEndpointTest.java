package io.ringkv.node.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.KvException;
import io.ringkv.node.security.ReloadingTls;
import io.ringkv.node.security.TestCertificates;
import io.ringkv.node.security.TlsSettings;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP port with a keystore speaks HTTPS (TLS 1.3) only, and takes a new certificate without a restart. The
 * certificates are made by the JDK's keytool in the test's directory.
 */
class HttpsEndpointTest {

    @TempDir
    Path directory;
    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable resource : resources.reversed()) {
            resource.close();
        }
    }

    @Test
    void httpsServesWithTheKeystoresCertificateAndPlaintextIsRefused() throws Exception {
        Path keystore = keystore("node-a", "first.p12");
        ReloadingTls tls = ReloadingTls.load(settings(keystore), event -> { });
        NodeHttpServer server = serve(tls);

        HttpsURLConnection live = connect(server, keystore);
        assertEquals(200, live.getResponseCode());
        assertTrue(live.getCipherSuite().matches("TLS_(AES|CHACHA20)_.*"), "a TLS 1.3 suite: " + live.getCipherSuite());
        assertTrue(((X509Certificate) live.getServerCertificates()[0]).getSubjectX500Principal().getName()
            .contains("CN=node-a"));
        live.disconnect();

        HttpURLConnection plain = (HttpURLConnection) URI.create("http://localhost:" + server.port()
            + "/health/live").toURL().openConnection();
        plain.setConnectTimeout(5_000);
        plain.setReadTimeout(5_000);
        assertThrows(IOException.class, plain::getResponseCode, "plaintext gets no answer from a TLS port");
    }

    @Test
    void aNewCertificateIsServedWithoutARestartAndABrokenOneKeepsTheOld() throws Exception {
        Path keystore = keystore("node-a", "live.p12");
        List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        ReloadingTls tls = ReloadingTls.load(settings(keystore), events::add);
        NodeHttpServer server = serve(tls);
        Path first = Files.copy(keystore, directory.resolve("first-copy.p12"));
        assertTrue(subject(server, first).contains("CN=node-a"));

        Path next = keystore("node-b", "next.p12");
        Files.copy(next, keystore, StandardCopyOption.REPLACE_EXISTING);
        Files.setLastModifiedTime(keystore, java.nio.file.attribute.FileTime.fromMillis(
            System.currentTimeMillis() + 5_000));
        String subject = awaitSubject(server, next, "CN=node-b");
        assertTrue(subject.contains("CN=node-b"), subject);
        assertTrue(events.stream().anyMatch(e -> e.contains("reloaded")), events.toString());

        Files.writeString(keystore, "not a keystore");
        Files.setLastModifiedTime(keystore, java.nio.file.attribute.FileTime.fromMillis(
            System.currentTimeMillis() + 10_000));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (events.stream().noneMatch(e -> e.contains("did not load")) && System.nanoTime() < deadline) {
            subject(server, next);
            Thread.sleep(200);
        }
        assertTrue(events.stream().anyMatch(e -> e.contains("did not load")), events.toString());
        assertTrue(subject(server, next).contains("CN=node-b"), "the previous certificate is still served");
    }

    @Test
    void aClientWithoutATrustedCertificateIsRefusedWhenOneIsNeeded() throws Exception {
        Path keystore = keystore("node-a", "server.p12");
        Path client = keystore("client", "client.p12");
        Path stranger = keystore("stranger", "stranger.p12");
        Path truststore = truststore(client, "trusted.p12");
        NodeHttpServer server = serve(ReloadingTls.load(new TlsSettings(keystore, password(), truststore,
            TlsSettings.ClientAuth.NEED), event -> { }));

        assertThrows(IOException.class, () -> connect(server, keystore).getResponseCode(),
            "a client without a certificate");
        assertThrows(IOException.class, () -> connect(server, context(keystore, stranger)).getResponseCode(),
            "a client whose certificate no trusted authority signed");
        HttpsURLConnection trusted = connect(server, context(keystore, client));
        assertEquals(200, trusted.getResponseCode());
        trusted.disconnect();
    }

    @Test
    void anRsaCertificateServesTls13() throws Exception {
        // TLS 1.3 signs with RSASSA-PSS: the key manager is asked for an "RSA" key (rsa_pss_rsae_*), which it has
        Path keystore = keystore("node-rsa", "rsa.p12", TestCertificates.RSA);
        NodeHttpServer server = serve(ReloadingTls.load(settings(keystore), event -> { }));
        assertTrue(subject(server, keystore).contains("CN=node-rsa"));
    }

    @Test
    void aTls12ClientIsRefused() throws Exception {
        Path keystore = keystore("node-a", "server.p12");
        NodeHttpServer server = serve(ReloadingTls.load(settings(keystore), event -> { }));
        SSLContext tls12 = SSLContext.getInstance("TLSv1.2");
        tls12.init(null, trustManagers(keystore), null);
        HttpsURLConnection connection = connect(server, tls12);
        assertThrows(IOException.class, connection::getResponseCode, "TLS 1.2 is not spoken");
    }

    @Test
    void settingsThatCannotWorkAreRefusedAtStart() throws Exception {
        assertThrows(KvException.class, () -> new TlsSettings(directory.resolve("k.p12"), null, null,
            TlsSettings.ClientAuth.NONE), "a keystore without its password file");
        assertThrows(KvException.class, () -> new TlsSettings(directory.resolve("k.p12"), password(), null,
            TlsSettings.ClientAuth.NEED), "client certificates without a truststore");
        Path garbage = Files.writeString(directory.resolve("garbage.p12"), "garbage");
        KvException refused = assertThrows(KvException.class,
            () -> ReloadingTls.load(settings(garbage), event -> { }));
        assertTrue(refused.getMessage().contains("garbage.p12"), refused.getMessage());
        assertEquals(TlsSettings.ClientAuth.WANT, TlsSettings.ClientAuth.parse(" Want "));
        assertThrows(KvException.class, () -> TlsSettings.ClientAuth.parse("sometimes"));
    }

    private NodeHttpServer serve(ReloadingTls tls) {
        NodeHttpServer server = NodeHttpServer.bind("127.0.0.1", 0, "tls-test", tls);
        resources.add(server);
        server.serve(new NodeHttpServer.Routes().add("/health/live",
            exchange -> NodeHttpServer.send(exchange, 200, "text/plain", "ok\n".getBytes(StandardCharsets.UTF_8))));
        return server;
    }

    private String awaitSubject(NodeHttpServer server, Path trusted, String expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        String subject = "";
        while (System.nanoTime() < deadline) {
            try {
                subject = subject(server, trusted);
                if (subject.contains(expected)) {
                    return subject;
                }
            } catch (IOException e) {
                subject = e.toString();
            }
            Thread.sleep(200);
        }
        return subject;
    }

    /** @return the subject of the certificate a new connection is served, trusting {@code trusted}'s */
    private String subject(NodeHttpServer server, Path trusted) throws Exception {
        HttpsURLConnection connection = connect(server, trusted);
        try {
            assertEquals(200, connection.getResponseCode());
            return ((X509Certificate) connection.getServerCertificates()[0]).getSubjectX500Principal().getName();
        } finally {
            connection.disconnect();
        }
    }

    /** A new TLS 1.3 connection (no session reuse across contexts) trusting {@code trusted}'s certificate. */
    private static HttpsURLConnection connect(NodeHttpServer server, Path trusted) throws Exception {
        return connect(server, context(trusted));
    }

    private static HttpsURLConnection connect(NodeHttpServer server, SSLContext context) throws Exception {
        HttpsURLConnection connection = (HttpsURLConnection) URI.create("https://localhost:" + server.port()
            + "/health/live").toURL().openConnection();
        connection.setSSLSocketFactory(context.getSocketFactory());
        connection.setConnectTimeout(5_000);
        connection.setReadTimeout(5_000);
        connection.setRequestProperty("Connection", "close");
        return connection;
    }

    private static SSLContext context(Path trusted) throws Exception {
        return context(trusted, null);
    }

    /** @return a TLS 1.3 client context trusting {@code trusted}'s certificate, presenting {@code own}'s if given */
    private static SSLContext context(Path trusted, Path own) throws Exception {
        KeyManager[] keys = null;
        if (own != null) {
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(load(own), TestCertificates.PASSWORD.toCharArray());
            keys = factory.getKeyManagers();
        }
        SSLContext context = SSLContext.getInstance("TLSv1.3");
        context.init(keys, trustManagers(trusted), null);
        return context;
    }

    private static TrustManager[] trustManagers(Path trusted) throws Exception {
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(load(trusted));
        return trust.getTrustManagers();
    }

    private static KeyStore load(Path file) throws Exception {
        return TestCertificates.load(file);
    }

    /** @return a PKCS#12 truststore (the keystore's password) holding only the certificate of {@code keystore} */
    private Path truststore(Path keystore, String file) throws Exception {
        KeyStore source = load(keystore);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("client", source.getCertificate(source.aliases().nextElement()));
        Path truststore = directory.resolve(file);
        try (java.io.OutputStream out = Files.newOutputStream(truststore)) {
            trust.store(out, TestCertificates.PASSWORD.toCharArray());
        }
        return truststore;
    }

    private TlsSettings settings(Path keystore) throws IOException {
        return TestCertificates.settings(directory, keystore);
    }

    private Path password() throws IOException {
        return TestCertificates.passwordFile(directory);
    }

    /** Makes a PKCS#12 keystore with a self-signed EC certificate for {@code name} (and localhost). */
    private Path keystore(String name, String file) throws Exception {
        return TestCertificates.keystore(directory, name, file);
    }

    private Path keystore(String name, String file, List<String> algorithm) throws Exception {
        return TestCertificates.keystore(directory, name, name, file, algorithm);
    }
}
