package io.ringkv.node.resp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ringkv.node.security.ReloadingTls;
import io.ringkv.node.security.TestCertificates;
import io.ringkv.node.service.MapKeyValueService;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

/** The client port with a keystore speaks TLS 1.3 only: Jedis, a raw pipeline, redis-cli --tls; plaintext gets nothing. */
class TlsRespTest {
    @TempDir
    Path directory;
    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable resource : resources.reversed()) {
            resource.close();
        }
    }

    private RespServer serve(Path keystore) throws IOException {
        return serve(keystore, RespConfig.onPort(0));
    }

    private RespServer serve(Path keystore, RespConfig config) throws IOException {
        ReloadingTls tls = ReloadingTls.load(TestCertificates.settings(directory, keystore), event -> { });
        RespServer server = RespServer.start(RespServer.listen(config).tls(tls),
            new MapKeyValueService(null), NodeInfo.NONE);
        resources.add(server);
        return server;
    }

    @Test
    void jedisOverTlsReadsWritesAndPipelines() throws Exception {
        Path keystore = TestCertificates.keystore(directory, "node-a", "node.p12");
        RespServer server = serve(keystore);
        DefaultJedisClientConfig config = DefaultJedisClientConfig.builder().ssl(true)
            .sslSocketFactory(TestCertificates.clientContext(keystore).getSocketFactory()).timeoutMillis(10_000)
            .build();
        try (Jedis jedis = new Jedis(new HostAndPort("localhost", server.port()), config)) {
            assertEquals("PONG", jedis.ping());
            byte[] value = new byte[10 * 1024];
            for (int i = 0; i < value.length; i++) {
                value[i] = (byte) (i * 7);
            }
            assertEquals("OK", jedis.set("big".getBytes(StandardCharsets.UTF_8), value));
            assertArrayEquals(value, jedis.get("big".getBytes(StandardCharsets.UTF_8)));
            // many TLS records each way in one go: requests buffered past one read, replies past one write
            Pipeline pipeline = jedis.pipelined();
            List<Response<byte[]>> reads = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                pipeline.set(("k" + i).getBytes(StandardCharsets.UTF_8), value);
                reads.add(pipeline.get(("k" + i).getBytes(StandardCharsets.UTF_8)));
            }
            pipeline.sync();
            for (Response<byte[]> read : reads) {
                assertArrayEquals(value, read.get());
            }
        }
    }

    @Test
    void aRawPipelineInOneWriteIsAnsweredInFull() throws Exception {
        Path keystore = TestCertificates.keystore(directory, "node-a", "node.p12");
        RespServer server = serve(keystore);
        SSLSocket socket = (SSLSocket) TestCertificates.clientContext(keystore).getSocketFactory()
            .createSocket("localhost", server.port());
        resources.add(socket);
        socket.setSoTimeout(10_000);
        socket.startHandshake();
        assertEquals("TLSv1.3", socket.getSession().getProtocol());
        ByteArrayOutputStream requests = new ByteArrayOutputStream();
        int count = 2_000;
        for (int i = 0; i < count; i++) {
            requests.writeBytes(RespTestClient.command("SET", "key" + i, "value-" + i));
        }
        OutputStream out = socket.getOutputStream();
        out.write(requests.toByteArray());
        out.flush();
        byte[] expected = "+OK\r\n".repeat(count).getBytes(StandardCharsets.US_ASCII);
        byte[] replies = socket.getInputStream().readNBytes(expected.length);
        assertArrayEquals(expected, replies);
    }

    @Test
    void aPlaintextClientGetsNoAnswer() throws Exception {
        Path keystore = TestCertificates.keystore(directory, "node-a", "node.p12");
        RespServer server = serve(keystore);
        try (Socket plain = new Socket()) {
            plain.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
            plain.setSoTimeout(5_000);
            plain.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = plain.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            try {
                byte[] buffer = new byte[256];
                for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
                    answer.write(buffer, 0, n);
                }
            } catch (IOException closedOrTimedOut) {
                // refused either way
            }
            assertTrue(!answer.toString(StandardCharsets.ISO_8859_1).contains("PONG"), answer.toString());
        }
        assertEquals(0L, server.counters().value(RespCounter.COMMANDS_PROCESSED), "nothing ran");
    }

    @Test
    void aClientThatSendsPartOfARecordHoldsNoOtherClientBackAndIsClosedAsAHalfSentRequest() throws Exception {
        // the loop took the part of a record in its buffer for input to read, and read it again at once without end:
        // no other connection was served or accepted, and no timeout came round
        Path keystore = TestCertificates.keystore(directory, "node-a", "node.p12");
        RespServer server = serve(keystore, RespConfig.onPort(0).withTimeouts(0, 300));
        try (Socket partial = new Socket()) {
            partial.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
            partial.setSoTimeout(10_000);
            // a handshake record's header announcing 100 bytes, and none of them
            partial.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x00, 0x64});
            partial.getOutputStream().flush();
            DefaultJedisClientConfig config = DefaultJedisClientConfig.builder().ssl(true)
                .sslSocketFactory(TestCertificates.clientContext(keystore).getSocketFactory()).timeoutMillis(10_000)
                .build();
            try (Jedis jedis = new Jedis(new HostAndPort("localhost", server.port()), config)) {
                assertEquals("PONG", jedis.ping());
            }
            byte[] before = partial.getInputStream().readAllBytes();
            assertTrue(before.length == 0 || before[0] == 21, "only an alert before the close: " + before.length);
        }
        assertEquals(1L, server.counters().value(RespCounter.CLOSED_INCOMPLETE_REQUEST));
    }

    @Test
    void aClientThatNeverFinishesItsHandshakeIsClosedAsAHalfSentRequest() throws Exception {
        Path keystore = TestCertificates.keystore(directory, "node-a", "node.p12");
        RespServer server = serve(keystore, RespConfig.onPort(0).withTimeouts(0, 300));
        try (Socket silent = new Socket()) {
            silent.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
            silent.setSoTimeout(10_000);
            // sends nothing, no ClientHello: once the request timeout passed the server closes it (at most a TLS
            // alert record, content type 21, comes first)
            byte[] before = silent.getInputStream().readAllBytes();
            assertTrue(before.length == 0 || before[0] == 21, "only an alert before the close: " + before.length);
        }
    }

    @Test
    void redisCliSpeaksToItWithTls() throws Exception {
        assumeTrue(hasRedisCli() || System.getenv("CI") != null, "no redis-cli here");
        Path keystore = TestCertificates.keystore(directory, "node-a", "node.p12");
        Path pem = TestCertificates.pem(keystore, "node-a", directory.resolve("node.pem"));
        RespServer server = serve(keystore);
        Process cli = new ProcessBuilder("redis-cli", "--tls", "--cacert", pem.toString(), "-h", "localhost", "-p",
            Integer.toString(server.port()), "SET", "from-cli", "yes").redirectErrorStream(true).start();
        String output = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(cli.waitFor(30, TimeUnit.SECONDS), "redis-cli did not finish");
        assertEquals("OK", output.strip(), output);
    }

    private static boolean hasRedisCli() {
        try {
            Process probe = new ProcessBuilder("redis-cli", "--version").redirectErrorStream(true).start();
            probe.getInputStream().readAllBytes();
            return probe.waitFor(10, TimeUnit.SECONDS) && probe.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
