package io.ringkv.node.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.node.membership.ClusterSnapshot;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class NodeHttpServerTest {
    private NodeHttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void routesAnswerGetAndHeadAndRefuseOtherMethodsBodiesAndUnknownPaths() throws Exception {
        server = NodeHttpServer.start("127.0.0.1", 0, "test", new NodeHttpServer.Routes().add("/hello",
            exchange -> NodeHttpServer.send(exchange, 200, "text/plain", "hi\n".getBytes(StandardCharsets.UTF_8))));

        Response hello = get("/hello");
        assertEquals(200, hello.statusCode());
        assertEquals("hi\n", hello.body());
        Response head = send("HEAD", "/hello", null);
        assertEquals(200, head.statusCode());
        assertEquals("", head.body());
        Response post = send("POST", "/hello", "x");
        assertEquals(405, post.statusCode());
        assertEquals("GET, HEAD", post.allow());
        Response missing = get("/nothing");
        assertEquals(404, missing.statusCode());
        assertTrue(missing.body().contains("/nothing"), missing.body());
    }

    @Test
    void aHandlerThatThrowsGetsA500AndTheServerKeepsServing() throws Exception {
        server = NodeHttpServer.start("127.0.0.1", 0, "test", new NodeHttpServer.Routes()
            .add("/broken", exchange -> {
                throw new IllegalStateException("boom");
            })
            .add("/fine", exchange -> NodeHttpServer.send(exchange, 200, "text/plain", new byte[] {'y'})));
        Response broken = get("/broken");
        assertEquals(500, broken.statusCode());
        assertTrue(broken.body().contains("boom"), broken.body());
        assertEquals("y", get("/fine").body());
    }

    @Test
    void readinessFollowsTheNodesStateAndLivenessOnlyItsFailure() throws Exception {
        AtomicReference<ClusterSnapshot> view = new AtomicReference<>(ClusterSnapshot.empty("node1"));
        AtomicReference<Optional<String>> failure = new AtomicReference<>(Optional.empty());
        server = NodeHttpServer.start("127.0.0.1", 0, "test",
            new HealthEndpoint(view::get, failure::get).addTo(new NodeHttpServer.Routes()));

        Response starting = get("/health/ready");
        assertEquals(503, starting.statusCode());
        assertEquals("{\"status\":\"DOWN\",\"node\":\"node1\",\"state\":\"STARTING\",\"reason\":\"the node is starting\"}\n",
            starting.body());
        assertEquals(200, get("/health/live").statusCode(), "a starting node is alive");

        view.set(snapshot("JOINING", "the node is joining: 3 of 12 ranges streamed"));
        Response joining = get("/health/ready");
        assertEquals(503, joining.statusCode());
        assertTrue(joining.body().contains("\"state\":\"JOINING\""), joining.body());

        view.set(snapshot("NORMAL", ""));
        assertEquals("{\"status\":\"UP\",\"node\":\"node1\",\"state\":\"NORMAL\"}\n", get("/health/ready").body());
        assertEquals(200, get("/health").statusCode(), "/health is readiness");

        view.set(snapshot("LEAVING", ""));
        assertEquals(503, get("/health/ready").statusCode());
        assertTrue(get("/health/ready").body().contains("not NORMAL"));

        view.set(snapshot("NORMAL", ""));
        failure.set(Optional.of("transport failed after a stall of 700 s"));
        Response dead = get("/health/live");
        assertEquals(503, dead.statusCode());
        assertTrue(dead.body().contains("\"reason\":\"transport failed after a stall of 700 s\""), dead.body());
        assertEquals(503, get("/health/ready").statusCode());
        assertEquals(404, get("/health/other").statusCode());
    }

    @Test
    void theDashboardIsServedFromResourcesAndTheRootRedirectsToIt() throws Exception {
        server = NodeHttpServer.start("127.0.0.1", 0, "test", new DashboardEndpoint().addTo(new NodeHttpServer.Routes()));

        Response page = get("/dashboard/");
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("<script src=\"dashboard.js\">"), page.body());
        assertTrue(get("/dashboard/dashboard.js").body().contains("/api/cluster"));
        assertTrue(get("/dashboard/dashboard.css").body().contains("--alive"));
        // HttpURLConnection follows the redirects: / and /dashboard land on the page
        assertEquals(page.body(), get("/").body());
        assertEquals(page.body(), get("/dashboard").body());
        assertEquals(404, get("/dashboard/missing.js").statusCode());
        assertEquals(404, get("/other").statusCode());
    }

    @Test
    void theClusterApiAnswersTheSnapshotInJson() throws Exception {
        server = NodeHttpServer.start("127.0.0.1", 0, "test",
            new ClusterEndpoint(() -> snapshot("NORMAL", ""), () -> 42).addTo(new NodeHttpServer.Routes()));
        Response answer = get("/api/cluster");
        assertEquals(200, answer.statusCode());
        @SuppressWarnings("unchecked")
        java.util.Map<String, Object> cluster = (java.util.Map<String, Object>) TinyJson.parse(answer.body());
        assertEquals("node1", cluster.get("self"));
        assertEquals(42.0, cluster.get("time"));
        assertEquals(404, get("/api/cluster/more").statusCode());
    }

    @Test
    void clientsThatSendHalfARequestOrNothingDoNotStarveTheHealthChecks() throws Exception {
        server = NodeHttpServer.start("127.0.0.1", 0, "test",
            new HealthEndpoint(() -> ClusterSnapshot.empty("node1"), Optional::empty).addTo(new NodeHttpServer.Routes()));
        List<java.net.Socket> stalled = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 8; i++) {
                java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port());
                socket.getOutputStream().write((i % 2 == 0 ? "GET /he" : "").getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
                stalled.add(socket);
            }
            assertEquals(200, get("/health/live").statusCode(), "answered beside eight stalled connections");
        } finally {
            for (java.net.Socket socket : stalled) {
                socket.close();
            }
        }
    }

    @Test
    void aPortInUseFailsTheBindWithAClearErrorAndAClosedServerFreesItsPort() {
        NodeHttpServer first = NodeHttpServer.bind("127.0.0.1", 0, "a");
        int port = first.port();
        io.ringkv.api.KvException taken = org.junit.jupiter.api.Assertions.assertThrows(io.ringkv.api.KvException.class,
            () -> NodeHttpServer.bind("127.0.0.1", port, "b"));
        assertEquals(io.ringkv.api.ErrorCode.INVALID_CONFIGURATION, taken.code());
        assertTrue(taken.getMessage().contains("cannot listen for HTTP on 127.0.0.1:" + port), taken.getMessage());
        first.close();
        server = NodeHttpServer.bind("127.0.0.1", port, "c");
        assertEquals(port, server.port(), "a bound server that never served gives its port back on close");
    }

    @Test
    void jsonStringsAreEscaped() {
        assertEquals("\"a\\\"b\\\\c\\nd\\u0001\"", Json.string("a\"b\\c\nd\u0001"));
    }

    private static ClusterSnapshot snapshot(String state, String loading) {
        ClusterSnapshot.Member self = new ClusterSnapshot.Member("node1", state, "127.0.0.1:7400", "127.0.0.1:7379",
            "z", "r", "0B", "0", "ok", 1.0, 16, 1, "ALIVE");
        return new ClusterSnapshot("node1", 1, List.of(self), loading);
    }

    private Response get(String path) throws IOException {
        return send("GET", path, null);
    }

    private Response send(String method, String path, String body) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) URI.create("http://127.0.0.1:" + server.port() + path)
            .toURL().openConnection();
        connection.setConnectTimeout(10_000);
        connection.setReadTimeout(10_000);
        connection.setRequestMethod(method);
        if (body != null) {
            connection.setDoOutput(true);
            try (OutputStream out = connection.getOutputStream()) {
                out.write(body.getBytes(StandardCharsets.UTF_8));
            }
        }
        int status = connection.getResponseCode();
        InputStream in = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
        String text = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        Response response = new Response(status, text, connection.getHeaderField("Allow"));
        connection.disconnect();
        return response;
    }

    /** What a request got back. */
    record Response(int statusCode, String body, String allow) {
    }
}
