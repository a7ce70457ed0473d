package io.ringkv.node.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.Consistency;
import io.ringkv.api.CounterRegistry;
import io.ringkv.api.CounterSet;
import io.ringkv.api.ErrorCode;
import io.ringkv.api.Key;
import io.ringkv.api.KvException;
import io.ringkv.api.Limits;
import io.ringkv.api.Value;
import io.ringkv.node.metrics.NodeMetrics;
import io.ringkv.node.service.Answer;
import io.ringkv.node.service.CausalContext;
import io.ringkv.node.service.ForwardingKeyValueService;
import io.ringkv.node.service.KeyValueService;
import io.ringkv.node.service.MapKeyValueService;
import io.ringkv.node.service.ReadinessGatedService;
import io.ringkv.node.service.Siblings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The key-value API over a real {@link NodeHttpServer}, its front door thread and a map-backed service. */
class KeyValueEndpointTest {
    /** Small limits, so that a test can cross them: 16-byte keys, 64-byte values. */
    private static final Limits LIMITS = new Limits(16, 64);
    private static final String CONTEXT = KeyValueEndpoint.CONTEXT_HEADER + ": ";

    private final ExecutorService replicas = Executors.newSingleThreadExecutor();
    private final NodeMetrics metrics = new NodeMetrics(new CounterRegistry());
    private final CounterSet<HttpCounter> counters = new CounterRegistry().register(HttpCounter.class);
    private final MapKeyValueService map = new MapKeyValueService(replicas);
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
        replicas.shutdownNow();
    }

    @Test
    void aValuePutIsReadBackWithItsContextAndDeleted() throws Exception {
        serve(map);
        byte[] value = {0, (byte) 0xff, 'v', '\n'};

        assertEquals(204, send("PUT", "/kv/a%2Fb+c", value).status());
        assertEquals(Optional.of(Value.of(value)), map.getNow(Key.of("a/b+c".getBytes(StandardCharsets.UTF_8))),
            "the key is the path percent-decoded, + is a plus");
        RawHttp.Response read = send("GET", "/kv/a%2Fb+c", null);
        assertEquals(200, read.status());
        assertArrayEquals(value, read.body());
        assertEquals("application/octet-stream", read.header("Content-Type"));
        assertEquals(MapKeyValueService.context(1).toText(), read.header(KeyValueEndpoint.CONTEXT_HEADER));

        assertEquals(204, send("DELETE", "/kv/a%2Fb+c", null).status());
        RawHttp.Response gone = send("GET", "/kv/a%2Fb+c", null);
        assertEquals(404, gone.status());
        assertEquals("NOT_FOUND", error(gone));
        assertEquals(404, send("DELETE", "/kv/a%2Fb+c", null).status(), "the replica held no value");
    }

    @Test
    void aKeySentAsRawUtf8IsRefusedAndItsPercentEncodingIsTheKey() throws Exception {
        // the request line's bytes are read one character each: raw UTF-8 was encoded again and stored under
        // other bytes than the client's (caf\u00c3\u00a9 for café), answering 204
        serve(map);
        RawHttp.Response raw = send("PUT", "/kv/caf\u00c3\u00a9", bytes("x"));
        assertEquals(400, raw.status(), raw.text());
        assertTrue(raw.text().contains("percent-encode"), raw.text());
        assertEquals(204, send("PUT", "/kv/caf%C3%A9", bytes("x")).status());
        assertEquals(Optional.of(Value.of(bytes("x"))), map.getNow(Key.utf8("caf\u00e9")));
    }

    @Test
    void aDeleteWithAContextIsRefusedAndDeletesNothing() throws Exception {
        // the header was ignored: the blind delete took a concurrent write its client never saw, with no word
        serve(map);
        send("PUT", "/kv/k", bytes("v"));
        String seen = send("GET", "/kv/k", null).header(KeyValueEndpoint.CONTEXT_HEADER);
        RawHttp.Response refused = send("DELETE", "/kv/k", null, CONTEXT + seen);
        assertEquals(400, refused.status(), refused.text());
        assertTrue(refused.text().contains("blind"), refused.text());
        assertEquals(Optional.of(Value.of(bytes("v"))), map.getNow(Key.utf8("k")));
        assertEquals(204, send("DELETE", "/kv/k", null).status());
    }

    @Test
    void siblingsAnswer300WithEveryValueAndAPutWithTheirContextReplacesThem() throws Exception {
        serve(map);
        send("PUT", "/kv/k", bytes("first"));
        String seen = send("GET", "/kv/k", null).header(KeyValueEndpoint.CONTEXT_HEADER);
        send("PUT", "/kv/k", bytes("blind"));
        assertEquals(204, send("PUT", "/kv/k", bytes("late"), CONTEXT + seen).status(),
            "a write with an old context keeps what it did not see beside it");

        RawHttp.Response siblings = send("GET", "/kv/k", null);
        assertEquals(300, siblings.status());
        assertEquals("application/json", siblings.header("Content-Type"));
        @SuppressWarnings("unchecked")
        Map<String, Object> json = (Map<String, Object>) TinyJson.parse(siblings.text());
        String context = siblings.header(KeyValueEndpoint.CONTEXT_HEADER);
        assertEquals(context, json.get("context"));
        assertEquals(List.of(base64("blind"), base64("late")), json.get("values"));

        assertEquals(204, send("PUT", "/kv/k", bytes("merged"), CONTEXT + context).status());
        RawHttp.Response merged = send("GET", "/kv/k", null);
        assertEquals(200, merged.status(), merged.text());
        assertEquals("merged", merged.text());
    }

    @Test
    void aPutWithoutAContextIsBlindAndAnEmptyContextSawNothing() throws Exception {
        AtomicReference<CausalContext> handed = new AtomicReference<>();
        serve(new ForwardingKeyValueService(map) {
            @Override
            public void put(Key key, Value value, CausalContext context, Consistency consistency, Answer<Void> answer) {
                handed.set(context);
                super.put(key, value, context, consistency, answer);
            }
        });

        send("PUT", "/kv/k", bytes("v"));
        assertTrue(handed.get().isBlind(), "no header: a blind write, as SET");
        send("PUT", "/kv/k", bytes("v"), CONTEXT);
        assertEquals(CausalContext.SAW_NOTHING, handed.get());
        assertFalse(handed.get().isBlind(), "an empty header: the context of a key found absent, as SETV");
        send("PUT", "/kv/k", bytes("v"), CONTEXT + MapKeyValueService.context(7).toText());
        assertEquals(MapKeyValueService.context(7), handed.get());

        RawHttp.Response bad = send("PUT", "/kv/k", bytes("other"), CONTEXT + "not base64!");
        assertEquals(400, bad.status());
        assertEquals("INVALID_ARGUMENT", error(bad));
        assertEquals(Optional.of(Value.of(bytes("v"))), map.getNow(Key.utf8("k")), "a bad context writes nothing");
    }

    @Test
    void consistencyIsReadPerRequestAsRespReadsIt() throws Exception {
        serve(map);
        assertEquals(404, send("GET", "/kv/k", null).status());
        assertEquals(Consistency.DEFAULT, map.lastConsistency, "the node's default without a parameter");
        send("GET", "/kv/k?consistency=one", null);
        assertEquals(new Consistency(3, 1, 1), map.lastConsistency);
        send("GET", "/kv/k?consistency=ALL", null);
        assertEquals(new Consistency(3, 3, 3), map.lastConsistency);
        send("PUT", "/kv/k?r=1&w=3", bytes("v"));
        assertEquals(new Consistency(3, 1, 3), map.lastConsistency);
        send("DELETE", "/kv/k?w=1", null);
        assertEquals(new Consistency(3, 2, 1), map.lastConsistency, "R stays the default's");

        map.lastConsistency = null;
        RawHttp.Response unknownLevel = send("GET", "/kv/k?consistency=most", null);
        assertEquals(400, unknownLevel.status());
        assertEquals("INVALID_CONSISTENCY", error(unknownLevel));
        assertTrue(message(unknownLevel).startsWith("CONSISTENCY takes ONE, QUORUM, ALL or R=<n>,W=<n>"),
            "the message RESP's CONSISTENCY gives: " + message(unknownLevel));
        for (String query : List.of("r=4", "r=0", "w=x", "consistency=one&r=1", "r=1&r=2", "colour=red")) {
            RawHttp.Response refused = send("PUT", "/kv/k?" + query, bytes("no"));
            assertEquals(400, refused.status(), query + ": " + refused.text());
        }
        assertNull(map.lastConsistency, "a refused consistency reaches no service");
        assertEquals(404, send("GET", "/kv/k", null).status(), "and writes nothing");
    }

    @Test
    void aPutWithATimeToLiveExpiresAndABadOneIsRefused() throws Exception {
        serve(map);
        java.util.concurrent.atomic.AtomicLong ahead = new java.util.concurrent.atomic.AtomicLong();
        map.clock = () -> System.currentTimeMillis() + ahead.get();
        assertEquals(204, send("PUT", "/kv/k?ttl=60", bytes("v")).status());
        assertEquals(200, send("GET", "/kv/k", null).status());
        ahead.set(60_001);
        assertEquals(404, send("GET", "/kv/k", null).status(), "past its time to live the key is absent");
        for (String ttl : List.of("0", "-5", "soon", "9223372036854775807")) {
            RawHttp.Response refused = send("PUT", "/kv/other?ttl=" + ttl, bytes("v"));
            assertEquals(400, refused.status(), ttl);
            assertEquals("INVALID_ARGUMENT", error(refused));
        }
        assertEquals(400, send("GET", "/kv/k?ttl=5", null).status(), "ttl applies to PUT only");
        assertEquals(400, send("DELETE", "/kv/k?ttl=5", null).status());
        assertEquals(Optional.empty(), map.getNow(Key.utf8("other")), "nothing was written");
    }

    @Test
    void badPathsAreRefusedAndOtherMethodsGet405() throws Exception {
        serve(map);
        assertEquals(400, send("GET", "/kv/", null).status(), "no key");
        assertEquals(400, send("GET", "/kv/%zz", null).status(), "a bad escape");
        RawHttp.Response post = send("POST", "/kv/k", bytes("v"));
        assertEquals(405, post.status());
        assertEquals("GET, PUT, DELETE", post.header("Allow"));
        assertEquals("METHOD_NOT_ALLOWED", error(post));
        assertEquals(405, send("HEAD", "/kv/k", null).status());
        assertEquals(405, send("PUT", "/other", bytes("v")).status(), "other pages still take GET and HEAD only");
    }

    @Test
    void tooLargeKeysAndValuesAre413AndABodyIsRefusedBeforeItIsRead() throws Exception {
        serve(map);
        assertEquals(204, send("PUT", "/kv/k", new byte[64]).status(), "a value at the limit");
        RawHttp.Response value = send("PUT", "/kv/k", new byte[65]);
        assertEquals(413, value.status());
        assertEquals("VALUE_TOO_LARGE", error(value));
        RawHttp.Response key = send("PUT", "/kv/" + "k".repeat(17), bytes("v"));
        assertEquals(413, key.status());
        assertEquals("KEY_TOO_LARGE", error(key));

        // a gigabyte announced and three bytes sent: the answer comes without waiting for the rest
        RawHttp.Response huge = RawHttp.raw(server.port(), ("PUT /kv/huge HTTP/1.1\r\nHost: x\r\n"
            + "Content-Length: 1000000000\r\n\r\nabc").getBytes(StandardCharsets.US_ASCII));
        assertEquals(413, huge.status());
        assertTrue(message(huge).contains("1000000000"), huge.text());
        assertEquals(Optional.empty(), map.getNow(Key.utf8("huge")));

        assertEquals(413, send("GET", "/kv/k", bytes("body")).status(), "a GET takes no body");
        assertEquals(413, send("DELETE", "/kv/k", bytes("body")).status(), "a DELETE takes no body");
        assertEquals(Optional.of(Value.of(new byte[64])), map.getNow(Key.utf8("k")), "and deletes nothing");
    }

    @Test
    void aPutNeedsAContentLength() throws Exception {
        serve(map);
        RawHttp.Response chunked = RawHttp.raw(server.port(), ("PUT /kv/k HTTP/1.1\r\nHost: x\r\n"
            + "Transfer-Encoding: chunked\r\n\r\n1\r\nv\r\n0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        assertEquals(411, chunked.status());
        assertEquals("LENGTH_REQUIRED", error(chunked));
        assertEquals(411, send("PUT", "/kv/k", null).status());
        assertEquals(Optional.empty(), map.getNow(Key.utf8("k")));
    }

    @Test
    void failuresAnswerTheirStatusAndWord() throws Exception {
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        serve(new FailingService(failure::get));
        Map<ErrorCode, Integer> statuses = Map.of(ErrorCode.UNAVAILABLE, 503, ErrorCode.TIMEOUT, 504,
            ErrorCode.DISK_FULL, 507, ErrorCode.INVALID_ARGUMENT, 400, ErrorCode.STORAGE_FAILURE, 500,
            ErrorCode.CLOSED, 503);
        Map<ErrorCode, String> words = Map.of(ErrorCode.DISK_FULL, "DISKFULL");
        for (Map.Entry<ErrorCode, Integer> expected : statuses.entrySet()) {
            failure.set(new KvException(expected.getKey(), "because " + expected.getKey()));
            RawHttp.Response answer = send("PUT", "/kv/k", bytes("v"));
            assertEquals(expected.getValue(), answer.status(), answer.text());
            assertEquals("application/json", answer.header("Content-Type"));
            assertEquals(words.getOrDefault(expected.getKey(), expected.getKey().name()), error(answer));
            assertEquals("because " + expected.getKey(), message(answer));
            assertNull(answer.header("Retry-After"), "only a loading node says when to retry");
        }
        failure.set(new IllegalStateException("a bug"));
        RawHttp.Response bug = send("GET", "/kv/k", null);
        assertEquals(500, bug.status());
        assertEquals("INTERNAL", error(bug));
    }

    @Test
    void aLoadingNodeAnswers503WithRetryAfter() throws Exception {
        serve(new ReadinessGatedService(map, () -> "the node is starting"));
        RawHttp.Response loading = send("GET", "/kv/k", null);
        assertEquals(503, loading.status());
        assertEquals("LOADING", error(loading));
        assertEquals("the node is starting", message(loading));
        assertEquals("1", loading.header("Retry-After"));
    }

    @Test
    void aFullQueueIsAnswered503AtOnceAndCounted() throws Exception {
        serve(map, Duration.ofSeconds(30), 2);
        CountDownLatch busy = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        // the front door's thread is held inside a call, and the queue behind it filled
        frontDoor.submit(service -> {
            busy.countDown();
            awaitQuietly(release);
        }, new DiscardingAnswer());
        busy.await();
        while (frontDoor.submit(service -> { }, new DiscardingAnswer())) {
            // fill
        }
        long refusedBefore = counters.value(HttpCounter.QUEUE_FULL);

        RawHttp.Response full = send("GET", "/kv/k", null);
        assertEquals(503, full.status());
        assertEquals("UNAVAILABLE", error(full));
        assertEquals(refusedBefore + 1, counters.value(HttpCounter.QUEUE_FULL));

        release.countDown();
        // the front door runs its queue in order: once this task ran, everything before it has
        CountDownLatch drained = new CountDownLatch(1);
        while (!frontDoor.submit(service -> drained.countDown(), new DiscardingAnswer())) {
            Thread.onSpinWait();
        }
        assertTrue(drained.await(10, java.util.concurrent.TimeUnit.SECONDS), "the queue drained");
        assertEquals(404, send("GET", "/kv/k", null).status(), "served again once the queue drained");
    }

    @Test
    void aRequestTheNodeNeverAnswersGets504AndIsCounted() throws Exception {
        serve(new FailingService(() -> null), Duration.ofMillis(100), 16);
        RawHttp.Response unanswered = send("GET", "/kv/k", null);
        assertEquals(504, unanswered.status());
        assertEquals("TIMEOUT", error(unanswered));
        assertEquals(1, counters.value(HttpCounter.UNANSWERED));
    }

    @Test
    void aServiceThatThrowsIsCountedAndTheFrontDoorServesOn() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean thrown = new java.util.concurrent.atomic.AtomicBoolean();
        serve(new ForwardingKeyValueService(map) {
            @Override
            public void flush() {
                super.flush();
                if (!thrown.getAndSet(true)) {
                    throw new IllegalStateException("a bug in flush");
                }
            }
        });
        assertEquals(404, send("GET", "/kv/k", null).status(), "the calls it had handed over are answered");
        // the answer may reach the client before the front door's thread has counted the failure it caught
        for (int i = 0; i < 1_000 && counters.value(HttpCounter.FAILURES) == 0; i++) {
            Thread.sleep(10);
        }
        assertEquals(1, counters.value(HttpCounter.FAILURES));
        assertEquals(204, send("PUT", "/kv/k", bytes("v")).status(), "the front door's thread lives on");
        assertEquals(1, counters.value(HttpCounter.FAILURES));
    }

    @Test
    void everyRequestIsRecordedByMethodConsistencyAndErrorWord() throws Exception {
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        serve(new FailingService(failure::get));
        failure.set(new KvException(ErrorCode.UNAVAILABLE, "1 of 2 replicas answered"));
        send("PUT", "/kv/k?consistency=one", bytes("v"));
        send("GET", "/kv/k", null);
        send("GET", "/kv/k?consistency=nonsense", null);

        String text = scrape();
        String put = "command=\"http_put\",consistency=\"N=3,R=1,W=1\"";
        String get = "command=\"http_get\",consistency=\"N=3,R=2,W=2\"";
        assertTrue(text.contains("ringkv_request_duration_seconds_count{" + put + "} 1\n"), text);
        assertTrue(text.contains("ringkv_request_errors_total{" + put + ",error=\"UNAVAILABLE\"} 1.0\n"), text);
        assertTrue(text.contains("ringkv_request_duration_seconds_count{" + get + "} 1\n"), text);
        assertTrue(text.contains("ringkv_request_errors_total{command=\"http_get\",consistency=\"none\",error=\"ERR\"}"
            + " 1.0\n"), "a refused consistency is labelled none, its error ERR: " + text);
    }

    private void serve(KeyValueService service) {
        serve(service, Duration.ofSeconds(30), 64);
    }

    private void serve(KeyValueService service, Duration wait, int capacity) {
        frontDoor = HttpFrontDoor.start("test-http-kv", service, capacity, counters);
        NodeHttpServer.Routes routes = new KeyValueEndpoint(frontDoor, LIMITS, Consistency.DEFAULT, metrics.requests(),
            counters.get(HttpCounter.UNANSWERED), wait).addTo(new NodeHttpServer.Routes());
        routes.add("/other", exchange -> NodeHttpServer.send(exchange, 200, "text/plain", bytes("other")));
        server = NodeHttpServer.start("127.0.0.1", 0, "test", routes);
    }

    private RawHttp.Response send(String method, String target, byte[] body, String... headers) throws IOException {
        return RawHttp.send(server.port(), method, target, body, headers);
    }

    private String scrape() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        metrics.write(out);
        return out.toString(StandardCharsets.UTF_8);
    }

    private static String error(RawHttp.Response response) {
        return (String) json(response).get("error");
    }

    private static String message(RawHttp.Response response) {
        return (String) json(response).get("message");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> json(RawHttp.Response response) {
        return (Map<String, Object>) TinyJson.parse(response.text());
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(bytes(text));
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Fails every call with the failure its supplier gives at the time (a {@link KvException} is the node's
     * answer; anything else is thrown, as a bug would be); when the supplier gives null, never answers.
     */
    private static final class FailingService implements KeyValueService {
        private final java.util.function.Supplier<RuntimeException> failure;

        FailingService(java.util.function.Supplier<RuntimeException> failure) {
            this.failure = failure;
        }

        @Override
        public void get(Key key, Consistency consistency, Answer<Optional<Value>> answer) {
            fail(answer);
        }

        @Override
        public void getVersions(Key key, Consistency consistency, Answer<Siblings> answer) {
            fail(answer);
        }

        @Override
        public void put(Key key, Value value, CausalContext context, Consistency consistency, Answer<Void> answer) {
            fail(answer);
        }

        @Override
        public void delete(Key key, Consistency consistency, Answer<Boolean> answer) {
            fail(answer);
        }

        private void fail(Answer<?> answer) {
            RuntimeException now = failure.get();
            if (now instanceof KvException) {
                answer.failed(now);
            } else if (now != null) {
                throw now;
            }
        }
    }

    /** Answers nobody: for calls a test submits to the front door itself. */
    private static final class DiscardingAnswer implements Answer<Object> {
        @Override
        public void succeeded(Object result) {
        }

        @Override
        public void failed(Throwable failure) {
        }
    }
}
