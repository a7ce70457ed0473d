package io.ringkv.node;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import io.ringkv.api.NodeId;
import io.ringkv.gossip.FailureDetector;
import io.ringkv.gossip.FixedTimeoutDetector;
import io.ringkv.gossip.GossipConfig;
import io.ringkv.gossip.PhiAccrualDetector;
import io.ringkv.gossip.Readiness;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * How a node gossips and judges its peers.
 *
 * @param clusterName nodes gossip only within one cluster name (default {@code ringkv})
 * @param intervalMillis time between gossip rounds (default 1000)
 * @param suspectAfterMillis silence before a peer is SUSPECT (default 15 rounds)
 * @param downAfterMillis silence before a peer is DOWN (default 30 rounds)
 * @param detector {@code fixed} (the timeouts above, default) or {@code phi} (phi accrual)
 * @param phiSuspect phi at which the phi detector suspects (default 5)
 * @param phiDown phi at which the phi detector judges DOWN (default 8)
 * @param quarantineMillis how long a removed node's state spreads before every node forgets it (default 1 h)
 * @param readyAfterRounds how many gossip rounds a starting node waits to hear from a peer before it serves
 *     clients without (default {@link Readiness#DEFAULT_MAX_WAIT_ROUNDS}; 0–100000)
 */
public record GossipSettings(String clusterName, long intervalMillis, long suspectAfterMillis, long downAfterMillis,
                             String detector, double phiSuspect, double phiDown, long quarantineMillis,
                             int readyAfterRounds) {
    /** The detectors by name. */
    public static final List<String> DETECTORS = List.of("fixed", "phi");
    /** The defaults. */
    public static final GossipSettings DEFAULT = new GossipSettings(GossipConfig.DEFAULT_CLUSTER_NAME, 1000, 15_000,
        30_000, "fixed", 5, 8, TimeUnit.HOURS.toMillis(1), Readiness.DEFAULT_MAX_WAIT_ROUNDS);

    /** @throws KvException with {@code INVALID_CONFIGURATION} naming the bad setting */
    public GossipSettings {
        Objects.requireNonNull(clusterName, "clusterName");
        Objects.requireNonNull(detector, "detector");
        if (!DETECTORS.contains(detector)) {
            throw invalid("failure detector must be one of " + DETECTORS + ", was '" + detector + "'");
        }
        if (suspectAfterMillis < 2 * intervalMillis || downAfterMillis < suspectAfterMillis) {
            throw invalid("suspect-after must be at least two gossip intervals and down-after at least suspect-after;"
                + " were " + suspectAfterMillis + " ms and " + downAfterMillis + " ms with a " + intervalMillis
                + " ms interval");
        }
        if (readyAfterRounds < 0 || readyAfterRounds > 100_000) {
            throw invalid("ready-after-rounds must be 0–100000, was " + readyAfterRounds);
        }
        if (!(phiSuspect > 0) || !(phiDown >= phiSuspect)) {
            throw invalid("phi thresholds need 0 < phi-suspect <= phi-down, were " + phiSuspect + " and " + phiDown);
        }
    }

    /** @return the gossip configuration with these seeds (validates interval, name and quarantine) */
    public GossipConfig gossipConfig(List<NodeId> seeds) {
        return new GossipConfig(clusterName, TimeUnit.MILLISECONDS.toNanos(intervalMillis), seeds,
            GossipConfig.DEFAULT_MAX_MESSAGE_BYTES, TimeUnit.MILLISECONDS.toNanos(quarantineMillis));
    }

    /**
     * @return a new failure detector. The phi detector takes the gossip interval as the expected heartbeat
     *     interval, half of it as the least standard deviation, and {@code suspect-after} less three intervals as
     *     the acceptable pause, so that on a steady cluster it suspects about when the fixed detector would and
     *     then adapts to each peer's history.
     */
    public FailureDetector newDetector() {
        long interval = TimeUnit.MILLISECONDS.toNanos(intervalMillis);
        if (detector.equals("phi")) {
            return new PhiAccrualDetector(phiSuspect, phiDown, 1000, interval, interval / 2,
                Math.max(0, TimeUnit.MILLISECONDS.toNanos(suspectAfterMillis) - 3 * interval));
        }
        return new FixedTimeoutDetector(TimeUnit.MILLISECONDS.toNanos(suspectAfterMillis),
            TimeUnit.MILLISECONDS.toNanos(downAfterMillis));
    }

    private static KvException invalid(String message) {
        return new KvException(ErrorCode.INVALID_CONFIGURATION, message);
    }
}
