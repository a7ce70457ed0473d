package io.ringkv.node.http;

import com.sun.net.httpserver.HttpExchange;
import io.ringkv.api.Consistency;
import io.ringkv.api.Counter;
import io.ringkv.api.Limits;
import io.ringkv.api.Value;
import io.ringkv.node.metrics.RequestMetrics;
import io.ringkv.node.service.Answer;
import io.ringkv.node.service.AnswerChannel;
import io.ringkv.node.service.CausalContext;
import io.ringkv.node.service.KeyValueService;
import io.ringkv.node.service.Siblings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;

/**
 * The key-value API over HTTP, {@code /kv/{key}}: the same requests as RESP's GETV, SET/SETV and DEL, answered by
 * the same {@link KeyValueService} rules, through the {@link HttpFrontDoor}'s thread.
 *
 * <ul>
 *   <li>{@code GET}: 200 with the value ({@code application/octet-stream}); 300 with every sibling when replicas
 *       hold concurrent values ({@code application/json}: {@code {"context":"...","values":["<base64>",...]}});
 *       404 when the key has no value. The causal context is in the {@value #CONTEXT_HEADER} header (when there is
 *       one).
 *   <li>{@code PUT}: the body is the value; 204 once written. Without {@value #CONTEXT_HEADER} the write is blind
 *       (as SET); with the context a GET gave, it supersedes what that GET saw (as SETV); an empty header is the
 *       context of a key found absent (the write supersedes nothing). The body needs a {@code Content-Length}
 *       (411 without one) no larger than the node's value limit (413, answered before any of it is read).
 *       {@code ?ttl=<seconds>} makes the value expire (as {@code SET ... EX}); without it the value never does.
 *   <li>{@code DELETE}: 204 when the replica that coordinated the delete held a value, 404 when it did not (the
 *       tombstone is written either way). A delete is blind (as DEL): one sent with {@value #CONTEXT_HEADER} is
 *       refused with 400, not taken for a delete of only what that context saw.
 * </ul>
 * Every request takes {@code ?consistency=one|quorum|all} or {@code ?r=<n>&w=<n>}. Errors answer a small JSON body,
 * {@code {"error":"UNAVAILABLE","message":"..."}}: 400 bad request, 401 not logged in and 403 not permitted (when
 * the node has users, see {@link BasicAuth}), 405 other methods, 413 too large, 503
 * unavailable or loading (with {@code Retry-After}) or the front door's queue full, 504 timeout, 507 disk full.
 * Each request is recorded in the request metrics as {@code http_get}, {@code http_put} or {@code http_delete}.
 */
public final class KeyValueEndpoint {
    /** The header that carries a key's causal context, base64url as RESP's GETV gives it. */
    public static final String CONTEXT_HEADER = "X-Ringkv-Context";
    /** Seconds a client should wait before it retries a node that is loading. */
    static final int LOADING_RETRY_SECONDS = 1;
    /**
     * The statuses each method may answer (500 when the node fails unexpectedly; 401 and 403 from {@link BasicAuth}
     * when the node has users); any other method gets 405. The OpenAPI description lists the same, and a test
     * checks it.
     */
    static final Map<String, Set<Integer>> STATUSES = Map.of(
        "GET", Set.of(200, 300, 400, 401, 404, 413, 500, 503, 504),
        "PUT", Set.of(204, 400, 401, 403, 411, 413, 500, 503, 504, 507),
        "DELETE", Set.of(204, 400, 401, 403, 404, 413, 500, 503, 504, 507));
    private static final String OCTETS = "application/octet-stream";
    private static final String JSON = "application/json";
    private static final Base64.Encoder VALUE_TEXT = Base64.getEncoder();

    private final HttpFrontDoor frontDoor;
    private final Limits limits;
    private final Consistency defaults;
    private final RequestMetrics requests;
    private final Counter unanswered;
    private final long waitNanos;

    /**
     * @param frontDoor the thread that calls the service
     * @param limits the node's key and value limits
     * @param defaults the consistency of a request that names none
     * @param requests records every GET, PUT and DELETE
     * @param unanswered counts requests given up on after {@code wait} (answered 504)
     * @param wait how long an exchange waits for the node's answer; longer than the coordinator's own timeout, so
     *     that it answers first
     */
    public KeyValueEndpoint(HttpFrontDoor frontDoor, Limits limits, Consistency defaults, RequestMetrics requests,
                            Counter unanswered, Duration wait) {
        this.frontDoor = frontDoor;
        this.limits = limits;
        this.defaults = defaults;
        this.requests = requests;
        this.unanswered = unanswered;
        this.waitNanos = wait.toNanos();
    }

    /** Adds {@code /kv/} to {@code routes}, with its own methods (GET, PUT, DELETE) and request bodies. */
    public NodeHttpServer.Routes addTo(NodeHttpServer.Routes routes) {
        return routes.addWithOwnMethods(KeyValueTarget.PREFIX, this::handle);
    }

    private void handle(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        if (!STATUSES.containsKey(method)) {
            exchange.getResponseHeaders().set("Allow", "GET, PUT, DELETE");
            send(exchange, Reply.of(new HttpProblem(405, "METHOD_NOT_ALLOWED", "method " + method
                + " is not allowed on " + KeyValueTarget.PREFIX + "{key}: use GET, PUT or DELETE")));
            return;
        }
        long started = System.nanoTime();
        String consistency = RequestMetrics.NO_CONSISTENCY;
        Reply reply;
        try {
            KeyValueTarget target = KeyValueTarget.parse(exchange.getRequestURI().getRawPath(),
                exchange.getRequestURI().getRawQuery(), limits, defaults);
            consistency = target.consistency().toString();
            reply = switch (method) {
                case "GET" -> get(exchange, target);
                case "PUT" -> put(exchange, target);
                default -> delete(exchange, target);
            };
        } catch (HttpProblem problem) {
            reply = Reply.failed(problem);
        } catch (RuntimeException e) {
            reply = Reply.failed(HttpProblem.of(e));
        }
        // recorded before the client has its answer, so whoever reads the metrics after it sees this request
        requests.record("http_" + method.toLowerCase(Locale.ROOT), consistency, System.nanoTime() - started,
            reply.error());
        send(exchange, reply);
    }

    private Reply get(HttpExchange exchange, KeyValueTarget target) throws HttpProblem {
        refuseBody(exchange);
        refuseExpiry(target);
        Siblings siblings = this.<Siblings>ask((service, answer) ->
            service.getVersions(target.key(), target.consistency(), answer));
        if (!siblings.context().isEmpty()) {
            exchange.getResponseHeaders().set(CONTEXT_HEADER, siblings.context().toText());
        }
        List<Value> values = siblings.values();
        if (values.isEmpty()) {
            return Reply.of(new HttpProblem(404, "NOT_FOUND", "the key has no value"));
        }
        return values.size() == 1 ? new Reply(200, OCTETS, values.getFirst().toByteArray(), null)
            : new Reply(300, JSON, siblingsJson(siblings), null);
    }

    private Reply put(HttpExchange exchange, KeyValueTarget target) throws IOException, HttpProblem {
        CausalContext context = context(exchange);
        Value value = Value.of(readBody(exchange), limits);
        this.<Void>ask((service, answer) -> service.put(target.key(), value, context, target.expiry(),
            target.consistency(), answer));
        return Reply.NO_CONTENT;
    }

    private Reply delete(HttpExchange exchange, KeyValueTarget target) throws HttpProblem {
        refuseBody(exchange);
        refuseExpiry(target);
        if (exchange.getRequestHeaders().containsKey(CONTEXT_HEADER)) {
            // ignored, it would delete a concurrent write its client never saw, with no word of it
            throw new HttpProblem(400, "INVALID_ARGUMENT", "a DELETE is blind: it supersedes every version, so it"
                + " takes no " + CONTEXT_HEADER + " (nothing was deleted)");
        }
        boolean existed = this.<Boolean>ask((service, answer) ->
            service.delete(target.key(), target.consistency(), answer));
        return existed ? Reply.NO_CONTENT
            : Reply.of(new HttpProblem(404, "NOT_FOUND", "the key had no value (a tombstone was written)"));
    }

    private static void refuseExpiry(KeyValueTarget target) throws HttpProblem {
        if (!target.expiry().equals(io.ringkv.api.Expiry.NONE)) {
            throw new HttpProblem(400, "INVALID_ARGUMENT", "ttl applies to PUT only");
        }
    }

    /** @return the context the client handed back, or {@link CausalContext#NONE} (a blind write) without one */
    private static CausalContext context(HttpExchange exchange) throws HttpProblem {
        List<String> headers = exchange.getRequestHeaders().get(CONTEXT_HEADER);
        if (headers == null) {
            return CausalContext.NONE;
        }
        if (headers.size() != 1) {
            throw new HttpProblem(400, "INVALID_ARGUMENT", CONTEXT_HEADER + " is given more than once");
        }
        try {
            return CausalContext.fromText(headers.getFirst().trim());
        } catch (IllegalArgumentException e) {
            throw new HttpProblem(400, "INVALID_ARGUMENT", "invalid causal context in " + CONTEXT_HEADER
                + ": pass back the header a GET of the key answered");
        }
    }

    /**
     * Reads the value, after its declared length passed the node's limit: a client cannot make the node hold more
     * than one value's bytes, whatever it sends.
     */
    private byte[] readBody(HttpExchange exchange) throws IOException, HttpProblem {
        if (exchange.getRequestHeaders().containsKey("Transfer-Encoding")) {
            throw new HttpProblem(411, "LENGTH_REQUIRED", "send the value with a Content-Length, not chunked");
        }
        long length = contentLength(exchange);
        if (length < 0) {
            throw new HttpProblem(411, "LENGTH_REQUIRED", "a PUT needs a Content-Length");
        }
        if (length > limits.maxValueBytes()) {
            throw new HttpProblem(413, "VALUE_TOO_LARGE", "value is " + length + " bytes; the limit is "
                + limits.maxValueBytes() + " bytes");
        }
        InputStream body = exchange.getRequestBody();
        byte[] value = body.readNBytes((int) length);
        if (value.length < length) {
            throw new HttpProblem(400, "INVALID_ARGUMENT", "the body ended after " + value.length + " of its "
                + length + " bytes");
        }
        return value;
    }

    /** GET and DELETE take no body: refused before any of it is read. */
    private static void refuseBody(HttpExchange exchange) throws HttpProblem {
        if (exchange.getRequestHeaders().containsKey("Transfer-Encoding") || contentLength(exchange) > 0) {
            throw new HttpProblem(413, "BODY_NOT_ALLOWED", exchange.getRequestMethod() + " takes no request body");
        }
    }

    /** @return the declared Content-Length, or -1 without one */
    private static long contentLength(HttpExchange exchange) throws HttpProblem {
        List<String> lengths = exchange.getRequestHeaders().get("Content-Length");
        if (lengths == null) {
            return -1;
        }
        try {
            long length = lengths.size() == 1 ? Long.parseLong(lengths.getFirst().trim()) : -1;
            if (length >= 0) {
                return length;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new HttpProblem(400, "INVALID_ARGUMENT", "Content-Length must be one number of bytes");
    }

    /**
     * Hands {@code call} to the front door's thread and waits for its answer on this exchange's thread.
     *
     * @throws HttpProblem the answer's failure; 503 when the front door's queue is full, 504 when no answer came in
     *     time
     */
    private <T> T ask(BiConsumer<KeyValueService, Answer<T>> call) throws HttpProblem {
        FutureAnswer<T> answer = new FutureAnswer<>(frontDoor);
        if (!frontDoor.submit(service -> call.accept(service, answer), answer)) {
            throw new HttpProblem(503, "UNAVAILABLE", "the node's HTTP request queue is full; retry later");
        }
        try {
            return answer.result.get(waitNanos, TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw HttpProblem.of(e.getCause());
        } catch (TimeoutException e) {
            unanswered.increment();
            throw new HttpProblem(504, "TIMEOUT", "the node did not answer within "
                + TimeUnit.NANOSECONDS.toMillis(waitNanos) + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HttpProblem(503, "CLOSED", "the node is stopping");
        }
    }

    private static byte[] siblingsJson(Siblings siblings) {
        StringBuilder json = new StringBuilder("{\"context\":").append(Json.string(siblings.context().toText()))
            .append(",\"values\":[");
        for (int i = 0; i < siblings.values().size(); i++) {
            json.append(i == 0 ? "" : ",").append('"')
                .append(VALUE_TEXT.encodeToString(siblings.values().get(i).toByteArray())).append('"');
        }
        return json.append("]}\n").toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void send(HttpExchange exchange, Reply reply) throws IOException {
        int status = reply.status();
        assert status == 405 || STATUSES.get(exchange.getRequestMethod()).contains(status)
            : exchange.getRequestMethod() + " answered " + status + ", which the API does not list";
        if (reply.retryAfter()) {
            exchange.getResponseHeaders().set("Retry-After", Integer.toString(LOADING_RETRY_SECONDS));
        }
        NodeHttpServer.send(exchange, status, reply.contentType(), reply.body());
    }

    /**
     * A response: status, body, and the error request metrics record (null when the request did not fail: a 404 is
     * an answer, as RESP's nil is).
     */
    private record Reply(int status, String contentType, byte[] body, String error) {
        static final Reply NO_CONTENT = new Reply(204, OCTETS, new byte[0], null);

        /** @return {@code problem}'s answer, not counted as a failure */
        static Reply of(HttpProblem problem) {
            return new Reply(problem.status(), JSON, problem.json(), null);
        }

        /** @return {@code problem}'s answer, counted as a failure by its word */
        static Reply failed(HttpProblem problem) {
            return new Reply(problem.status(), JSON, problem.json(), problem.forMetrics());
        }

        boolean retryAfter() {
            return error != null && error.startsWith("LOADING ");
        }
    }

    /** Completes a future with the service's answer, on the front door's thread. */
    private static final class FutureAnswer<T> implements Answer<T> {
        private final CompletableFuture<T> result = new CompletableFuture<>();
        private final AnswerChannel channel;

        FutureAnswer(AnswerChannel channel) {
            this.channel = channel;
        }

        @Override
        public void succeeded(T value) {
            result.complete(value);
        }

        @Override
        public void failed(Throwable failure) {
            result.completeExceptionally(failure);
        }

        @Override
        public AnswerChannel channel() {
            return channel;
        }
    }
}
