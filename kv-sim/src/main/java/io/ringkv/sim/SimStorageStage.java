package io.ringkv.sim;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import io.ringkv.api.NodeContext;
import io.ringkv.api.Timers;
import io.ringkv.storage.StorageCompletion;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageStage;
import io.ringkv.storage.StorageTask;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * A {@link StorageStage} in virtual time, on the node's timers: each task runs after a random latency (so tasks of
 * different tokens reorder, while one token's run in submission order), write completions wait for a simulated
 * force that covers every write run before it (group commit), and a crash drops everything still queued or
 * waiting for its force together with the timers, while the {@link SimDisk} keeps only what was flushed. A force
 * that fails for want of space keeps the applied writes waiting, as the node's stage does, and is tried again
 * {@link #SPACE_RETRY_NANOS} later, or with the next task that waits for a force. So every protocol test runs
 * against asynchronous storage with the production stage's guarantees.
 */
public final class SimStorageStage implements StorageStage {
    /** Latencies of the default stage: tasks run 20–200 µs after submission, a force takes 0.2–2 ms. */
    public static final LatencyModel DEFAULT_TASK_LATENCY = LatencyModel.uniform(20_000, 200_000);
    /** @see #DEFAULT_TASK_LATENCY */
    public static final LatencyModel DEFAULT_FORCE_LATENCY = LatencyModel.uniform(200_000, 2_000_000);
    /** How long after a force failed for want of space the stage forces again for the writes it kept. */
    public static final long SPACE_RETRY_NANOS = 100_000_000L;

    private final StorageEngine engine;
    private final Timers timers;
    private final SplittableRandom random;
    private final LatencyModel taskLatency;
    private final LatencyModel forceLatency;
    private final int capacity;
    /** Virtual (node-clock) nanoseconds from now at which each token's last queued task runs, for FIFO order. */
    private final Map<Long, Long> lastRunAt = new HashMap<>();
    /** Completions waiting for the next force, each given that force's failure (null when it succeeded). */
    private final List<AwaitingForce> awaitingForce = new ArrayList<>();
    /** Applied writes whose last force failed for want of space. */
    private int waitingForSpace;
    private final Set<Long> unforcedTokens = new HashSet<>();
    private final io.ringkv.api.Clock clock;
    private boolean forceScheduled;
    /** A force for the writes kept by a force that failed for want of space is due {@link #SPACE_RETRY_NANOS} on. */
    private boolean spaceRetryScheduled;
    private int queued;
    private long forces;

    /** A stage with the default latencies and room for 10,000 queued tasks. */
    public SimStorageStage(NodeContext context, StorageEngine engine) {
        this(context, engine, DEFAULT_TASK_LATENCY, DEFAULT_FORCE_LATENCY, 10_000);
    }

    /**
     * @param context the node's runtime (its timers carry the stage's events, so they die with the incarnation)
     * @param engine the node's engine
     * @param taskLatency how long after submission a task runs
     * @param forceLatency how long a force takes
     * @param capacity how many tasks may be queued or await a force before submissions are refused
     */
    public SimStorageStage(NodeContext context, StorageEngine engine, LatencyModel taskLatency,
                           LatencyModel forceLatency, int capacity) {
        this.engine = engine;
        this.timers = context.timers();
        this.clock = context.clock();
        // a stream of its own: storage latencies do not shift the node's protocol randomness
        this.random = new SplittableRandom(context.random().nextLong());
        this.taskLatency = taskLatency;
        this.forceLatency = forceLatency;
        this.capacity = capacity;
    }

    @Override
    public <T> boolean read(long token, StorageTask<T> task, StorageCompletion<T> completion) {
        return submit(token, task, completion, false);
    }

    @Override
    public <T> boolean scan(long token, StorageTask<T> task, StorageCompletion<T> completion) {
        return submit(token, task, completion, false, true);
    }

    @Override
    public <T> boolean write(long token, StorageTask<T> task, StorageCompletion<T> completion) {
        return submit(token, task, completion, true);
    }

    /** @return forces done (a write-heavy test can check that one force covered many writes) */
    public long forces() {
        return forces;
    }

    private <T> boolean submit(long token, StorageTask<T> task, StorageCompletion<T> completion, boolean write) {
        return submit(token, task, completion, write, false);
    }

    private <T> boolean submit(long token, StorageTask<T> task, StorageCompletion<T> completion, boolean write,
                               boolean range) {
        if (queued >= capacity) {
            return false;
        }
        queued++;
        long now = clock.monotonicNanos();
        long runAt = now + taskLatency.sampleNanos(random);
        Long previous = lastRunAt.get(token);
        if (previous != null && previous >= runAt) {
            runAt = previous + 1;
        }
        lastRunAt.put(token, runAt);
        if (lastRunAt.size() > 4 * capacity) {
            lastRunAt.values().removeIf(at -> at < now);
        }
        timers.schedule(runAt - now, timerId -> run(token, task, completion, write, range));
        return true;
    }

    private <T> void run(long token, StorageTask<T> task, StorageCompletion<T> completion, boolean write,
                         boolean range) {
        if (write && waitingForSpace > 0) {
            // as the node's stage: while writes wait for space, new ones are refused unapplied
            complete(null, StorageStage.refusedWhileWaitingForSpace(waitingForSpace), completion);
            return;
        }
        T result = null;
        KvException failure = null;
        try {
            result = task.run(engine);
        } catch (KvException e) {
            failure = e;
        } catch (RuntimeException | Error e) {
            // as the node's stage: a task's Error fails the task, not the thread that runs every task
            failure = new KvException(ErrorCode.STORAGE_FAILURE, "storage task failed: " + e);
        }
        T finalResult = result;
        KvException finalFailure = failure;
        if (write) {
            unforcedTokens.add(token);
            // an applied write waits through forces that fail for want of space; one that failed itself does not
            awaitingForce.add(new AwaitingForce(failure == null,
                forceFailure -> completeAfterForce(finalResult, finalFailure, forceFailure, completion)));
            scheduleForce();
        } else if (range ? !unforcedTokens.isEmpty() : unforcedTokens.contains(token)) {
            // an earlier write of this token (of any, for a scan) is not forced yet: the read must not answer with
            // it before it is; after a failed force nothing else may come to force it, so the read asks for one
            awaitingForce.add(new AwaitingForce(false,
                forceFailure -> completeAfterForce(finalResult, finalFailure, forceFailure, completion)));
            scheduleForce();
        } else {
            complete(result, failure, completion);
        }
    }

    private void scheduleForce() {
        if (!forceScheduled) {
            forceScheduled = true;
            timers.schedule(forceLatency.sampleNanos(random), timerId -> force());
        }
    }

    private void force() {
        forceScheduled = false;
        forces++;
        KvException forceFailure = null;
        boolean waitsForSpace = false;
        try {
            engine.flush();
        } catch (RuntimeException | Error e) {
            forceFailure = StorageStage.forceFailure(e);
            waitsForSpace = StorageStage.forceWaitsForSpace(e);
        }
        List<AwaitingForce> done = new ArrayList<>(awaitingForce);
        awaitingForce.clear();
        if (forceFailure == null) {
            // as the node's stage: a failed force leaves its writes unforced, and reads of them wait for (and fail
            // with) the next force, so a read never answers with what a crash could still take back
            unforcedTokens.clear();
        }
        waitingForSpace = 0;
        for (AwaitingForce waiting : done) {
            if (waitsForSpace && waiting.appliedWrite()) {
                awaitingForce.add(waiting);
                waitingForSpace++;
            } else {
                waiting.completion().accept(forceFailure);
            }
        }
        if (!awaitingForce.isEmpty() && !spaceRetryScheduled) {
            // as the node's stage: tried again after a pause, or at once with the next task that waits for a force;
            // one pause at a time, however many forces fail meanwhile
            spaceRetryScheduled = true;
            timers.schedule(SPACE_RETRY_NANOS, timerId -> {
                spaceRetryScheduled = false;
                scheduleForce();
            });
        }
    }

    /**
     * A completion waiting for a force.
     *
     * @param appliedWrite a write task that ran without failing: it waits through forces that fail for want of space
     */
    private record AwaitingForce(boolean appliedWrite, Consumer<KvException> completion) {
    }

    private <T> void completeAfterForce(T result, KvException failure, KvException forceFailure,
                                        StorageCompletion<T> completion) {
        if (failure == null && forceFailure != null) {
            complete(null, forceFailure, completion);
        } else {
            complete(result, failure, completion);
        }
    }

    private <T> void complete(T result, KvException failure, StorageCompletion<T> completion) {
        queued--;
        completion.complete(result, failure);
    }
}
