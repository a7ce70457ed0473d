package io.ringkv.node;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import io.ringkv.node.security.TlsSettings;
import java.nio.file.Path;

/**
 * How the client ports treat each client: who may log in, how the Redis-protocol front door bounds each client's
 * time and memory, and TLS.
 *
 * @param idleTimeoutSeconds a connection that sends and receives nothing for this long, with no answer in
 *     flight, is closed; 0 (the default, as Redis' {@code timeout 0}) never closes it: connection pools keep
 *     idle connections on purpose, and an idle connection holds no buffer, only a socket within
 *     {@code maxclients}
 * @param requestTimeoutSeconds a request whose first bytes arrived this long ago and which is still incomplete
 *     closes its connection (default 30); a half-sent request holds a read buffer and up to the largest request
 *     in the parser, so it must not wait forever. 0 waits forever
 * @param maxPendingReplies a connection's requests in flight (sent to the cluster, not yet answered or not yet
 *     read) before the server stops reading from it (default 1024)
 * @param maxUnsentReplyBytes reply bytes a client has not read before the server stops reading its requests and
 *     encoding its answers (default 1 MiB)
 * @param usersFile the users who may log in, with their permissions ({@code io.ringkv.node.auth.UsersFile}), or
 *     null for none: then every client may do everything, and the node must listen on a loopback address unless
 *     {@code allowUnauthenticated}
 * @param allowUnauthenticated serve clients without users even on an address beyond loopback (protected mode
 *     off): for a network the operator trusts
 * @param tls TLS on the client-facing ports ({@link TlsSettings#OFF} by default)
 * @param frontDoorOnAgent the Redis-protocol front door runs on the node's agent thread, not on a thread of its own
 *     (the default): a request then crosses no thread between the client's socket and the coordinator, and neither
 *     side wakes the other. A front door with TLS always has its own thread (a handshake costs milliseconds of CPU,
 *     which must not hold up gossip and replication)
 */
public record ClientSettings(int idleTimeoutSeconds, int requestTimeoutSeconds, int maxPendingReplies,
                             int maxUnsentReplyBytes, Path usersFile, boolean allowUnauthenticated,
                             TlsSettings tls, boolean frontDoorOnAgent) {
    /** The defaults. */
    public static final ClientSettings DEFAULT = new ClientSettings(0, 30, 1024, 1024 * 1024);
    /** Longest timeout: a day. */
    public static final int MAX_TIMEOUT_SECONDS = 86_400;

    /** @throws KvException with {@code INVALID_CONFIGURATION} naming the bad setting and its range */
    public ClientSettings {
        if (tls == null) {
            tls = TlsSettings.OFF;
        }
        check(idleTimeoutSeconds >= 0 && idleTimeoutSeconds <= MAX_TIMEOUT_SECONDS,
            "client-idle-timeout must be 0 (never) to " + MAX_TIMEOUT_SECONDS + " seconds, was " + idleTimeoutSeconds);
        check(requestTimeoutSeconds >= 0 && requestTimeoutSeconds <= MAX_TIMEOUT_SECONDS,
            "client-request-timeout must be 0 (never) to " + MAX_TIMEOUT_SECONDS + " seconds, was "
                + requestTimeoutSeconds);
        check(maxPendingReplies >= 1 && maxPendingReplies <= 1_000_000,
            "client-max-pending-replies must be 1–1000000, was " + maxPendingReplies);
        check(maxUnsentReplyBytes >= 16 * 1024 && maxUnsentReplyBytes <= 1024 * 1024 * 1024,
            "client-max-unsent-bytes must be 16384–1073741824, was " + maxUnsentReplyBytes);
    }

    /** Bounds without users (protected mode on) and without TLS. */
    public ClientSettings(int idleTimeoutSeconds, int requestTimeoutSeconds, int maxPendingReplies,
                          int maxUnsentReplyBytes) {
        this(idleTimeoutSeconds, requestTimeoutSeconds, maxPendingReplies, maxUnsentReplyBytes, null, false,
            TlsSettings.OFF, false);
    }

    /** @return these settings with the users of {@code file} (null for none) */
    public ClientSettings withUsersFile(Path file) {
        return new ClientSettings(idleTimeoutSeconds, requestTimeoutSeconds, maxPendingReplies, maxUnsentReplyBytes,
            file, allowUnauthenticated, tls, frontDoorOnAgent);
    }

    private static void check(boolean valid, String message) {
        if (!valid) {
            throw new KvException(ErrorCode.INVALID_CONFIGURATION, message);
        }
    }
}
