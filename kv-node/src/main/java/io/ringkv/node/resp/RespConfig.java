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
 * @param version the version reported by {@code HELLO} and {@code INFO}
 */
public record RespConfig(String host, int port, Limits limits, Consistency consistency, int maxClients,
                         int maxPendingReplies, int maxRequestBytes, String version) {
    /** Default TCP port: Redis' 6379 moved next to the node's 7400, so both run on one machine. */
    public static final int DEFAULT_PORT = 7379;
    /** A bulk string may exceed the key and value limits by this much and still get a clear error, not a
     * protocol error: it is read (and refused) instead of closing the connection. */
    static final int BULK_SLACK_BYTES = 64 * 1024;

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
    }

    /** The defaults on {@code port}. */
    public static RespConfig onPort(int port) {
        return new RespConfig("127.0.0.1", port, Limits.DEFAULT, Consistency.DEFAULT, 10_000, 1024,
            4 * 1024 * 1024, defaultVersion());
    }

    /** @return a copy with other limits */
    public RespConfig withLimits(Limits newLimits) {
        return new RespConfig(host, port, newLimits, consistency, maxClients, maxPendingReplies, maxRequestBytes,
            version);
    }

    /** @return a copy with another bound on pending replies per connection */
    public RespConfig withMaxPendingReplies(int pending) {
        return new RespConfig(host, port, limits, consistency, maxClients, pending, maxRequestBytes, version);
    }

    /** @return a copy with another bound on connections */
    public RespConfig withMaxClients(int clients) {
        return new RespConfig(host, port, limits, consistency, clients, maxPendingReplies, maxRequestBytes, version);
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
