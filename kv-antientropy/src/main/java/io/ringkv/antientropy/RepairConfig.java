package io.ringkv.antientropy;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;

/**
 * Anti-entropy settings.
 *
 * @param leafCount leaves of one range's hash tree (a power of two, 16–8,192; default 1,024: 8 KiB of leaf hashes,
 *     which travel in one message)
 * @param retryIntervalNanos how often unanswered requests and unacknowledged records are sent again (default 500 ms)
 * @param sessionTimeoutNanos a session with no progress for this long fails (default 30 s); a responder forgets an
 *     idle session after it too
 * @param maxResponderSessions sessions a node serves for peers at once; more are refused as busy (default 4; one
 *     whose initiator ended it and that only resends records waiting for an acknowledgement does not count)
 * @param maxLeavesInFlight differing leaves one session compares at once (default 8)
 * @param maxListingBytes the most heap a session's copies of a peer's leaf listings (keys and hashes) may take,
 *     estimated, and the most encoded bytes of keys a peer asked for that a served session holds before sending
 *     their records (default 64 MiB, at least 64 KiB: a few hundred keys per leaf, for tests). A peer's messages
 *     cannot make a node hold more: a session compares one leaf at a time when its leaves' listings would take more
 *     together, and fails, saying so, when one leaf's newest listing alone would; a served session sets asked-for
 *     keys beyond it aside until the initiator asks again. One leaf's listing comes near the default only at about
 *     700,000 keys of 32 bytes (a range of 700 million at the default 1,024 leaves) or 60,000 keys of 1 KiB
 */
public record RepairConfig(int leafCount, long retryIntervalNanos, long sessionTimeoutNanos,
                           int maxResponderSessions, int maxLeavesInFlight, long maxListingBytes) {
    /** The default {@link #maxListingBytes()}: 64 MiB. */
    public static final long DEFAULT_MAX_LISTING_BYTES = 64L * 1024 * 1024;
    /** The defaults. */
    public static final RepairConfig DEFAULT = new RepairConfig(1024, 500_000_000L, 30_000_000_000L, 4, 8);

    /** The settings with the default {@link #maxListingBytes()}. */
    public RepairConfig(int leafCount, long retryIntervalNanos, long sessionTimeoutNanos, int maxResponderSessions,
                        int maxLeavesInFlight) {
        this(leafCount, retryIntervalNanos, sessionTimeoutNanos, maxResponderSessions, maxLeavesInFlight,
            DEFAULT_MAX_LISTING_BYTES);
    }

    /** @throws KvException with {@code INVALID_CONFIGURATION} naming the bad setting */
    public RepairConfig {
        if (leafCount < 16 || leafCount > 8192 || Integer.bitCount(leafCount) != 1) {
            throw invalid("repair.leaves must be a power of two, 16–8192, was " + leafCount);
        }
        if (retryIntervalNanos < 1_000_000 || sessionTimeoutNanos < retryIntervalNanos) {
            throw invalid("repair.retry-interval must be at least 1 ms and below the session timeout");
        }
        if (maxResponderSessions < 1 || maxLeavesInFlight < 1) {
            throw invalid("repair.max-sessions and repair.max-leaves-in-flight must be at least 1");
        }
        if (maxListingBytes < 64 * 1024) {
            throw invalid("repair.max-listing-bytes must be at least 65536, was " + maxListingBytes);
        }
    }

    private static KvException invalid(String message) {
        return new KvException(ErrorCode.INVALID_CONFIGURATION, message);
    }
}
