package io.ringkv.gossip;

import io.ringkv.api.CounterSet;
import io.ringkv.api.NodeContext;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The autoscaling signals of a node: every period it measures its own request rate, announces it and its data size
 * through gossip (application state {@value #SIGNALS}), gathers every member's latest announcement, and asks the
 * {@link ScalingPolicy} how many nodes the cluster should have. Every node runs one, so any node answers an
 * autoscaler with the whole cluster's signals ({@code INFO autoscale}). On the agent thread; I/O-free.
 *
 * <p>Announced values carry two significant digits, so a steady load does not make a new gossip state every
 * period.
 */
public final class ScalingMonitor {
    /** The application state that carries a node's signals: {@code rps=<per second>,bytes=<data bytes>}. */
    public static final String SIGNALS = "scaling";

    private final NodeContext context;
    private final Gossiper gossiper;
    private final ScalingPolicy policy;
    private final LongSupplier requestsAnswered;
    private final LongSupplier dataBytes;
    private final long periodNanos;
    private final CounterSet<ScalingCounter> counters;
    private long lastCount;
    private long lastNanos;
    private volatile ScalingPolicy.Recommendation latest;

    /**
     * @param context the node's runtime; the counters register in its registry
     * @param gossiper this node's gossip
     * @param policy the policy to ask
     * @param requestsAnswered the count of client requests this node answered since it started
     * @param dataBytes the data this node holds
     * @param periodNanos time between measurements
     */
    public ScalingMonitor(NodeContext context, Gossiper gossiper, ScalingPolicy policy, LongSupplier requestsAnswered,
                          LongSupplier dataBytes, long periodNanos) {
        if (periodNanos <= 0) {
            throw new IllegalArgumentException("the measuring period must be positive");
        }
        this.context = context;
        this.gossiper = gossiper;
        this.policy = policy;
        this.requestsAnswered = requestsAnswered;
        this.dataBytes = dataBytes;
        this.periodNanos = periodNanos;
        this.counters = context.counters().register(ScalingCounter.class);
        this.latest = new ScalingPolicy.Recommendation(0, 0, 0, "not measured yet");
    }

    /** Takes the first reading and measures every period from now on. */
    public void start() {
        lastCount = requestsAnswered.getAsLong();
        lastNanos = context.clock().monotonicNanos();
        context.timers().schedule(periodNanos, id -> measure());
    }

    /** @return the latest recommendation; safe from any thread */
    public ScalingPolicy.Recommendation latest() {
        return latest;
    }

    private void measure() {
        try {
            long now = context.clock().monotonicNanos();
            long count = requestsAnswered.getAsLong();
            double rate = now > lastNanos ? (count - lastCount) * 1e9 / (now - lastNanos) : 0;
            lastCount = count;
            lastNanos = now;
            long bytes = dataBytes.getAsLong();
            gossiper.announceApplicationState(SIGNALS, encode(rate, bytes));
            observe(now, rate, bytes);
        } finally {
            context.timers().schedule(periodNanos, id -> measure());
        }
    }

    private void observe(long now, double ownRate, long ownBytes) {
        int members = 0;
        int down = 0;
        boolean moving = false;
        List<ScalingPolicy.Sample> samples = new ArrayList<>();
        for (EndpointView view : gossiper.view()) {
            EndpointState state = view.state();
            boolean self = state.id().equals(context.self());
            if ((state.status() == NodeStatus.JOINING || state.status() == NodeStatus.LEAVING)
                && view.liveness() != Liveness.DOWN) {
                moving = true;
            }
            if (state.status() != NodeStatus.NORMAL || state.tokenCount() == 0) {
                continue;
            }
            members++;
            if (view.liveness() == Liveness.DOWN) {
                down++;
            }
            if (self) {
                samples.add(new ScalingPolicy.Sample(ownRate, ownBytes));
            } else if (view.liveness() != Liveness.DOWN) {
                ScalingPolicy.Sample sample = decode(state.applicationState().get(SIGNALS));
                if (sample != null) {
                    samples.add(sample);
                }
            }
        }
        ScalingPolicy.Recommendation recommendation = policy.observe(now, members, down, moving, samples);
        latest = recommendation;
        counters.get(ScalingCounter.REQUESTS_PER_SECOND).setRelease(Math.round(ownRate));
        counters.get(ScalingCounter.CLUSTER_REQUESTS_PER_SECOND).setRelease(
            Math.round(recommendation.requestsPerSecond()));
        counters.get(ScalingCounter.DATA_BYTES).setRelease(ownBytes);
        counters.get(ScalingCounter.MEMBERS).setRelease(members);
        counters.get(ScalingCounter.MOVING).setRelease(moving ? 1 : 0);
        counters.get(ScalingCounter.MEMBERS_DOWN).setRelease(down);
        counters.get(ScalingCounter.RECOMMENDED_NODES).setRelease(recommendation.recommended());
    }

    /** @return the announcement of {@code rate} and {@code bytes}, each to two significant digits */
    static String encode(double rate, long bytes) {
        return "rps=" + twoDigits(Math.round(Math.max(0, rate))) + ",bytes=" + twoDigits(Math.max(0, bytes));
    }

    /** @return the signals a peer announced, or null when it announced none or something malformed */
    static ScalingPolicy.Sample decode(String text) {
        if (text == null) {
            return null;
        }
        long rate = -1;
        long bytes = -1;
        for (String part : text.split(",", 4)) {
            int equals = part.indexOf('=');
            if (equals < 0) {
                return null;
            }
            long value = parse(part.substring(equals + 1));
            switch (part.substring(0, equals)) {
                case "rps" -> rate = value;
                case "bytes" -> bytes = value;
                default -> {
                    // a later version's signal: not for this policy
                }
            }
        }
        return rate < 0 || bytes < 0 ? null : new ScalingPolicy.Sample(rate, bytes);
    }

    private static long parse(String digits) {
        if (digits.isEmpty() || digits.length() > 18) {
            return -1;
        }
        long value = 0;
        for (int i = 0; i < digits.length(); i++) {
            char c = digits.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    /** @return {@code value} rounded to two significant digits */
    static long twoDigits(long value) {
        value = Math.min(value, 1L << 60);
        long scale = 1;
        while (value / scale >= 100) {
            scale *= 10;
        }
        return Math.round((double) value / scale) * scale;
    }
}
