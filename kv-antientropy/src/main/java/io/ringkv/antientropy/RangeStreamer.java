package io.ringkv.antientropy;

import io.ringkv.api.Counter;
import io.ringkv.api.CounterKind;
import io.ringkv.api.NodeContext;
import io.ringkv.api.NodeId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Moves token ranges between nodes by repair sessions (repair-based streaming, as ScyllaDB's node operations): each
 * {@link StreamPlan.Task} is one {@link AntiEntropy} session over the range with the peer, which sends each side
 * the records the other lacks, checksummed per message, retried per message, and merged by the resolver through the
 * storage stage. Streaming therefore resumes for free: after either side restarts, running the plan again moves only
 * what is still missing. Sessions run one at a time (the repair's own pacing). A session that fails, or whose peer
 * is believed down, is tried again after the others, then every {@code retryNanos} until it completes: a plan
 * finishes only when every session did, which an operator sees in the progress. Agent thread only.
 */
public final class RangeStreamer {
    private final NodeContext context;
    private final AntiEntropy repair;
    private final Predicate<NodeId> alive;
    private final long retryNanos;
    private final Counter running;
    private final Counter sessionsTotal;
    private final Counter sessionsDone;
    private final Counter sessionsFailed;
    private final Counter keysReceived;
    private final Counter keysSent;
    private final Counter recordBytes;
    private final Deque<StreamPlan.Task> queue = new ArrayDeque<>();
    private final List<StreamPlan.Task> failed = new ArrayList<>();
    private Consumer<Progress> progress = p -> { };
    private Runnable done = () -> { };
    private boolean active;
    private String lastFailure = "";
    private long epoch;
    /** The session of the running plan, null between sessions. */
    private Session current;

    /**
     * What a plan has done so far.
     *
     * @param done sessions completed
     * @param total sessions in the plan
     * @param failures sessions that failed or waited for a peer so far (each is tried again)
     * @param keysReceived records received (and merged here)
     * @param keysSent records sent (a source missing a write the joiner got elsewhere is repaired on the way)
     * @param bytes record bytes moved both ways
     * @param lastFailure why the last session that failed did, or "" when none has
     */
    public record Progress(int done, int total, long failures, long keysReceived, long keysSent, long bytes,
                           String lastFailure) {
        /** @return e.g. {@code 12/48 sessions, 3400 keys received, 12 sent, 1048576 bytes} */
        @Override
        public String toString() {
            return done + "/" + total + " sessions, " + keysReceived + " keys received, " + keysSent + " sent, "
                + bytes + " bytes" + (failures > 0 ? ", " + failures + " retried" : "");
        }

        /**
         * @return this progress with the counts that run over the node's life (keys, bytes, failures) taken from
         *     {@code earlier} on: one move's share, when an earlier move ran in the same process
         */
        public Progress since(Progress earlier) {
            return new Progress(done, total, Math.max(0, failures - earlier.failures),
                Math.max(0, keysReceived - earlier.keysReceived), Math.max(0, keysSent - earlier.keysSent),
                Math.max(0, bytes - earlier.bytes), lastFailure);
        }
    }

    /**
     * @param alive whether a peer is believed alive (sessions with a DOWN one wait)
     * @param retryNanos pause before failed sessions are tried again
     */
    public RangeStreamer(NodeContext context, AntiEntropy repair, Predicate<NodeId> alive, long retryNanos) {
        this.context = context;
        this.repair = repair;
        this.alive = alive;
        this.retryNanos = retryNanos;
        var counters = context.counters();
        this.running = counters.register("stream_running", "1 while this node streams ranges (joining or leaving)",
            CounterKind.GAUGE, "streaming");
        this.sessionsTotal = counters.register("stream_sessions", "sessions of the current or last streaming plan",
            CounterKind.GAUGE, "streaming");
        this.sessionsDone = counters.register("stream_sessions_done", "sessions of the current or last plan that"
            + " completed", CounterKind.GAUGE, "streaming");
        this.sessionsFailed = counters.register("stream_sessions_retried", "sessions that failed or waited for a DOWN"
            + " peer, and were tried again", CounterKind.COUNTER, "streaming");
        this.keysReceived = counters.register("stream_keys_received", "records received by streaming sessions",
            CounterKind.COUNTER, "streaming");
        this.keysSent = counters.register("stream_keys_sent", "records sent by streaming sessions",
            CounterKind.COUNTER, "streaming");
        this.recordBytes = counters.register("stream_record_bytes", "record bytes streaming sessions moved both ways",
            CounterKind.COUNTER, "streaming");
    }

    /**
     * Runs {@code tasks}, then calls {@code finished}; replaces any plan running (whose completion is then never
     * reported, and whose session running is cancelled).
     *
     * @param onProgress told after every session
     * @param finished called once every session completed
     */
    public void stream(List<StreamPlan.Task> tasks, Consumer<Progress> onProgress, Runnable finished) {
        epoch++;
        stopSession("the streaming plan was replaced");
        queue.clear();
        failed.clear();
        queue.addAll(tasks);
        progress = onProgress;
        done = finished;
        active = true;
        running.setRelease(1);
        sessionsTotal.setRelease(tasks.size());
        sessionsDone.setRelease(0);
        next(epoch);
    }

    /** Stops the running plan and its session; its completion is never reported. */
    public void cancel() {
        epoch++;
        stopSession("the streaming plan was cancelled");
        queue.clear();
        failed.clear();
        active = false;
        running.setRelease(0);
    }

    /** @return whether a plan is running */
    public boolean active() {
        return active;
    }

    /** @return the running or last plan's progress */
    public Progress progress() {
        return new Progress((int) sessionsDone.get(), (int) sessionsTotal.get(), sessionsFailed.get(),
            keysReceived.get(), keysSent.get(), recordBytes.get(), lastFailure);
    }

    private void next(long run) {
        if (run != epoch) {
            return;
        }
        StreamPlan.Task task;
        while ((task = queue.poll()) != null) {
            if (!alive.test(task.peer())) {
                lastFailure = task.peer() + " is down";
                retryLater(task);
                continue;
            }
            StreamPlan.Task started = task;
            Session session = new Session();
            long id = repair.repair(task.range(), task.peer(), this::moved, result -> {
                session.ended = true;
                if (current == session) {
                    current = null;
                }
                ended(run, started, result);
            });
            // a session can end before repair returns (a full storage stage), and its end may start the next
            if (!session.ended) {
                session.id = id;
                current = session;
            }
            return;
        }
        if (!failed.isEmpty()) {
            queue.addAll(failed);
            failed.clear();
            context.timers().schedule(retryNanos, id -> next(run));
            return;
        }
        active = false;
        running.setRelease(0);
        done.run();
    }

    /**
     * Cancels the session running, if any: a plan that replaces this one would otherwise run its sessions beside
     * it (taking a second of the peer's serving slots) or leave it resending to a peer that left.
     */
    private void stopSession(String why) {
        Session running = current;
        current = null;
        if (running != null) {
            repair.cancel(running.id, why);
        }
    }

    /** The session a plan is running. */
    private static final class Session {
        long id;
        boolean ended;
    }

    private void retryLater(StreamPlan.Task task) {
        failed.add(task);
        sessionsFailed.incrementRelease();
    }

    /**
     * Counts records as the sessions move them, so that progress shows them before a session ends, and shows what a
     * cancelled session moved.
     */
    private void moved(int received, int sent, long bytes) {
        keysReceived.setRelease(keysReceived.get() + received);
        keysSent.setRelease(keysSent.get() + sent);
        recordBytes.setRelease(recordBytes.get() + bytes);
    }

    private void ended(long run, StreamPlan.Task task, RepairResult result) {
        if (run != epoch) {
            return;
        }
        if (result.completed()) {
            sessionsDone.setRelease(sessionsDone.get() + 1);
        } else {
            lastFailure = task.range() + " with " + task.peer() + ": " + result.failure();
            retryLater(task);
        }
        progress.accept(progress());
        next(run);
    }
}
