package io.ringkv.gossip;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * How many nodes the cluster should have for the traffic it serves: one small policy with hysteresis and a
 * cool-down, fed every few seconds with each member's request rate and data size. It only recommends; an
 * operator, {@code ringkv cluster --autoscale} or an orchestrator acts on the recommendation.
 *
 * <p>The rules, in order:
 * <ol>
 *   <li>Below {@code minNodes} or above {@code maxNodes}, recommend the bound at once.</li>
 *   <li>While a node is joining or leaving, hold: the recommendation is the current size, and the pressure timers
 *       restart (a move changes the per-node rates it is judged on).</li>
 *   <li>While a member is DOWN, hold as well: its traffic is not measured and its capacity is missing.</li>
 *   <li>Within the cool-down after the membership last changed, hold: the new node's share of traffic needs time
 *       to show.</li>
 *   <li>The size traffic needs is {@code ceil(total rate / targetPerNode)}, and the size data needs
 *       {@code ceil(total bytes / maxBytesPerNode)} when that limit is set; the larger wins, within the bounds.</li>
 *   <li>Scale out when that size exceeds the current one continuously for {@code upAfter}.</li>
 *   <li>Scale in only when the remaining nodes would run at no more than {@code headroom} of the target (and hold
 *       the data), continuously for {@code downAfter}, and then to the fewest nodes that still do. The gap between
 *       1.0 and the headroom is the hysteresis: a cluster just under its target does not shrink into one just over
 *       it and grow again.</li>
 * </ol>
 * The recommended size may differ from the current one by more than one node; whoever acts adds or removes one
 * at a time, and the cool-down spaces the steps.
 *
 * <p>Not thread-safe: one owner (the node's agent thread) calls {@link #observe}.
 */
public final class ScalingPolicy {
    /**
     * The policy's settings.
     *
     * @param targetPerNode requests per second one node should serve at most, on average
     * @param maxBytesPerNode data one node should hold at most, 0 for no limit
     * @param minNodes fewest nodes recommended, at least 1
     * @param maxNodes most nodes recommended, at least {@code minNodes}
     * @param upAfterNanos how long traffic must stay above the target before a scale-out
     * @param downAfterNanos how long traffic must stay low before a scale-in
     * @param coolDownNanos how long to hold after the membership changed
     * @param headroom the fraction of the target the remaining nodes may run at after a scale-in, in (0, 1)
     */
    public record Config(double targetPerNode, long maxBytesPerNode, int minNodes, int maxNodes, long upAfterNanos,
                         long downAfterNanos, long coolDownNanos, double headroom) {
        /** Default target: 10,000 requests per second per node. */
        public static final double DEFAULT_TARGET_PER_NODE = 10_000;
        /** Default scale-in headroom: the remaining nodes at 70 % of the target at most. */
        public static final double DEFAULT_HEADROOM = 0.7;
        /** Defaults: 1 to 64 nodes; out after 1 minute high, in after 5 minutes low, 5 minutes' cool-down. */
        public static final Config DEFAULT = new Config(DEFAULT_TARGET_PER_NODE, 0, 1, 64,
            TimeUnit.SECONDS.toNanos(60), TimeUnit.SECONDS.toNanos(300), TimeUnit.SECONDS.toNanos(300),
            DEFAULT_HEADROOM);

        /** @throws IllegalArgumentException naming the bad setting */
        public Config {
            if (!(targetPerNode > 0) || Double.isInfinite(targetPerNode)) {
                throw new IllegalArgumentException("the target rate per node must be positive, was " + targetPerNode);
            }
            if (maxBytesPerNode < 0) {
                throw new IllegalArgumentException("the data limit per node must be 0 (none) or positive, was "
                    + maxBytesPerNode);
            }
            if (minNodes < 1 || maxNodes < minNodes) {
                throw new IllegalArgumentException("node bounds must satisfy 1 <= min <= max, were " + minNodes + ","
                    + maxNodes);
            }
            if (upAfterNanos < 0 || downAfterNanos < 0 || coolDownNanos < 0) {
                throw new IllegalArgumentException("scaling windows must not be negative");
            }
            if (!(headroom > 0 && headroom < 1)) {
                throw new IllegalArgumentException("the scale-in headroom must be between 0 and 1, was " + headroom);
            }
        }

        /** @return these settings with other bounds */
        public Config withBounds(int min, int max) {
            return new Config(targetPerNode, maxBytesPerNode, min, max, upAfterNanos, downAfterNanos, coolDownNanos,
                headroom);
        }
    }

    /**
     * One member's latest signals.
     *
     * @param requestsPerSecond client requests it answered per second, recently
     * @param dataBytes the data it holds
     */
    public record Sample(double requestsPerSecond, long dataBytes) {
    }

    /**
     * What the policy recommends now.
     *
     * @param members the cluster's size now (NORMAL members of the ring)
     * @param recommended the size it should have
     * @param requestsPerSecond the members' request rates added up
     * @param reason one line for an operator: why this recommendation
     */
    public record Recommendation(int members, int recommended, double requestsPerSecond, String reason) {
        /** @return +1 to add a node, -1 to remove one, 0 to hold */
        public int direction() {
            return Integer.signum(recommended - members);
        }
    }

    private static final long UNSET = Long.MIN_VALUE;

    private final Config config;
    private int lastMembers = -1;
    private long changedAt = UNSET;
    private long highSince = UNSET;
    private long lowSince = UNSET;

    /** @param config the settings */
    public ScalingPolicy(Config config) {
        this.config = config;
    }

    /** @return the settings */
    public Config config() {
        return config;
    }

    /**
     * Takes the signals at {@code nowNanos} and says what the cluster's size should be.
     *
     * @param nowNanos monotonic time
     * @param members NORMAL members of the ring
     * @param moving whether a node is joining or leaving
     * @param samples the latest signals of the members heard from (a member not heard from adds nothing)
     */
    public Recommendation observe(long nowNanos, int members, boolean moving, List<Sample> samples) {
        return observe(nowNanos, members, 0, moving, samples);
    }

    /**
     * As {@link #observe(long, int, boolean, List)}, holding while {@code down} members are DOWN: their traffic is
     * not measured and their capacity is not there, so neither growing nor shrinking can be judged; an operator
     * replaces or removes them first.
     *
     * @param down NORMAL members judged DOWN, counted in {@code members}
     */
    public Recommendation observe(long nowNanos, int members, int down, boolean moving, List<Sample> samples) {
        double rate = 0;
        long bytes = 0;
        for (Sample sample : samples) {
            rate += Math.max(0, sample.requestsPerSecond());
            bytes += Math.max(0, sample.dataBytes());
        }
        if (members != lastMembers) {
            // the first observation counts as a change: a node that just started has no history to judge by
            lastMembers = members;
            changedAt = nowNanos;
            highSince = UNSET;
            lowSince = UNSET;
        }
        if (members < config.minNodes() || members > config.maxNodes()) {
            int bound = members < config.minNodes() ? config.minNodes() : config.maxNodes();
            return new Recommendation(members, bound, rate, members + " node(s), outside the bounds "
                + config.minNodes() + "-" + config.maxNodes());
        }
        if (moving) {
            highSince = UNSET;
            lowSince = UNSET;
            changedAt = nowNanos;
            return hold(members, rate, "a node is joining or leaving");
        }
        if (down > 0) {
            highSince = UNSET;
            lowSince = UNSET;
            return hold(members, rate, down + " member(s) DOWN: holding until they are back, replaced or removed");
        }
        int needed = Math.max(config.minNodes(), Math.min(config.maxNodes(), needed(rate, bytes)));
        boolean high = needed > members;
        boolean low = needed < members && fitsIn(members - 1, rate, bytes);
        highSince = high ? (highSince == UNSET ? nowNanos : highSince) : UNSET;
        lowSince = low ? (lowSince == UNSET ? nowNanos : lowSince) : UNSET;
        long coolingFor = changedAt + config.coolDownNanos() - nowNanos;
        if (coolingFor > 0) {
            return hold(members, rate, "cooling down for " + seconds(coolingFor) + " s after the membership changed");
        }
        String load = String.format(Locale.ROOT, "%.0f requests/s on %d node(s), target %.0f per node", rate, members,
            config.targetPerNode());
        if (high) {
            long sustained = nowNanos - highSince;
            if (sustained >= config.upAfterNanos()) {
                return new Recommendation(members, needed, rate, load + ": above target for " + seconds(sustained)
                    + " s");
            }
            return hold(members, rate, load + ": above target for " + seconds(sustained) + " of "
                + seconds(config.upAfterNanos()) + " s");
        }
        if (low) {
            long sustained = nowNanos - lowSince;
            if (sustained >= config.downAfterNanos()) {
                return new Recommendation(members, fewestFitting(members, rate, bytes), rate, load + ": low for "
                    + seconds(sustained) + " s");
            }
            return hold(members, rate, load + ": low for " + seconds(sustained) + " of "
                + seconds(config.downAfterNanos()) + " s");
        }
        if (needed(rate, bytes) > members && members == config.maxNodes()) {
            return hold(members, rate, load + ": above target, at the maximum of " + config.maxNodes() + " node(s)");
        }
        return hold(members, rate, load + ": within bounds");
    }

    /** @return the nodes the rate and data need, at least 1 */
    private int needed(double rate, long bytes) {
        int byRate = (int) Math.min(Integer.MAX_VALUE, Math.ceil(rate / config.targetPerNode()));
        int byData = config.maxBytesPerNode() == 0 ? 0
            : (int) Math.min(Integer.MAX_VALUE, (bytes + config.maxBytesPerNode() - 1) / config.maxBytesPerNode());
        return Math.max(1, Math.max(byRate, byData));
    }

    /** @return whether {@code nodes} would serve the rate within the headroom and hold the data */
    /**
     * @return the fewest nodes, below {@code members}, that carry the load within the headroom (scaling in only to
     *     ceil(load / target) would leave no margin, and the next small rise would scale out again)
     */
    private int fewestFitting(int members, double rate, long bytes) {
        int nodes = members - 1;
        while (nodes > config.minNodes() && fitsIn(nodes - 1, rate, bytes)) {
            nodes--;
        }
        return nodes;
    }

    private boolean fitsIn(int nodes, double rate, long bytes) {
        if (nodes < config.minNodes()) {
            return false;
        }
        boolean rateFits = rate <= config.headroom() * config.targetPerNode() * nodes;
        boolean dataFits = config.maxBytesPerNode() == 0 || bytes <= config.headroom() * config.maxBytesPerNode() * nodes;
        return rateFits && dataFits;
    }

    private static Recommendation hold(int members, double rate, String reason) {
        return new Recommendation(members, members, rate, reason);
    }

    private static long seconds(long nanos) {
        return TimeUnit.NANOSECONDS.toSeconds(nanos + 999_999_999L);
    }
}
