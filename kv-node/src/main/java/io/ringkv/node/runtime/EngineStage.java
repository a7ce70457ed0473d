package io.ringkv.node.runtime;

import io.ringkv.api.Counter;
import io.ringkv.api.CounterKind;
import io.ringkv.api.CounterRegistry;
import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import io.ringkv.storage.StorageCompletion;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageMetrics;
import io.ringkv.storage.StorageStage;
import io.ringkv.storage.StorageTask;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.OneToOneConcurrentArrayQueue;
import org.agrona.concurrent.status.AtomicLongPosition;

/**
 * The node's storage stage: two threads beside the agent. The <em>applier</em> takes the agent's tasks in order and
 * runs them against the engine (reads answer at once; writes are appended to the commit log and memtable and wait);
 * after each pass over what it found queued it hands the pass's writes to the <em>syncer</em>, which forces the
 * engine once for everything handed to it since its last force and only then hands their completions back (group
 * commit across requests: writes that arrive while a force runs are covered together by the next one). Reads of a
 * token written but not yet forced wait for that force, and scans for the force of every earlier write, so no
 * answer carries data a crash could take back. A force that fails for want of space keeps the writes it should have
 * covered (see {@link StorageStage}): the syncer forces again after 10 ms, doubled with each failure in a row up to a
 * second (or at once when a read of their tokens hands it a pass), and acknowledges them with the first force that
 * succeeds; meanwhile new writes are refused {@code DISK_FULL} unapplied.
 *
 * <p>One applier thread runs every task, so one token's tasks (indeed all tasks) run in submission order. The agent
 * is the only submitter; completions are drained by it ({@link #drainCompletions()}) and it is woken when some
 * arrive. Both threads park when there is nothing to do; on a node the agent wakes a parked applier once at the end
 * of a duty cycle for all the cycle submitted ({@link #wakeAtCycleEnd()}): woken at each submission, a parked
 * applier ran one task and parked again before the next, a futex wake-up per task. The engine's report
 * ({@link StorageEngine#metrics()}, which may look at the file system) is taken on the applier once a second, never
 * on the agent.
 */
public final class EngineStage implements StorageStage, AutoCloseable {
    /**
     * Tasks the applier runs before it hands their writes to the syncer. Small enough that the syncer starts a force
     * while the applier works on: with 800 pipelined writes waiting (50 clients, 16 each), passes of 1,024 made the
     * syncer wait for each whole pass and the clients for both; 128 served about a quarter more writes a second with
     * the same group commit (writes handed over during a force still share the next one).
     */
    private static final int PASS_LIMIT = 128;
    /**
     * The longest park of an idle applier or syncer. Every hand-off wakes them, so this only paces the applier's
     * once-a-second engine report when no work comes: an idle node's four storage threads (data and hints) woke
     * about 10 times a second each at 100 ms, a third of an idle node's CPU.
     */
    private static final long IDLE_PARK_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long METRICS_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);
    /**
     * How long the syncer waits before it forces again writes a force failed for want of space, doubled with each
     * failure in a row up to {@link #MAX_SPACE_RETRY_NANOS}; a pass handed over meanwhile (reads waiting for the
     * writes' force: new writes are refused while writes wait for space) ends the wait at once.
     */
    private static final long FIRST_SPACE_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long MAX_SPACE_RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final StorageEngine engine;
    private final long idleParkNanos;
    private final int capacity;
    private final Runnable wakeAgent;
    private final Consumer<StorageMetrics> onMetrics;
    private final OneToOneConcurrentArrayQueue<Op> submitted;
    private final ManyToOneConcurrentArrayQueue<Op> completed;
    private final OneToOneConcurrentArrayQueue<Pass> toForce;
    private final Thread applier;
    private final Thread syncer;
    private volatile boolean running = true;
    private volatile boolean applierParked;
    private volatile boolean syncerParked;
    /** The last pass whose force completed (written by the syncer, read by the applier). */
    private final AtomicLongPosition forcedPass = new AtomicLongPosition();
    private volatile StorageMetrics latestMetrics;
    private final Counter forces;
    private final Counter forcedWrites;
    private final Counter refusedCounter;
    private final Counter inFlightGauge;
    private final Counter awaitingSpaceGauge;
    private final Counter forcesFailedForSpace;
    // applier thread only
    private final Long2LongHashMap unforcedTokens = new Long2LongHashMap(0);
    /** The last pass that holds a write (a scan waits for its force). */
    private long lastWritePass;
    private List<Op> pass = new ArrayList<>();
    /** Completions were handed to the agent since it was last woken. */
    private boolean completedSinceWake;
    private long passNumber = 1;
    private long nextMetricsNanos;
    // agent thread only
    private int inFlight;
    /** Submissions wake the applier at {@link #endCycle()}, not one by one. */
    private boolean wakesAtCycleEnd;
    /** Tasks were submitted since the applier was last woken (when waking at cycle end). */
    private boolean submittedSinceWake;
    private long applierWakes;
    // syncer thread only
    /** Applied write tasks whose force failed for want of space: they wait for a force that succeeds. */
    private final List<Op> awaitingSpace = new ArrayList<>();
    /** The last pass handed to the syncer: a force that succeeds covers it and every one before. */
    private long lastHandedPass;
    private long spaceRetryNanos = FIRST_SPACE_RETRY_NANOS;
    private long nextSpaceRetryNanos;

    /**
     * Starts the stage's threads.
     *
     * @param name names the threads ({@code <name>-storage}, {@code <name>-sync})
     * @param counterPrefix names the stage's counters ({@code <prefix>_forces}, ...): {@code storage_stage} for
     *     the data engine's stage, {@code hint_stage} for the hint store's
     * @param section the INFO section the counters show in
     * @param engine the engine the stage runs tasks against
     * @param capacity tasks that may be in the stage at once (queued, running or awaiting their force)
     * @param wakeAgent wakes the agent thread when completions arrive (called from the stage's threads)
     * @param onMetrics receives the engine's report once a second, on the applier thread
     * @param counters where the stage's counters go ({@code storage_stage_*}, INFO's storage section)
     */
    public EngineStage(String name, String counterPrefix, String section, StorageEngine engine, int capacity,
                       Runnable wakeAgent, Consumer<StorageMetrics> onMetrics, CounterRegistry counters) {
        this(name, counterPrefix, section, engine, capacity, wakeAgent, onMetrics, counters, IDLE_PARK_NANOS);
    }

    /**
     * {@link #EngineStage(String, String, String, StorageEngine, int, Runnable, Consumer, CounterRegistry)}, parking
     * an idle thread for at most {@code idleParkNanos} (tests: long enough that only a wake-up ends a park).
     */
    EngineStage(String name, String counterPrefix, String section, StorageEngine engine, int capacity,
                Runnable wakeAgent, Consumer<StorageMetrics> onMetrics, CounterRegistry counters, long idleParkNanos) {
        this.idleParkNanos = idleParkNanos;
        this.forces = counters.register(counterPrefix + "_forces", "forces of the engine by this stage: one"
            + " covers every write handed to it since the last (group commit)", CounterKind.COUNTER, section);
        this.forcedWrites = counters.register(counterPrefix + "_forced_writes", "write tasks completed after a"
            + " force covered them; divided by " + counterPrefix + "_forces, the writes one force covered on average",
            CounterKind.COUNTER, section);
        this.refusedCounter = counters.register(counterPrefix + "_refused", "reads and writes refused because"
            + " this stage already held its capacity", CounterKind.COUNTER, section);
        this.inFlightGauge = counters.register(counterPrefix + "_in_flight", "reads and writes in this stage now"
            + " (queued, running or awaiting a force), as of the agent's last completion", CounterKind.GAUGE,
            section);
        this.awaitingSpaceGauge = counters.register(counterPrefix + "_awaiting_space", "writes applied whose force"
            + " failed for want of space: they are acknowledged by the first force that succeeds (tried again at"
            + " least once a second)", CounterKind.GAUGE, section);
        this.forcesFailedForSpace = counters.register(counterPrefix + "_forces_failed_for_space", "forces that"
            + " failed for want of space (included in " + counterPrefix + "_forces); the writes they should have"
            + " covered wait for one that succeeds", CounterKind.COUNTER, section);
        this.engine = engine;
        this.capacity = capacity;
        this.wakeAgent = wakeAgent;
        this.onMetrics = onMetrics;
        this.submitted = new OneToOneConcurrentArrayQueue<>(capacity);
        this.completed = new ManyToOneConcurrentArrayQueue<>(capacity);
        this.toForce = new OneToOneConcurrentArrayQueue<>(capacity);
        this.latestMetrics = engine.metrics();
        this.applier = Thread.ofPlatform().daemon().name(name + "-storage").unstarted(this::runApplier);
        this.syncer = Thread.ofPlatform().daemon().name(name + "-sync").unstarted(this::runSyncer);
        applier.start();
        syncer.start();
    }

    @Override
    public <T> boolean read(long token, StorageTask<T> task, StorageCompletion<T> completion) {
        return submit(new Op(token, task, completion, false, false));
    }

    @Override
    public <T> boolean scan(long token, StorageTask<T> task, StorageCompletion<T> completion) {
        return submit(new Op(token, task, completion, false, true));
    }

    @Override
    public <T> boolean write(long token, StorageTask<T> task, StorageCompletion<T> completion) {
        return submit(new Op(token, task, completion, true, false));
    }

    /** Agent thread. */
    private boolean submit(Op op) {
        if (inFlight >= capacity || !submitted.offer(op)) {
            refusedCounter.incrementRelease();
            return false;
        }
        inFlightGauge.setRelease(++inFlight);
        if (wakesAtCycleEnd) {
            submittedSinceWake = true;
        } else {
            wakeApplier();
        }
        return true;
    }

    private void wakeApplier() {
        // the applier sets its flag, then looks at the queue; the agent offers, then looks at the flag
        VarHandle.fullFence();
        if (applierParked) {
            applierWakes++;
            LockSupport.unpark(applier);
        }
    }

    /** @return how many times the agent woke the parked applier (agent thread, for tests) */
    long applierWakes() {
        return applierWakes;
    }

    /** @return whether tasks submitted wait for {@link #endCycle()} to wake the applier (agent thread, for tests) */
    boolean wakePending() {
        return submittedSinceWake;
    }

    /** @return whether the applier is parked or about to park (any thread, for tests) */
    boolean applierParked() {
        return applierParked;
    }

    /**
     * From now on a task submitted wakes a parked applier only at {@link #endCycle()}, once for everything the
     * agent's duty cycle submitted, not at each submission. Agent thread, or before the agent runs.
     */
    public void wakeAtCycleEnd() {
        wakesAtCycleEnd = true;
    }

    /**
     * Agent thread, at the end of each duty cycle (see {@link #wakeAtCycleEnd()}): wakes the applier, if it is
     * parked, for the tasks the cycle submitted.
     */
    public void endCycle() {
        if (submittedSinceWake) {
            submittedSinceWake = false;
            wakeApplier();
        }
    }

    /**
     * Agent thread: runs the completions that arrived.
     *
     * @return how many ran (work done this duty cycle)
     */
    public int drainCompletions() {
        int drained = completed.drain(this::complete);
        if (drained > 0) {
            inFlightGauge.setRelease(inFlight);
        }
        return drained;
    }

    @SuppressWarnings("unchecked")
    private void complete(Op op) {
        inFlight--;
        ((StorageCompletion<Object>) op.completion).complete(op.result, op.failure);
    }

    /** @return the engine's report as of the last second, taken off the agent thread (any thread) */
    public StorageMetrics latestMetrics() {
        return latestMetrics;
    }

    // ---- applier ---------------------------------------------------------------------------------------------

    private void runApplier() {
        nextMetricsNanos = System.nanoTime();
        while (running) {
            int ran = submitted.drain(this::apply, PASS_LIMIT);
            if (!pass.isEmpty()) {
                handToSyncer();
            }
            boolean wake = completedSinceWake;
            completedSinceWake = false;
            if (wake) {
                // the completions were published with release stores; the agent's parked flag must be read after
                VarHandle.fullFence();
                wakeAgent.run();
            }
            publishMetricsWhenDue();
            if (ran == 0) {
                applierParked = true;
                if (submitted.isEmpty() && running) {
                    LockSupport.parkNanos(idleParkNanos);
                }
                applierParked = false;
            }
        }
    }

    private void apply(Op op) {
        // writes waiting for space keep their slots for as long as the disk stays full: new ones are refused
        // unapplied meanwhile (their coordinator may hand them to another replica), so reads keep the stage
        long waiting = op.write ? awaitingSpaceGauge.get() : 0;
        if (waiting > 0) {
            op.failure = StorageStage.refusedWhileWaitingForSpace(waiting);
            hand(op);
            return;
        }
        try {
            op.result = op.task.run(engine);
        } catch (KvException e) {
            op.failure = e;
        } catch (RuntimeException | Error e) {
            // fails this task, not the applier thread, which would leave every later task waiting for good: an
            // InternalError is the JVM's report of a fault on a memory-mapped file (an I/O error under an engine's
            // mapping), which may surface after the access that caused it; an OutOfMemoryError of one large task
            // leaves the heap to the others once the task's garbage is collected
            op.failure = new KvException(ErrorCode.STORAGE_FAILURE, "storage task failed: " + e);
        }
        if (op.write) {
            // even a write that failed may have changed what a read sees (appended and applied, then its wait for a
            // durable log failed): reads of its token wait for a force all the same
            unforcedTokens.put(op.token, passNumber);
            lastWritePass = passNumber;
            pass.add(op);
        } else if ((op.range ? lastWritePass : unforcedTokens.get(op.token)) > forcedPass.getVolatile()) {
            // an earlier write of this token (of any token, for a scan) waits for its force: so does this answer
            pass.add(op);
        } else {
            hand(op);
        }
    }

    private void hand(Op op) {
        // never full: the agent keeps at most capacity tasks in the stage
        completed.offer(op);
        completedSinceWake = true;
    }

    private void handToSyncer() {
        Pass handed = new Pass(passNumber++, pass);
        pass = new ArrayList<>();
        toForce.offer(handed);
        VarHandle.fullFence();
        if (syncerParked) {
            LockSupport.unpark(syncer);
        }
        if (unforcedTokens.size() > 65_536) {
            long forced = forcedPass.getVolatile();
            unforcedTokens.entrySet().removeIf(entry -> entry.getValue() <= forced);
        }
    }

    private void publishMetricsWhenDue() {
        long now = System.nanoTime();
        if (now - nextMetricsNanos >= 0) {
            nextMetricsNanos = now + METRICS_EVERY_NANOS;
            try {
                StorageMetrics metrics = engine.metrics();
                latestMetrics = metrics;
                onMetrics.accept(metrics);
            } catch (RuntimeException | Error e) {
                // a closed or failing engine: the last report stays (and the applier runs on)
            }
        }
    }

    // ---- syncer ----------------------------------------------------------------------------------------------

    private void runSyncer() {
        List<Pass> passes = new ArrayList<>();
        while (running) {
            toForce.drain(passes::add);
            long untilRetry = nextSpaceRetryNanos - System.nanoTime();
            if (passes.isEmpty() && (awaitingSpace.isEmpty() || untilRetry > 0)) {
                syncerParked = true;
                if (toForce.isEmpty() && running) {
                    LockSupport.parkNanos(awaitingSpace.isEmpty() ? idleParkNanos : untilRetry);
                }
                syncerParked = false;
                continue;
            }
            force(passes);
            passes.clear();
        }
    }

    /**
     * One force for every pass handed over since the last, and for the writes waiting for space: it covers every
     * write they appended.
     */
    private void force(List<Pass> passes) {
        KvException failure = null;
        boolean waitsForSpace = false;
        try {
            engine.flush();
        } catch (RuntimeException | Error e) {
            // the writes fail, not the syncer thread: without it no write would ever complete again
            failure = StorageStage.forceFailure(e);
            waitsForSpace = StorageStage.forceWaitsForSpace(e);
        }
        if (!passes.isEmpty()) {
            lastHandedPass = passes.getLast().number;
        }
        long writes = 0;
        if (!waitsForSpace) {
            // forced at last, or failed for another reason: what such a failure lost is unknown
            for (Op op : awaitingSpace) {
                fail(op, failure);
                completed.offer(op);
                writes++;
            }
            awaitingSpace.clear();
        }
        for (Pass handed : passes) {
            for (Op op : handed.ops) {
                if (waitsForSpace && op.write && op.failure == null) {
                    // applied, and kept by the engine for its next force: heard of as failed, its coordinator would
                    // not send it on, and it would become durable here alone
                    awaitingSpace.add(op);
                    continue;
                }
                if (op.write) {
                    writes++;
                }
                // a read waiting here would answer with data the failed force did not make durable
                fail(op, failure);
                completed.offer(op);
            }
        }
        forces.incrementRelease();
        forcedWrites.addRelease(writes);
        if (waitsForSpace) {
            forcesFailedForSpace.incrementRelease();
            nextSpaceRetryNanos = System.nanoTime() + spaceRetryNanos;
            spaceRetryNanos = Math.min(2 * spaceRetryNanos, MAX_SPACE_RETRY_NANOS);
        } else {
            spaceRetryNanos = FIRST_SPACE_RETRY_NANOS;
        }
        awaitingSpaceGauge.setRelease(awaitingSpace.size());
        if (failure == null) {
            // after a failed force the writes stay unforced (an engine may write them at its next force): reads of
            // their tokens keep waiting for a force that succeeds, and fail with each one that does not
            forcedPass.setRelease(lastHandedPass);
        }
        VarHandle.fullFence();
        wakeAgent.run();
    }

    private static void fail(Op op, KvException failure) {
        if (failure != null && op.failure == null) {
            op.result = null;
            op.failure = failure;
        }
    }

    @Override
    public void close() {
        running = false;
        LockSupport.unpark(applier);
        LockSupport.unpark(syncer);
        try {
            applier.join(TimeUnit.SECONDS.toMillis(10));
            syncer.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One task in the stage, and then its outcome. */
    private static final class Op {
        final long token;
        final StorageTask<?> task;
        final StorageCompletion<?> completion;
        final boolean write;
        /** A read of many tokens: it waits for every earlier write's force. */
        final boolean range;
        Object result;
        KvException failure;

        Op(long token, StorageTask<?> task, StorageCompletion<?> completion, boolean write, boolean range) {
            this.token = token;
            this.task = task;
            this.completion = completion;
            this.write = write;
            this.range = range;
        }
    }

    /** The writes (and the reads waiting on them) of one applier pass, forced together. */
    private record Pass(long number, List<Op> ops) {
    }
}
