package io.ringkv.replication;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import java.util.Locale;
import java.util.Objects;

/**
 * Sloppy quorum and hinted handoff settings, validated at construction with an error naming the setting.
 *
 * @param sloppyQuorum whether a write's DOWN replicas are replaced by substitutes that keep hints (default on)
 * @param hintedWrites whether a substitute's durable hint counts toward W ({@link HintedWrites})
 * @param windowNanos a replica down longer than this gets no new hints (it needs anti-entropy); default 3 h
 * @param maxBytesPerTarget hint bytes a node keeps for one replica; beyond it new hints are refused and counted
 *     (default 256 MiB)
 * @param maxBytesTotal hint bytes a node keeps in all (default 1 GiB)
 * @param deliveryBytesPerSecond how fast a node hands hints to one returning replica (default 4 MiB/s)
 * @param maxInFlight hints sent to one replica and not acknowledged yet, at most (back-pressure; default 32)
 * @param deliveryIntervalNanos how often a node looks for returned replicas and resends unacknowledged hints
 *     (default 1 s)
 */
public record HintConfig(boolean sloppyQuorum, HintedWrites hintedWrites, long windowNanos, long maxBytesPerTarget,
                         long maxBytesTotal, long deliveryBytesPerSecond, int maxInFlight,
                         long deliveryIntervalNanos) {

    /** Whether a hint stands in for its replica when counting a write's W acknowledgements. */
    public enum HintedWrites {
        /**
         * Dynamo's sloppy quorum: a substitute's durable hint counts toward W, so a write succeeds while W nodes
         * of the ring (not necessarily of the key's replicas) hold it. A later read at R may miss it until handoff:
         * R+W>N no longer guarantees reading the latest write while a replica is down.
         */
        COUNT,
        /**
         * Strict quorum: W acknowledgements must come from the key's own replicas; substitutes still keep hints
         * so that a down replica catches up when it returns, but they never make a write succeed. R+W>N keeps its
         * guarantee; writes fail with {@code UNAVAILABLE} when fewer than W replicas are alive.
         */
        STRICT;

        /** @return the configuration name: {@code count} or {@code strict} */
        public String configName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** @throws KvException with {@code INVALID_CONFIGURATION} for any other name */
        public static HintedWrites named(String name) {
            for (HintedWrites mode : values()) {
                if (mode.configName().equals(name)) {
                    return mode;
                }
            }
            throw new KvException(ErrorCode.INVALID_CONFIGURATION, "hints.hinted-writes must be count or strict, was "
                + name);
        }
    }

    /** Sloppy quorum on, hints counting toward W, 3 h window, 256 MiB per replica, 1 GiB in all, 4 MiB/s. */
    public static final HintConfig DEFAULT = new HintConfig(true, HintedWrites.COUNT, 3L * 3600 * 1_000_000_000L,
        256L << 20, 1L << 30, 4L << 20, 32, 1_000_000_000L);

    /** @throws KvException with {@link ErrorCode#INVALID_CONFIGURATION} naming the bad setting */
    public HintConfig {
        Objects.requireNonNull(hintedWrites, "hintedWrites");
        if (windowNanos < 0) {
            throw invalid("hints.window must not be negative, was " + windowNanos + " ns");
        }
        if (maxBytesPerTarget < 0 || maxBytesTotal < 0) {
            throw invalid("hints.max-bytes-per-target and hints.max-bytes must not be negative, were "
                + maxBytesPerTarget + " and " + maxBytesTotal);
        }
        if (deliveryBytesPerSecond < 1024) {
            throw invalid("hints.delivery-rate must be at least 1 KiB/s, was " + deliveryBytesPerSecond + " B/s");
        }
        if (maxInFlight < 1 || maxInFlight > 4096) {
            throw invalid("hints.max-in-flight must be 1–4096, was " + maxInFlight);
        }
        if (deliveryIntervalNanos < 1_000_000) {
            throw invalid("hints.delivery-interval must be at least 1 ms, was " + deliveryIntervalNanos + " ns");
        }
    }

    /** @return a copy with sloppy quorum on or off */
    public HintConfig withSloppyQuorum(boolean on) {
        return new HintConfig(on, hintedWrites, windowNanos, maxBytesPerTarget, maxBytesTotal,
            deliveryBytesPerSecond, maxInFlight, deliveryIntervalNanos);
    }

    /** @return a copy where hints count toward W or not */
    public HintConfig withHintedWrites(HintedWrites mode) {
        return new HintConfig(sloppyQuorum, mode, windowNanos, maxBytesPerTarget, maxBytesTotal,
            deliveryBytesPerSecond, maxInFlight, deliveryIntervalNanos);
    }

    /** @return a copy with another hint window */
    public HintConfig withWindow(long nanos) {
        return new HintConfig(sloppyQuorum, hintedWrites, nanos, maxBytesPerTarget, maxBytesTotal,
            deliveryBytesPerSecond, maxInFlight, deliveryIntervalNanos);
    }

    /** @return a copy with other byte caps */
    public HintConfig withCaps(long perTarget, long total) {
        return new HintConfig(sloppyQuorum, hintedWrites, windowNanos, perTarget, total, deliveryBytesPerSecond,
            maxInFlight, deliveryIntervalNanos);
    }

    /** @return a copy with another delivery pace */
    public HintConfig withDelivery(long bytesPerSecond, int inFlight, long intervalNanos) {
        return new HintConfig(sloppyQuorum, hintedWrites, windowNanos, maxBytesPerTarget, maxBytesTotal,
            bytesPerSecond, inFlight, intervalNanos);
    }

    private static KvException invalid(String message) {
        return new KvException(ErrorCode.INVALID_CONFIGURATION, message);
    }
}
