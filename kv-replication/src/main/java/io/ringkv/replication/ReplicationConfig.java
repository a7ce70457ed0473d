package io.ringkv.replication;

import io.ringkv.api.Consistency;
import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import io.ringkv.api.Limits;
import io.ringkv.replication.internal.MessageSizes;
import java.util.Objects;

/**
 * A cluster's replication settings, validated at construction with an error naming the setting and its range.
 *
 * @param resolver the {@link io.ringkv.api.ConflictResolver} name, e.g. {@code vector-clock} or {@code lww}
 * @param consistency N, R and W for requests that do not override them
 * @param limits key and value limits (a replica refuses larger input)
 * @param requestTimeoutNanos how long a request waits for R or W replies before {@code TIMEOUT} (default 1 s)
 * @param retryIntervalNanos how often unanswered replicas are asked again within the timeout (default 200 ms)
 * @param maxClockEntries vector clock entries of a version (its past and its dot) kept before the oldest are
 *     pruned, 2 to 1024 (default 16)
 * @param maxSiblings siblings a replica keeps for one key; a write that would exceed it is refused (default 4)
 * @param maxPendingRequests requests a coordinator tracks at once; reads kept open only for read repair and
 *     acknowledged writes still catching up a replica go first, new requests beyond the limit fail with
 *     {@code UNAVAILABLE} (default 10 000)
 * @param catchUpWindowNanos how long after a write was acknowledged its coordinator keeps sending it to replicas
 *     that have not acknowledged it yet, while the failure detector believes them alive (default 30 s): a dropped
 *     datagram or a briefly busy replica must not leave a replica without the write
 * @param tombstoneGraceMillis how long a delete's tombstone is kept at least (the storage engine's grace, default
 *     10 days); a replica that holds nothing for a key does not take, from a repair, a tombstone older than this:
 *     other replicas may have purged it already, and taking it back would pass it around between replicas forever
 */
public record ReplicationConfig(String resolver, Consistency consistency, Limits limits, long requestTimeoutNanos,
                                long retryIntervalNanos, int maxClockEntries, int maxSiblings,
                                int maxPendingRequests, long catchUpWindowNanos, long tombstoneGraceMillis) {
    /**
     * Largest message the transports carry: a full sibling set must fit in one Put, HintedPut and GetResponse, and a
     * value with its context in one Coordinate (see {@link MessageSizes#worstCase}).
     */
    public static final int MAX_MESSAGE_BYTES = 64 * 1024;

    /** The defaults: vector clocks, N=3 R=2 W=2, 1 s timeout. */
    public static final ReplicationConfig DEFAULT = new ReplicationConfig("vector-clock", Consistency.DEFAULT,
        Limits.DEFAULT, 1_000_000_000L, 200_000_000L, 16, 4, 10_000, 30_000_000_000L,
        io.ringkv.storage.EngineConfig.DEFAULT_TOMBSTONE_GRACE_SECONDS * 1000);

    /** @throws KvException with {@link ErrorCode#INVALID_CONFIGURATION} naming the bad setting */
    public ReplicationConfig {
        Objects.requireNonNull(consistency, "consistency");
        Objects.requireNonNull(limits, "limits");
        if (resolver == null || resolver.isBlank()) {
            throw invalid("replication.resolver must name a conflict resolver (lww, vector-clock, ...)");
        }
        if (requestTimeoutNanos < 1_000_000) {
            throw invalid("replication.request-timeout must be at least 1 ms, was " + requestTimeoutNanos + " ns");
        }
        if (retryIntervalNanos < 1_000_000 || retryIntervalNanos > requestTimeoutNanos) {
            throw invalid("replication.retry-interval must be 1 ms to the request timeout, was "
                + retryIntervalNanos + " ns");
        }
        // a version is its past (at least one entry, the context it supersedes) plus its own dot
        if (maxClockEntries < 2 || maxClockEntries > 1024) {
            throw invalid("replication.max-clock-entries must be 2–1024, was " + maxClockEntries);
        }
        if (maxSiblings < 1) {
            throw invalid("replication.max-siblings must be at least 1, was " + maxSiblings);
        }
        requireOneMessageFits(limits, maxSiblings, maxClockEntries);
        if (maxPendingRequests < 1) {
            throw invalid("replication.max-pending-requests must be at least 1, was " + maxPendingRequests);
        }
        if (catchUpWindowNanos < 0) {
            throw invalid("replication.catch-up-window must not be negative, was " + catchUpWindowNanos + " ns");
        }
        if (tombstoneGraceMillis < 0) {
            throw invalid("tombstone grace must not be negative, was " + tombstoneGraceMillis + " ms");
        }
    }

    /** @return a copy that resolves conflicts with {@code name} */
    public ReplicationConfig withResolver(String name) {
        return new ReplicationConfig(name, consistency, limits, requestTimeoutNanos, retryIntervalNanos,
            maxClockEntries, maxSiblings, maxPendingRequests, catchUpWindowNanos, tombstoneGraceMillis);
    }

    /** @return a copy with {@code value} as the cluster's N, R and W */
    public ReplicationConfig withConsistency(Consistency value) {
        return new ReplicationConfig(resolver, value, limits, requestTimeoutNanos, retryIntervalNanos,
            maxClockEntries, maxSiblings, maxPendingRequests, catchUpWindowNanos, tombstoneGraceMillis);
    }

    /** @return a copy that prunes vector clocks past {@code entries} */
    public ReplicationConfig withMaxClockEntries(int entries) {
        return new ReplicationConfig(resolver, consistency, limits, requestTimeoutNanos, retryIntervalNanos,
            entries, maxSiblings, maxPendingRequests, catchUpWindowNanos, tombstoneGraceMillis);
    }

    /** @return a copy that keeps sending acknowledged writes to lagging replicas for {@code nanos} */
    public ReplicationConfig withCatchUpWindow(long nanos) {
        return new ReplicationConfig(resolver, consistency, limits, requestTimeoutNanos, retryIntervalNanos,
            maxClockEntries, maxSiblings, maxPendingRequests, nanos, tombstoneGraceMillis);
    }

    /** @return a copy that keeps tombstones at least {@code millis} (the storage engine's grace) */
    public ReplicationConfig withTombstoneGraceMillis(long millis) {
        return new ReplicationConfig(resolver, consistency, limits, requestTimeoutNanos, retryIntervalNanos,
            maxClockEntries, maxSiblings, maxPendingRequests, catchUpWindowNanos, millis);
    }

    /** @return the limits the replica's storage engine must be opened with: room for every sibling's value */
    public Limits storageLimits() {
        return new Limits(limits.maxKeyBytes(), limits.maxValueBytes() * maxSiblings);
    }

    /**
     * Refuses settings under which a legal sibling set (or a write with its context) might not fit one message: the
     * worst case counts every sibling at the largest value with a version of {@code maxClockEntries} entries of
     * {@link io.ringkv.api.NodeId#MAX_LENGTH}-character node ids, since the ids of future nodes are not known here.
     */
    private static void requireOneMessageFits(Limits limits, int maxSiblings, int maxClockEntries) {
        long worst = worstCase(limits.maxValueBytes(), maxSiblings, maxClockEntries, limits);
        if (worst <= MAX_MESSAGE_BYTES) {
            return;
        }
        throw invalid("replication.max-siblings=" + maxSiblings + " × (max-value-bytes=" + limits.maxValueBytes()
            + " + a version of up to max-clock-entries=" + maxClockEntries + " entries of 64-character node ids) with "
            + limits.maxKeyBytes() + "-byte keys needs up to " + worst + " bytes, more than one " + MAX_MESSAGE_BYTES
            + "-byte replication message; keeping the other two settings, the largest that fit are max-siblings="
            + largestFitting(1, 0xFFFF, s -> worstCase(limits.maxValueBytes(), s, maxClockEntries, limits))
            + ", max-clock-entries="
            + largestFitting(2, 1024, e -> worstCase(limits.maxValueBytes(), maxSiblings, e, limits))
            + ", max-value-bytes="
            + largestFitting(0, Limits.VALUE_LIMIT_CEILING, v -> worstCase(v, maxSiblings, maxClockEntries, limits)));
    }

    private static long worstCase(int maxValueBytes, int maxSiblings, int maxClockEntries, Limits limits) {
        return MessageSizes.worstCase(limits.maxKeyBytes(), maxValueBytes, maxSiblings, maxClockEntries);
    }

    /** @return the largest setting in [low, high] whose worst case fits one message (it grows with the setting) */
    private static String largestFitting(int low, int high, java.util.function.IntToLongFunction worstCase) {
        int best = -1;
        while (low <= high) {
            int middle = (low + high) >>> 1;
            if (worstCase.applyAsLong(middle) <= MAX_MESSAGE_BYTES) {
                best = middle;
                low = middle + 1;
            } else {
                high = middle - 1;
            }
        }
        return best < 0 ? "none" : Integer.toString(best);
    }

    private static KvException invalid(String message) {
        return new KvException(ErrorCode.INVALID_CONFIGURATION, message);
    }
}
