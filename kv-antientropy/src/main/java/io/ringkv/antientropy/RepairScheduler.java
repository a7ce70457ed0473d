package io.ringkv.antientropy;

import io.ringkv.api.CounterKind;
import io.ringkv.api.Counter;
import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import io.ringkv.api.NodeContext;
import io.ringkv.api.NodeId;
import io.ringkv.api.TimerHandler;
import io.ringkv.ring.PreferenceList;
import io.ringkv.ring.Ring;
import io.ringkv.ring.TokenRange;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Repair passes over every token range this node replicates: for each range, one session with each other replica
 * of it, one session at a time (so a pass paces itself and never floods the storage stage or the network). A pass
 * starts on demand ({@link #start}, {@code ringkv repair}) and, with a period set, again that long after the last
 * one ended, so every range is repaired within about a period plus a pass. A replica believed down is skipped and
 * counted. Progress and the last pass's summary are gauges in the registry (INFO section {@code repair}). Agent
 * thread only.
 */
public final class RepairScheduler implements TimerHandler {
    private final NodeContext context;
    private final AntiEntropy repair;
    private final Supplier<Ring> ring;
    private final Predicate<NodeId> alive;
    private final long periodNanos;
    private final Counter running;
    private final Counter sessionsTotal;
    private final Counter sessionsDone;
    private final Counter sessionsSkipped;
    private final Counter sessionsFailed;
    private final Counter keysExchanged;
    private final Counter passesCompleted;
    private final Counter lastPassMillis;
    private final Deque<Task> tasks = new ArrayDeque<>();
    private boolean inPass;
    /** Another pass was asked for while one ran. */
    private boolean again;
    private long passStartedNanos;

    /** One session of a pass. */
    private record Task(TokenRange range, NodeId peer) {
    }

    /**
     * @param ring the ring ranges are taken from when a pass starts
     * @param alive whether a peer is believed alive (a DOWN one is skipped)
     * @param periodNanos time from the end of one pass to the start of the next; 0 for passes on demand only
     */
    public RepairScheduler(NodeContext context, AntiEntropy repair, Supplier<Ring> ring, Predicate<NodeId> alive,
                           long periodNanos) {
        this.context = context;
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
            + " pass skipped because the peer was believed down", CounterKind.GAUGE, "repair");
        this.sessionsFailed = counters.register("repair_pass_sessions_failed", "sessions of the current or last pass"
            + " that failed (see repair_sessions_failed)", CounterKind.GAUGE, "repair");
        this.keysExchanged = counters.register("repair_pass_keys", "records exchanged by the current or last pass,"
            + " both ways", CounterKind.GAUGE, "repair");
        this.passesCompleted = counters.register("repair_passes_completed", "repair passes this node finished",
            CounterKind.COUNTER, "repair");
        this.lastPassMillis = counters.register("repair_last_pass_millis", "how long the last finished pass took",
            CounterKind.GAUGE, "repair");
        if (periodNanos > 0) {
            context.timers().schedule(periodNanos, this);
        }
    }

    /**
     * Starts a pass over every range this node replicates.
     *
     * @return the number of sessions the pass will run
     * @throws KvException with {@code INVALID_ARGUMENT} when a pass is running already, {@code UNAVAILABLE} when the
     *     ring holds no other replica of this node's ranges
     */
    public int start() {
        if (inPass) {
            throw new KvException(ErrorCode.INVALID_ARGUMENT, "a repair pass is running on this node already ("
                + sessionsDone.get() + " of " + sessionsTotal.get() + " sessions done)");
        }
        Ring current = ring.get();
        NodeId self = context.self();
        tasks.clear();
        for (TokenRange range : current.ranges()) {
            PreferenceList replicas = current.preferenceList(range.end());
            if (!replicas.contains(self)) {
                continue;
            }
            for (int i = 0; i < replicas.size(); i++) {
                NodeId peer = replicas.get(i).id();
                if (!peer.equals(self)) {
                    tasks.add(new Task(range, peer));
                }
            }
        }
        if (tasks.isEmpty()) {
            throw new KvException(ErrorCode.UNAVAILABLE, "no other node replicates this node's ranges: nothing to"
                + " repair against");
        }
        inPass = true;
        passStartedNanos = context.clock().monotonicNanos();
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
            if (alive.test(task.peer())) {
                repair.repair(task.range(), task.peer(), this::ended);
                return;
            }
            sessionsSkipped.setRelease(sessionsSkipped.get() + 1);
            sessionsDone.setRelease(sessionsDone.get() + 1);
        }
        inPass = false;
        running.setRelease(0);
        passesCompleted.incrementRelease();
        lastPassMillis.setRelease((context.clock().monotonicNanos() - passStartedNanos) / 1_000_000);
        if (again) {
            again = false;
            requestPass();
            return;
        }
        if (periodNanos > 0) {
            context.timers().schedule(periodNanos, this);
        }
    }

    private void ended(RepairResult result) {
        sessionsDone.setRelease(sessionsDone.get() + 1);
        if (!result.completed()) {
            sessionsFailed.setRelease(sessionsFailed.get() + 1);
        }
        keysExchanged.setRelease(keysExchanged.get() + result.keysSent() + result.keysReceived());
        next();
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
