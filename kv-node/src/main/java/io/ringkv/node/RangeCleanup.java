package io.ringkv.node;

import io.ringkv.api.Counter;
import io.ringkv.api.CounterKind;
import io.ringkv.api.CounterRegistry;
import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import io.ringkv.api.NodeId;
import io.ringkv.ring.Ring;
import io.ringkv.storage.StorageEngine;
import java.util.function.Consumer;
import java.util.function.LongPredicate;
import java.util.function.ObjLongConsumer;

/**
 * {@code ringkv cleanup}: drops the records of the ranges this node no longer replicates (after a join took them
 * over), as Cassandra's {@code nodetool cleanup}. Run by the operator rather than automatically: until then, the
 * data a joiner took over stays where it was, which is what lets a join be undone (the joiner removed) without
 * loss. Refused while the ring moves (a node joins or leaves), when a range may be about to come back. The engine
 * rewrites its files on a thread of its own, never the agent's or the storage stage's; progress is in {@code INFO
 * cleanup}. Until a cleanup on a settled ring has run, this node counts as holding leftovers, and no node purges a
 * tombstone ({@link io.ringkv.gossip.Leftovers}). A cleanup asked for right after a ring change starts once writes
 * routed by the previous ring have stopped arriving, or they could land after it looked.
 *
 * <p>A ring that starts to move while a cleanup runs (a node leaves, and a range comes back to this one) is heeded:
 * a record is kept when this node replicates its token in the ring the cleanup started with or in the current or
 * future ring as of the moment the record is looked at. What the cleanup dropped before the ring moved may be
 * needed again, and a stream may have taken it for present: when the cleanup ends, a repair pass is asked for.
 */
final class RangeCleanup {
    private final StorageEngine engine;
    private final Consumer<String> events;
    /** Asks for a repair pass (from the cleanup's thread) after a cleanup during which the ring moved. */
    private final Runnable repairAfterMove;
    /**
     * Told, on the cleanup's thread, of the ring a cleanup that ended with the ring unmoved cleaned against, and of
     * the leftovers epoch it started at.
     */
    private final ObjLongConsumer<Ring> cleaned;
    /** How long after a ring change writes routed by the previous ring may still arrive: a cleanup waits that long. */
    private final long settleNanos;
    /** When the agent last told of a ring change (agent thread only: {@link #start} reads it there). */
    private long lastChangeNanos = System.nanoTime();
    /** The current and future rings, as of the agent's last ring change (read on the cleanup's thread). */
    private volatile Ring[] rings;
    /** The ring moved while the running cleanup ran. */
    private volatile boolean movedDuring;
    private final Counter running;
    private final Counter completed;
    private final Counter failed;
    private final Counter ringMoved;
    private final Counter dropped;
    private final Counter lastMillis;
    private final Counter lastNumber;
    private final Counter lastDropped;
    private final Counter lastFailed;
    private final Counter lastRingMoved;
    /** Cleanups started since this node started (agent thread only): the number of the last one. */
    private long started;

    /**
     * @param repairAfterMove asks for a repair pass of this node's ranges; called on the cleanup's thread when the
     *     ring moved while it ran
     */
    RangeCleanup(StorageEngine engine, CounterRegistry counters, Consumer<String> events, Runnable repairAfterMove) {
        this(engine, counters, events, repairAfterMove, 0, (ring, epoch) -> { });
    }

    /**
     * As above, with a settling time and a listener.
     *
     * @param settleNanos how long writes routed by the previous ring may still arrive after a ring change (they
     *     would land after the cleanup looked, in ranges this node no longer replicates): a cleanup asked for sooner
     *     starts that long after the change
     * @param cleaned hears, on the cleanup's thread, the ring a cleanup dropped against and the epoch given to
     *     {@link #start}, when it finished without failing and with the ring unmoved (this node then holds no
     *     records of ranges it does not replicate there)
     */
    RangeCleanup(StorageEngine engine, CounterRegistry counters, Consumer<String> events, Runnable repairAfterMove,
                 long settleNanos, ObjLongConsumer<Ring> cleaned) {
        this.engine = engine;
        this.cleaned = cleaned;
        this.settleNanos = settleNanos;
        this.events = events;
        this.repairAfterMove = repairAfterMove;
        this.running = counters.register("cleanup_running", "1 while a cleanup drops ranges this node no longer"
            + " replicates", CounterKind.GAUGE, "cleanup");
        this.completed = counters.register("cleanups_completed", "cleanups this node finished (failed ones included)",
            CounterKind.COUNTER, "cleanup");
        this.failed = counters.register("cleanups_failed", "cleanups that failed (the engine could not rewrite its"
            + " tables; the node's log says why): what they had not dropped is still there", CounterKind.COUNTER,
            "cleanup");
        this.ringMoved = counters.register("cleanups_ring_moved", "cleanups during which the ring changed: what"
            + " they dropped may belong to a range that came back, so a repair pass was asked for, and the node still"
            + " counts as holding leftovers until a cleanup runs with the ring unmoved", CounterKind.COUNTER,
            "cleanup");
        this.dropped = counters.register("cleanup_records_dropped", "records cleanups dropped (ranges this node no"
            + " longer replicates)", CounterKind.COUNTER, "cleanup");
        this.lastMillis = counters.register("cleanup_last_millis", "how long the last cleanup took",
            CounterKind.GAUGE, "cleanup");
        // what one cleanup did, told from the others that ran since its caller last looked (the totals above mix
        // them): the reply to CLEANUP names the number of the cleanup it started
        this.lastDropped = counters.register("cleanup_last_records_dropped", "records the last cleanup dropped",
            CounterKind.GAUGE, "cleanup");
        this.lastFailed = counters.register("cleanup_last_failed", "1 when the last cleanup failed",
            CounterKind.GAUGE, "cleanup");
        this.lastRingMoved = counters.register("cleanup_last_ring_moved", "1 when the ring changed while the last"
            + " cleanup ran", CounterKind.GAUGE, "cleanup");
        // read after the figures above (INFO reads in this order); see run
        this.lastNumber = counters.register("cleanup_last_number", "the number of the last cleanup that ended, counted"
            + " from 1 since the node started (CLEANUP's reply names the one it started); 0 for a moment while a"
            + " cleanup that ends sets the figures above", CounterKind.GAUGE, "cleanup");
    }

    /**
     * Starts a cleanup against {@code ring}; agent thread.
     *
     * @return what started
     * @throws KvException with {@code INVALID_ARGUMENT} saying why not: one runs, the ring moves, this node owns no
     *     range
     */
    String start(Ring ring, Ring future, NodeId self) {
        return start(ring, future, self, 0);
    }

    /**
     * As above, naming the leftovers epoch the cleanup starts at (given back to the listener when it ends).
     *
     * @return what started, and when the drop begins when the ring changed too recently
     */
    String start(Ring ring, Ring future, NodeId self, long epoch) {
        if (running.get() == 1) {
            throw new KvException(ErrorCode.INVALID_ARGUMENT, "a cleanup is running on this node already");
        }
        if (!future.equals(ring)) {
            throw new KvException(ErrorCode.INVALID_ARGUMENT, "the ring is moving (a node joins or leaves): run"
                + " cleanup once it has settled");
        }
        if (!ring.contains(self)) {
            throw new KvException(ErrorCode.INVALID_ARGUMENT, "this node owns no range of the ring");
        }
        // rings are immutable: the cleanup thread may look tokens up in them
        rings = new Ring[] {ring, future};
        movedDuring = false;
        LongPredicate keep = token -> {
            if (ring.replicates(self, token)) {
                return true;
            }
            Ring[] now = rings;
            return now[0].replicates(self, token) || now[1].replicates(self, token);
        };
        long waitNanos = Math.max(0, settleNanos - (System.nanoTime() - lastChangeNanos));
        long number = ++started;
        running.setRelease(1);
        Thread.ofPlatform().daemon().name("ringkv-cleanup").start(() -> {
            // parks may end early: wait out the whole settling time
            long until = System.nanoTime() + waitNanos;
            for (long left = waitNanos; left > 0; left = until - System.nanoTime()) {
                java.util.concurrent.locks.LockSupport.parkNanos(left);
            }
            run(keep, ring, epoch, number);
        });
        return waitNanos == 0 ? "cleanup " + number + " started: dropping the records of ranges this node no longer"
            + " replicates (progress in INFO cleanup)" : "cleanup " + number + " starts in "
            + Math.max(1, waitNanos / 1_000_000_000L) + " s,"
            + " once writes routed by the ring before its last change have stopped: then it drops the records of"
            + " ranges this node no longer replicates (progress in INFO cleanup)";
    }

    /**
     * The ring changed; agent thread. A running cleanup keeps from now on what this node replicates in either ring,
     * and asks for a repair pass when it ends.
     */
    void ringChanged(Ring ring, Ring future) {
        lastChangeNanos = System.nanoTime();
        Ring[] before = rings;
        rings = new Ring[] {ring, future};
        if (running.get() == 1 && before != null && (!before[0].equals(ring) || !before[1].equals(future))) {
            movedDuring = true;
        }
    }

    private void run(LongPredicate keep, Ring ring, long epoch, long number) {
        long startedNanos = System.nanoTime();
        boolean done = false;
        long count = 0;
        try {
            count = engine.dropUnless(keep);
            dropped.addRelease(count);
            done = true;
            events.accept("cleanup dropped " + count + " records of ranges this node no longer replicates");
        } catch (RuntimeException | Error e) {
            // an Error too (the JVM's InternalError for a fault under a mapped file): reported, not lost on the thread
            failed.incrementRelease();
            events.accept("cleanup failed: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
        } finally {
            // the last cleanup's figures change under a reader that reads them, then the number (INFO's order): the
            // number is 0 while they do, so a reader that saw any of the new figures sees 0 or the new number, never
            // the one before (a sequence lock whose readers retry)
            lastNumber.setRelease(0);
            lastMillis.setRelease((System.nanoTime() - startedNanos) / 1_000_000);
            // read before the next cleanup may start (and clear it)
            boolean moved = movedDuring;
            if (moved) {
                // before the completion: a reader that sees the completion sees this too (INFO reads them in order)
                ringMoved.incrementRelease();
            }
            lastDropped.setRelease(count);
            lastFailed.setRelease(done ? 0 : 1);
            lastRingMoved.setRelease(moved ? 1 : 0);
            lastNumber.setRelease(number);
            completed.incrementRelease();
            running.setRelease(0);
            if (moved) {
                // records dropped before the ring moved may belong to a range that came back, and a stream may
                // have counted them as present: a repair pass brings back whatever this node lacks
                events.accept("the ring moved while the cleanup ran: asking for a repair pass of this node's ranges");
                repairAfterMove.run();
            } else if (done) {
                cleaned.accept(ring, epoch);
            }
        }
    }
}
