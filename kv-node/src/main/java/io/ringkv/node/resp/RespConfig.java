package io.ringkv.node.resp;

import io.ringkv.api.Consistency;
import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import io.ringkv.api.Limits;
import java.util.Objects;

/**
 * Settings of the Redis-protocol front door.
 *
 * @param host the address to listen on (default {@code 127.0.0.1})
 * @param port the TCP port, 0 for any free one (default {@value #DEFAULT_PORT})
 * @param limits key and value limits enforced on every command (default {@link Limits#DEFAULT})
 * @param consistency what each connection starts with until it sends {@code CONSISTENCY} (default
 *     {@link Consistency#DEFAULT})
 * @param maxClients connections served at once; more are answered with an error and closed (default 10,000)
 * @param maxPendingReplies a connection's unanswered pipelined requests before the server stops reading from
 *     it until replies drain (default 1,024)
 * @param maxRequestBytes largest request a connection may send, its arguments plus 32 bytes each; a larger one
 *     is a protocol error and closes the connection (default 4 MiB)
 * @param maxUnsentReplyBytes reply bytes a connection's client has not read yet before the server stops
 *     encoding its answers and reading its requests until they drain (default 1 MiB); also the connection's reply
 *     budget: a request is dispatched only while the worst-case replies of its requests in flight, its own and
 *     the bytes unsent fit it (one request is always let through when none is in flight), and a request whose
 *     worst case exceeds {@link #maxReplyBytesPerRequest()} is refused
 * @param idleTimeoutMillis a connection that moves no byte either way for this long (and waits for no answer)
 *     is closed; 0 never closes it, as Redis' {@code timeout 0} (default 0)
 * @param requestTimeoutMillis a request whose first bytes arrived this long ago and which is still incomplete
 *     closes its connection, so a half-sent request cannot hold its buffers forever; 0 waits forever
 *     (default 30 s)
 * @param version the version reported by {@code HELLO} and {@code INFO}
 */
public record RespConfig(String host, int port, Limits limits, Consistency consistency, int maxClients,
                         int maxPendingReplies, int maxRequestBytes, int maxUnsentReplyBytes,
                         long idleTimeoutMillis, long requestTimeoutMillis, String version) {
    /** Default TCP port: Redis' 6379 moved next to the node's 7400, so both run on one machine. */
    public static final int DEFAULT_PORT = 7379;
    /** A bulk string may exceed the key and value limits by this much and still get a clear error, not a
     * protocol error: it is read (and refused) instead of closing the connection. */
    static final int BULK_SLACK_BYTES = 64 * 1024;
    /** Default bound on reply bytes a client has not read. */
    public static final int DEFAULT_MAX_UNSENT_REPLY_BYTES = 1024 * 1024;
    /** Default time a request may take to arrive whole. */
    public static final long DEFAULT_REQUEST_TIMEOUT_MILLIS = 30_000;
    /** Longest timeout accepted: a day. */
    static final long MAX_TIMEOUT_MILLIS = 86_400_000L;

    /** @throws KvException with {@code INVALID_CONFIGURATION} naming the bad setting and its range */
    public RespConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(consistency, "consistency");
        Objects.requireNonNull(version, "version");
        check(port >= 0 && port <= 65_535, "RESP port must be 0–65535, was " + port);
        check(maxClients >= 1 && maxClients <= 1_000_000, "RESP max clients must be 1–1000000, was " + maxClients);
        check(maxPendingReplies >= 1 && maxPendingReplies <= 1_000_000,
            "RESP max pending replies must be 1–1000000, was " + maxPendingReplies);
        int minimum = maxBulkBytes(limits) + 1024;
        check(maxRequestBytes >= minimum && maxRequestBytes <= 512 * 1024 * 1024,
            "RESP max request bytes must be " + minimum + "–" + 512 * 1024 * 1024 + " (room for the largest key"
                + " and value), was " + maxRequestBytes);
        check(maxUnsentReplyBytes >= 16 * 1024 && maxUnsentReplyBytes <= 1024 * 1024 * 1024,
            "RESP max unsent reply bytes must be 16384–1073741824, was " + maxUnsentReplyBytes);
        check(idleTimeoutMillis >= 0 && idleTimeoutMillis <= MAX_TIMEOUT_MILLIS,
            "RESP client idle timeout must be 0 (never) to " + MAX_TIMEOUT_MILLIS / 1000 + " s, was "
                + idleTimeoutMillis + " ms");
        check(requestTimeoutMillis >= 0 && requestTimeoutMillis <= MAX_TIMEOUT_MILLIS,
            "RESP client request timeout must be 0 (never) to " + MAX_TIMEOUT_MILLIS / 1000 + " s, was "
                + requestTimeoutMillis + " ms");
    }

    /** The defaults on {@code port}. */
    public static RespConfig onPort(int port) {
        return new RespConfig("127.0.0.1", port, Limits.DEFAULT, Consistency.DEFAULT, 10_000, 1024,
            4 * 1024 * 1024, DEFAULT_MAX_UNSENT_REPLY_BYTES, 0, DEFAULT_REQUEST_TIMEOUT_MILLIS, defaultVersion());
    }

    /** @return a copy with other limits */
    public RespConfig withLimits(Limits newLimits) {
        return new RespConfig(host, port, newLimits, consistency, maxClients, maxPendingReplies, maxRequestBytes,
            maxUnsentReplyBytes, idleTimeoutMillis, requestTimeoutMillis, version);
    }

    /** @return a copy with other bounds on a connection's answers in flight and reply bytes not yet read */
    public RespConfig withBackPressure(int pending, int unsentBytes) {
        return new RespConfig(host, port, limits, consistency, maxClients, pending, maxRequestBytes, unsentBytes,
            idleTimeoutMillis, requestTimeoutMillis, version);
    }

    /** @return a copy with another bound on pending replies per connection */
    public RespConfig withMaxPendingReplies(int pending) {
        return withBackPressure(pending, maxUnsentReplyBytes);
    }

    /** @return a copy with other timeouts for idle connections and incomplete requests (0 = never) */
    public RespConfig withTimeouts(long idleMillis, long requestMillis) {
        return new RespConfig(host, port, limits, consistency, maxClients, maxPendingReplies, maxRequestBytes,
            maxUnsentReplyBytes, idleMillis, requestMillis, version);
    }

    /** @return a copy with another bound on connections */
    public RespConfig withMaxClients(int clients) {
        return new RespConfig(host, port, limits, consistency, clients, maxPendingReplies, maxRequestBytes,
            maxUnsentReplyBytes, idleTimeoutMillis, requestTimeoutMillis, version);
    }

    /**
     * @return the most reply bytes one request may be able to produce (its worst case, from the limits): 16 times
     *     {@link #maxUnsentReplyBytes()}, 16 MiB by default; a larger request is refused and asked to be split
     */
    public long maxReplyBytesPerRequest() {
        return 16L * maxUnsentReplyBytes;
    }

    /** Longest bulk string the parser accepts: longer declared lengths are refused before any allocation. */
    int maxBulkBytes() {
        return maxBulkBytes(limits);
    }

    private static int maxBulkBytes(Limits limits) {
        return Math.max(limits.maxKeyBytes(), limits.maxValueBytes()) + BULK_SLACK_BYTES;
    }

    private static String defaultVersion() {
        Module module = RespConfig.class.getModule();
        return module.getDescriptor() == null ? "development"
            : module.getDescriptor().rawVersion().orElse("development");
    }

    private static void check(boolean valid, String message) {
        if (!valid) {
            throw new KvException(ErrorCode.INVALID_CONFIGURATION, message);
        }
    }
}
