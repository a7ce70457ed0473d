package io.ringkv.antientropy;

import io.ringkv.api.CounterSet;
import io.ringkv.api.NodeContext;
import io.ringkv.api.NodeId;
import io.ringkv.api.TimerHandler;
import io.ringkv.ring.Ring;
import io.ringkv.ring.TokenRange;
import io.ringkv.storage.StorageStage;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Makes this node's {@link LiveTrees} ready and keeps them honest, on the agent thread: it gives the trees the
 * ranges this node replicates ({@link #updateRing}), then rebuilds each range that is not ready from a token-ordered
 * scan on the storage stage, one range at a time and paced ({@link LiveTreeConfig}: the next scan waits for the
 * bytes the last one read at the configured rate); and once a period it rebuilds every range again, so a tree that
 * drifted (a record an engine dropped on its own) is corrected within a period. A rebuild the stage refuses or that
 * fails is retried after a pause; one that raced writes is retried (all counted in {@link LiveTreeCounter}).
 */
public final class LiveTreeRebuilder {
    private final NodeContext context;
    private final StorageStage stage;
    private final LiveTrees trees;
    private final LiveTreeConfig config;
    private final CounterSet<LiveTreeCounter> counters;
    /** Ranges to rebuild, in order, each once. */
    private final Set<TokenRange> pending = new LinkedHashSet<>();
    private final TimerHandler paced = id -> onPaced();
    private final TimerHandler periodic = id -> onPeriod();
    private boolean scanning;
    private long pacingTimer = -1;

    /**
     * Starts the scheduled rebuilds (when the config has a period). No range is held until {@link #updateRing}.
     *
     * @param stage the data store's stage, the one whose writes feed {@code trees}
     */
    public LiveTreeRebuilder(NodeContext context, StorageStage stage, LiveTrees trees, LiveTreeConfig config) {
        this.context = context;
        this.stage = stage;
        this.trees = trees;
        this.config = config;
        this.counters = context.counters().register(LiveTreeCounter.class);
        if (config.rebuildPeriodNanos() > 0) {
            context.timers().schedule(config.rebuildPeriodNanos(), periodic);
        }
    }

    /**
     * @return the default pacing, with every tree rebuilt once per repair period ({@code repairPeriodNanos}), or
     *     once a day ({@link LiveTreeConfig#DEFAULT}) when repairs run on demand only (0)
     */
    public static LiveTreeConfig configFor(long repairPeriodNanos) {
        return repairPeriodNanos > 0 ? LiveTreeConfig.DEFAULT.withRebuildPeriod(repairPeriodNanos)
            : LiveTreeConfig.DEFAULT;
    }

    /**
     * @return the ranges of {@code ring} that {@code self} replicates (it is in the range's preference list), the
     *     same ranges a repair pass takes
     */
    public static List<TokenRange> replicatedBy(Ring ring, NodeId self) {
        return RepairHistory.Shared.of(ring, self).stream().map(RepairHistory.Shared::range).toList();
    }

    /**
     * Holds a tree for each range this node replicates on {@code ring}: ranges whose bounds are unchanged keep their
     * tree; new ones are not ready and rebuilt (paced). Call at start-up and on every ring change. Agent thread.
     */
    public void updateRing(Ring ring) {
        List<TokenRange> notReady = trees.ranges(replicatedBy(ring, context.self()));
        pending.retainAll(trees.held());
        pending.addAll(notReady);
        publishGauges();
        scheduleNext(0);
    }

    /** @return ranges waiting for a rebuild, the one being scanned excluded */
    public int pending() {
        return pending.size();
    }

    /** @return whether every range held is ready and nothing is waiting */
    public boolean idle() {
        return pending.isEmpty() && !scanning;
    }

    private void onPeriod() {
        pending.addAll(trees.held());
        scheduleNext(0);
        context.timers().schedule(config.rebuildPeriodNanos(), periodic);
    }

    private void scheduleNext(long delayNanos) {
        if (scanning || pacingTimer >= 0 || pending.isEmpty()) {
            return;
        }
        pacingTimer = context.timers().schedule(delayNanos, paced);
    }

    private void onPaced() {
        pacingTimer = -1;
        var next = pending.iterator();
        if (scanning || !next.hasNext()) {
            return;
        }
        TokenRange range = next.next();
        next.remove();
        scanning = true;
        boolean queued = stage.read(range.end(), engine -> RepairTasks.rebuild(engine, trees, range),
            (rebuild, failure) -> rebuilt(range, rebuild, failure));
        if (!queued) {
            scanning = false;
            retry(range);
        }
    }

    private void rebuilt(TokenRange range, LiveTrees.Rebuild rebuild, io.ringkv.api.KvException failure) {
        scanning = false;
        if (failure != null) {
            retry(range);
            return;
        }
        counters.get(LiveTreeCounter.REBUILD_BYTES).addRelease(rebuild.bytesScanned());
        switch (rebuild.outcome()) {
            case READY -> counters.get(LiveTreeCounter.REBUILDS).incrementRelease();
            case RACED -> {
                counters.get(LiveTreeCounter.REBUILDS_RACED).incrementRelease();
                pending.add(range);
            }
            case NOT_HELD -> {
            }
        }
        publishGauges();
        scheduleNext(pause(rebuild.bytesScanned()));
    }

    private void retry(TokenRange range) {
        counters.get(LiveTreeCounter.REBUILDS_FAILED).incrementRelease();
        if (trees.held().contains(range)) {
            pending.add(range);
        }
        // a refused or failed scan waits a second at least: the stage is full or the disk in trouble
        scheduleNext(Math.max(config.minPauseNanos(), 1_000_000_000L));
    }

    /** The wait after a scan of {@code bytes}, so scans average at most the configured rate. */
    private long pause(long bytes) {
        double seconds = (double) bytes / config.rebuildBytesPerSecond();
        return Math.max(config.minPauseNanos(), (long) (seconds * 1e9));
    }

    private void publishGauges() {
        counters.get(LiveTreeCounter.RANGES).setRelease(trees.held().size());
        counters.get(LiveTreeCounter.READY).setRelease(trees.readyCount());
        counters.get(LiveTreeCounter.MEMORY_BYTES).setRelease(trees.memoryBytes());
    }
}
