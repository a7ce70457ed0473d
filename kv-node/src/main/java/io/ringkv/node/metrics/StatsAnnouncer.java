package io.ringkv.node.metrics;

import io.ringkv.antientropy.RepairScheduler;
import io.ringkv.api.NodeContext;
import io.ringkv.gossip.Gossiper;
import io.ringkv.gossip.NodeStats;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Every period, measures this node's {@link NodeStats} (request rate and p99 since the last measurement, hints held,
 * repair progress) and announces them by gossip, so every node's dashboard shows every node's figures. On the agent
 * thread: it reads the gossiper, the hint store's count and the repair scheduler, which belong to it.
 */
public final class StatsAnnouncer {
    private final NodeContext context;
    private final Gossiper gossiper;
    private final RequestMetrics requests;
    private final LongSupplier hintsPending;
    private final Supplier<RepairScheduler.Progress> repair;
    private final long periodNanos;
    private long[] lastCounts;
    private long lastNanos;

    /**
     * @param hintsPending hints this node holds for others (agent thread)
     * @param repair the repair pass's progress (agent thread)
     * @param periodNanos time between announcements, the window of the rate and p99
     */
    public StatsAnnouncer(NodeContext context, Gossiper gossiper, RequestMetrics requests, LongSupplier hintsPending,
                          Supplier<RepairScheduler.Progress> repair, long periodNanos) {
        if (periodNanos <= 0) {
            throw new IllegalArgumentException("the stats period must be positive");
        }
        this.context = context;
        this.gossiper = gossiper;
        this.requests = requests;
        this.hintsPending = hintsPending;
        this.repair = repair;
        this.periodNanos = periodNanos;
    }

    /** Takes the first reading and announces every period from now on; agent thread. */
    public void start() {
        lastCounts = requests.bucketCounts();
        lastNanos = context.clock().monotonicNanos();
        context.timers().schedule(periodNanos, id -> announce());
    }

    private void announce() {
        try {
            long now = context.clock().monotonicNanos();
            long[] counts = requests.bucketCounts();
            double seconds = Math.max(1, now - lastNanos) / 1e9;
            double rate = LatencyWindow.requests(lastCounts, counts) / seconds;
            long p99 = LatencyWindow.p99Micros(lastCounts, counts, RequestMetrics.bucketBounds());
            lastCounts = counts;
            lastNanos = now;
            RepairScheduler.Progress progress = repair.get();
            gossiper.announceApplicationState(NodeStats.STATE, new NodeStats(rate, p99,
                Math.max(0, hintsPending.getAsLong()), Math.max(0, progress.done()), Math.max(0, progress.total()),
                progress.running()).encode());
        } finally {
            context.timers().schedule(periodNanos, id -> announce());
        }
    }
}
