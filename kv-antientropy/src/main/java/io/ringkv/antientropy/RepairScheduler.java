package io.ringkv.antientropy;

import io.ringkv.api.CounterKind;
import io.ringkv.api.Counter;
import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import io.ringkv.api.NodeContext;
import io.ringkv.api.NodeId;
import io.ringkv.api.TimerHandler;
import io.ringkv.ring.Ring;
import io.ringkv.ring.TokenRange;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Repair passes over every token range this node replicates: for each range, one session with each other replica
 * of it, one session at a time (so a pass paces itself and never floods the storage stage or the network). A pass
 * starts on demand ({@link #start}, {@code ringkv repair}) and, with a period set, again that long after the last
 * one ended, so every range is repaired within about a period plus a pass. A replica believed down, or gone from the
 * ring since the pass began, is skipped and counted. Progress and the last pass's summary are gauges in the
 * registry (INFO section {@code repair}). A range whose sessions with every other replica completed is recorded in
 * the {@link RepairHistory}, which lets compaction drop the tombstones written before the pass began. Agent thread
 * only.
 */
public final class RepairScheduler implements TimerHandler {
    /** How far the wall clock may step back (an NTP correction) without a purge taking a tombstone too early. */
    static final long CLOCK_STEP_MARGIN_MILLIS = 10_000;
    /** How often a pass asked for while this node may not run one looks again. */
    private static final long DEFERRED_LOOK_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(1);
    private final NodeContext context;
    private final AntiEntropy repair;
    private final Supplier<Ring> ring;
    /** The ring once the current joins and leaves end (the current one when none runs). */
    private final Supplier<Ring> future;
    private final Predicate<NodeId> alive;
    private final RepairHistory history;
    private final long periodNanos;
    private final Counter running;
    private final Counter sessionsTotal;
    private final Counter sessionsDone;
    private final Counter sessionsSkipped;
    private final Counter sessionsFailed;
    private final Counter keysExchanged;
    private final Counter passesCompleted;
    private final Counter lastPassMillis;
    private final Counter rangesCovered;
    private final Counter rangesReplicated;
    private final Counter purgesHeld;
    private final Counter purgesHeldForLeftovers;
    /** True while some node may hold records of ranges it no longer replicates (see {@link #holdPurgesWhile}). */
    private BooleanSupplier leftovers = () -> false;
    private final Deque<Task> tasks = new ArrayDeque<>();
    private boolean inPass;
    /** Another pass was asked for while one ran. */
    private boolean again;
    /** Whether this node may repair now (see {@link #runOnlyWhile}). */
    private BooleanSupplier mayRun = () -> true;
    /** A pass was asked for while this node could not run one: it starts once it can. */
    private boolean deferred;
    private long passStartedNanos;
    private long passStartedMillis;
    /** The session running, or null. */
    private Task current;
    /** The id of the running session, for {@link AntiEntropy#cancel}. */
    private long currentSession;
    /** The session ending now was cancelled because its peer left the ring: it counts as skipped. */
    private boolean cancelling;
    /** Every session of the current task's range so far completed. */
    private boolean rangeCompleted;
    /** The pass repairs each of its ranges against every other replica (not one peer only). */
    private boolean fullPass;

    /** One session of a pass; {@code last} for the range's last peer. */
    private record Task(RepairHistory.Shared shared, NodeId peer, boolean first, boolean last) {
    }

    /**
     * @param ring the ring ranges are taken from when a pass starts
     * @param alive whether a peer is believed alive (a DOWN one is skipped)
     * @param periodNanos time from the end of one pass to the start of the next; 0 for passes on demand only
     * @param history receives the ranges each pass covered; told of the ring's ranges now and at {@link #ringChanged}
     */
    public RepairScheduler(NodeContext context, AntiEntropy repair, Supplier<Ring> ring, Predicate<NodeId> alive,
                           long periodNanos, RepairHistory history) {
        this(context, repair, ring, ring, alive, periodNanos, history);
    }

    /**
     * As above, with the ring the current joins and leaves lead to: while it differs from the current one, the
     * history purges no tombstone ({@link RepairHistory#ringChanged(List, boolean)}).
     */
    public RepairScheduler(NodeContext context, AntiEntropy repair, Supplier<Ring> ring, Supplier<Ring> future,
                           Predicate<NodeId> alive, long periodNanos, RepairHistory history) {
        this.future = future;
        this.context = context;
        this.history = history;
        this.repair = repair;
        this.ring = ring;
        this.alive = alive;
        this.periodNanos = periodNanos;
        var counters = context.counters();
        this.running = counters.register("repair_pass_running", "1 while a repair pass runs on this node",
            CounterKind.GAUGE, "repair");
        this.sessionsTotal = counters.register("repair_pass_sessions", "sessions (range, peer) of the current or"
            + " last pass", CounterKind.GAUGE, "repair");
        this.sessionsDone = counters.register("repair_pass_sessions_done", "sessions of the current or last pass"
            + " that ended (completed, failed or skipped)", CounterKind.GAUGE, "repair");
        this.sessionsSkipped = counters.register("repair_pass_sessions_skipped", "sessions of the current or last"
            + " pass skipped because the peer was believed down or had left the ring", CounterKind.GAUGE, "repair");
        this.sessionsFailed = counters.register("repair_pass_sessions_failed", "sessions of the current or last pass"
            + " that failed (see repair_sessions_failed)", CounterKind.GAUGE, "repair");
        this.keysExchanged = counters.register("repair_pass_keys", "records exchanged by the current or last pass,"
            + " both ways", CounterKind.GAUGE, "repair");
        this.passesCompleted = counters.register("repair_passes_completed", "repair passes this node finished",
            CounterKind.COUNTER, "repair");
        this.lastPassMillis = counters.register("repair_last_pass_millis", "how long the last finished pass took",
            CounterKind.GAUGE, "repair");
        this.rangesReplicated = counters.register("repair_ranges", "token ranges this node replicates",
            CounterKind.GAUGE, "repair");
        this.rangesCovered = counters.register("repair_ranges_covered", "ranges a completed repair with every other"
            + " replica covered since this node started (or with no other replica): their old tombstones may be"
            + " purged (unless repair_purges_held)", CounterKind.GAUGE, "repair");
        this.purgesHeld = counters.register("repair_purges_held", "1 while nodes join or leave (pending tokens,"
            + " LEAVING), or while a node holds records of ranges it no longer replicates (see"
            + " repair_purges_held_for_leftovers): no tombstone is purged, since such a node may still hold a deleted"
            + " value; a joiner or leaver stuck that way holds purges until it finishes or is removed (ringkv"
            + " removenode)", CounterKind.GAUGE, "repair");
        this.purgesHeldForLeftovers = counters.register("repair_purges_held_for_leftovers", "1 while some node"
            + " may hold leftovers: records of ranges a join or leave took from it, which a range coming back would"
            + " serve again (it says so, or has not judged this node's ring yet: down, or slow to hear); run ringkv"
            + " cleanup on it (INFO cluster names it)", CounterKind.GAUGE, "repair");
        ringChanged();
        if (periodNanos > 0) {
            context.timers().schedule(periodNanos, this);
        }
    }

    /**
     * Tells the repair history the ranges this node replicates on the current ring, and their other replicas; a
     * session running with a replica that left the ring is cancelled (it would run to its timeout against a node
     * gone for good) and counts as skipped.
     */
    public void ringChanged() {
        Ring now = ring.get();
        history.ringChanged(shared(now), holdsPurges(now));
        publishCoverage();
        Task running = current;
        if (inPass && running != null && !now.contains(running.peer())) {
            cancelling = true;
            try {
                repair.cancel(currentSession, running.peer() + " left the ring");
            } finally {
                cancelling = false;
            }
        }
    }

    /**
     * Starts no pass while {@code mayRun} says no: a node that hides from the cluster at its start (it asks about its
     * id first, and may learn that it was removed while it was down) must not send records that may be stale to its
     * peers. A pass asked for meanwhile ({@link #requestPass}) starts once it may; {@link #start} refuses.
     */
    public void runOnlyWhile(BooleanSupplier mayRun) {
        this.mayRun = java.util.Objects.requireNonNull(mayRun, "mayRun");
    }

    /**
     * Also holds every purge while {@code held} says so: some node of the cluster may hold records of ranges it no
     * longer replicates (a join or leave took them, and no cleanup has dropped them yet). Should such a range come
     * back to it (the joiner leaves, a leaver joins again), it would serve them again; a tombstone purged meanwhile
     * would no longer delete them there. Call {@link #purgeHoldChanged} whenever its answer may have changed.
     */
    public void holdPurgesWhile(BooleanSupplier held) {
        this.leftovers = java.util.Objects.requireNonNull(held, "held");
        purgeHoldChanged();
    }

    /**
     * The answer of {@link #holdPurgesWhile}'s condition may have changed: purges are held or let go now, the ranges
     * and their coverage kept.
     */
    public void purgeHoldChanged() {
        history.holdPurges(holdsPurges(ring.get()));
    }

    /** @return whether purges wait now (the ring moves, or a node may hold leftovers), with the gauges set to say so */
    private boolean holdsPurges(Ring now) {
        boolean moving = !future.get().equals(now);
        boolean leftover = leftovers.getAsBoolean();
        purgesHeld.setRelease(moving || leftover ? 1 : 0);
        purgesHeldForLeftovers.setRelease(leftover ? 1 : 0);
        return moving || leftover;
    }

    private List<RepairHistory.Shared> shared(Ring current) {
        return RepairHistory.Shared.of(current, context.self());
    }

    /** @return whether the two ranges share a token */
    static boolean overlap(TokenRange x, TokenRange y) {
        if (x.isWholeRing() || y.isWholeRing()) {
            return true;
        }
        // (a, b] and (c, d] share a token when one holds the other's end
        return x.contains(y.end()) || y.contains(x.end());
    }

    private void publishCoverage() {
        rangesReplicated.setRelease(history.ranges());
        rangesCovered.setRelease(history.coveredRanges());
    }

    /** @return how far the current pass (or the last, when none runs) has come; agent thread */
    public Progress progress() {
        return new Progress(sessionsDone.get(), sessionsTotal.get(), inPass);
    }

    /**
     * A repair pass's progress.
     *
     * @param done sessions that ended (completed, failed or skipped)
     * @param total sessions of the pass
     * @param running whether the pass runs now
     */
    public record Progress(long done, long total, boolean running) {
    }

    /**
     * Starts a pass over every range this node replicates.
     *
     * @return the number of sessions the pass will run
     * @throws KvException with {@code INVALID_ARGUMENT} when a pass is running already, {@code UNAVAILABLE} when the
     *     ring holds no other replica of this node's ranges
     */
    public int start() {
        return start(null, null);
    }

    /**
     * Starts a pass over the ranges this node replicates that overlap {@code only}, with {@code peer} alone (the
     * operator's {@code ringkv repair --range --node}). A pass limited to one peer covers no range for the tombstone
     * purge: the range's other replicas were not repaired against.
     *
     * @param only the token range to repair, null for every range
     * @param peer the one replica to repair against, null for every replica
     * @return the number of sessions the pass will run
     * @throws KvException with {@code INVALID_ARGUMENT} when a pass is running already or nothing matches,
     *     {@code UNAVAILABLE} when the ring holds no other replica of this node's ranges
     */
    public int start(TokenRange only, NodeId peer) {
        if (!mayRun.getAsBoolean()) {
            throw new KvException(ErrorCode.UNAVAILABLE, "this node does not serve yet (it is asking the cluster"
                + " about its id): it repairs once it does");
        }
        if (inPass) {
            throw new KvException(ErrorCode.INVALID_ARGUMENT, "a repair pass is running on this node already ("
                + sessionsDone.get() + " of " + sessionsTotal.get() + " sessions done)");
        }
        tasks.clear();
        boolean anyPeer = false;
        for (RepairHistory.Shared shared : shared(ring.get())) {
            anyPeer |= !shared.peers().isEmpty();
            if (only != null && !overlap(only, shared.range())) {
                continue;
            }
            // a fixed order, so that a pass over the same ring runs the same sessions
            List<NodeId> peers = shared.peers().stream().filter(p -> peer == null || p.equals(peer))
                .sorted(Comparator.comparing(NodeId::value)).toList();
            for (int i = 0; i < peers.size(); i++) {
                tasks.add(new Task(shared, peers.get(i), i == 0, i == peers.size() - 1));
            }
        }
        if (!anyPeer) {
            throw new KvException(ErrorCode.UNAVAILABLE, "no other node replicates this node's ranges: nothing to"
                + " repair against");
        }
        if (tasks.isEmpty()) {
            throw new KvException(ErrorCode.INVALID_ARGUMENT, "no range of this node " + (only == null ? ""
                : "overlaps " + only + " ") + (peer == null ? "" : "with replica " + peer) + ": nothing to repair");
        }
        fullPass = peer == null;
        inPass = true;
        passStartedNanos = context.clock().monotonicNanos();
        // tombstones written before this instant reach every replica of a range this pass covers; the margin keeps a
        // wall clock stepped back a little from dating a later tombstone before the pass
        passStartedMillis = context.clock().wallClockMillis() - CLOCK_STEP_MARGIN_MILLIS;
        running.setRelease(1);
        sessionsTotal.setRelease(tasks.size());
        sessionsDone.setRelease(0);
        sessionsSkipped.setRelease(0);
        sessionsFailed.setRelease(0);
        keysExchanged.setRelease(0);
        int total = tasks.size();
        next();
        return total;
    }

    /**
     * Asks for a pass soon: at once when none is running, else right after the running one (a node left the ring,
     * and the replicas that took over its ranges must be brought to N copies). Does nothing when there is no other
     * replica to repair against.
     */
    public void requestPass() {
        if (inPass) {
            again = true;
            return;
        }
        if (!mayRun.getAsBoolean()) {
            if (!deferred) {
                deferred = true;
                context.timers().schedule(DEFERRED_LOOK_NANOS, id -> {
                    deferred = false;
                    requestPass();
                });
            }
            return;
        }
        try {
            start();
        } catch (KvException e) {
            // nothing to repair against
        }
    }

    /** @return whether a pass is running */
    public boolean running() {
        return inPass;
    }

    private void next() {
        Task task;
        while ((task = tasks.poll()) != null) {
            if (task.first()) {
                rangeCompleted = true;
            }
            // a replica that left the ring since the pass began is gone for good (its liveness may still read ALIVE,
            // as the failure detector stops watching a node that left): a session would only run to its timeout
            if (alive.test(task.peer()) && ring.get().contains(task.peer())) {
                current = task;
                long id = repair.repair(task.shared().range(), task.peer(), this::ended);
                // unless the session ended already (a full storage stage), and the pass moved on
                if (current == task) {
                    currentSession = id;
                }
                return;
            }
            sessionsSkipped.setRelease(sessionsSkipped.get() + 1);
            sessionsDone.setRelease(sessionsDone.get() + 1);
            sessionEnded(task, false);
        }
        current = null;
        inPass = false;
        lastPassMillis.setRelease((context.clock().monotonicNanos() - passStartedNanos) / 1_000_000);
        passesCompleted.incrementRelease();
        // last: a reader that sees no pass running (INFO reads this counter first) sees the pass counted
        running.setRelease(0);
        if (again) {
            again = false;
            requestPass();
            if (inPass) {
                return;
            }
            // nothing to repair against any more: the period still brings the next pass
        }
        if (periodNanos > 0) {
            context.timers().schedule(periodNanos, this);
        }
    }

    private void ended(RepairResult result) {
        boolean skipped = cancelling;
        cancelling = false;
        sessionsDone.setRelease(sessionsDone.get() + 1);
        if (skipped) {
            sessionsSkipped.setRelease(sessionsSkipped.get() + 1);
        } else if (!result.completed()) {
            sessionsFailed.setRelease(sessionsFailed.get() + 1);
        }
        keysExchanged.setRelease(keysExchanged.get() + result.keysSent() + result.keysReceived());
        sessionEnded(current, result.completed());
        next();
    }

    private void sessionEnded(Task task, boolean completed) {
        rangeCompleted &= completed;
        if (task.last() && rangeCompleted && fullPass) {
            history.covered(task.shared(), passStartedMillis);
            publishCoverage();
        }
    }

    @Override
    public void onTimer(long timerId) {
        if (!inPass) {
            try {
                start();
            } catch (KvException e) {
                // nothing to repair against yet (a cluster of one): try again a period later
                context.timers().schedule(periodNanos, this);
            }
        }
    }
}
