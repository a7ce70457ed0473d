package io.ringkv.node.runtime;

import io.ringkv.node.transport.PeerSockets;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.agrona.concurrent.IdleStrategy;

/**
 * Spins and yields briefly after work, then parks for growing periods; once the node has been idle for a while it
 * parks longer still. While traffic flows the node answers within microseconds of a message landing; an idle
 * lone node's agent wakes about fifteen times a second (for its timers), a hundred times when it parks blind. Work
 * handed over by another thread of the process does not wait: that thread calls {@link #wakeIfParked()}. A node's
 * agent sleeps {@link #sleepOn on its media driver's sockets}, so that a datagram ends the sleep too; parked blind
 * (without them), a message from the network after a quiet spell would wait up to 10 ms for the node to wake
 * ({@code backoff} caps that at 1 ms, for more CPU).
 *
 * <p>Deeply idle and sleeping on the sockets, the agent sleeps until its next timer is due ({@link #sleepUntil}),
 * from 10 ms up to 100 ms, instead of waking every 10 ms: nothing else needs it sooner, since the network and
 * every hand-off end the sleep. A duty cycle whose only work was firing timers ({@link #quietWork}) does not make it
 * responsive again: a timer says nothing about traffic to come, and an idle node's timers (gossip, hints, repair,
 * statistics; a few a second) would otherwise each cost a burst of spins, yields and short sleeps.
 *
 * <p>Before its first park after work the strategy announces it and returns once more without parking, so the
 * agent looks at its inputs again after the announcement: a producer that offers work and then sees no
 * announcement knows the agent will still find the work before it parks (no wake-up is lost), and a producer
 * that sees it unparks the thread (at most once per park; a permit given early makes the park return at once).
 */
public final class AdaptiveIdleStrategy implements IdleStrategy {
    /**
     * Empty duty cycles spun, then yields, before the first park, where a cycle costs no system call (a lone node's
     * agent, or a strategy sleeping on no sockets): a request handed to the storage stage and back (tens of
     * microseconds) usually finds the agent still spinning, which saves a wake-up.
     */
    private static final int SPINS = 20;
    private static final int YIELDS = 10;
    /**
     * Spins and yields where each cycle costs a select or reads of the media driver's sockets (a node with peers).
     * Few: where the cores are shared (three nodes and their clients on two) what a spin takes, the threads with
     * work lose. Five and two instead of twenty and ten served about an eighth more requests with three nodes on
     * two cores and left a quiet exchange's median round trip as it was (its p99 grew: a reply that takes longer
     * than the spins now finds the other side asleep). A lone node spun five too for a while: as many requests
     * served, but its one-client reads took longer (each woke a sleeping agent), so it spins the full count again.
     */
    private static final int COSTLY_SPINS = 5;
    private static final int COSTLY_YIELDS = 2;
    private static final long MIN_PARK_NANOS = 1_000;
    private static final long ACTIVE_MAX_PARK_NANOS = 1_000_000;
    private static final long DEEP_IDLE_PARK_NANOS = 10_000_000;
    /** The longest sleep of a deeply idle agent that sleeps on its sockets and has no timer due sooner. */
    static final long MAX_DEEP_IDLE_SLEEP_NANOS = 100_000_000;
    /** Parks in a row at the active maximum before the node counts as deeply idle (about 10 ms). */
    private static final int PARKS_BEFORE_DEEP_IDLE = 10;

    private int spins;
    private int yields;
    private long parkNanos = MIN_PARK_NANOS;
    private int longParks;
    /** The parking thread once a park is announced, null while the agent works or spins. */
    private volatile Thread parked;
    private boolean announced;
    /** The sockets to sleep on instead of parking, so that the network ends a sleep too; null to park. */
    private volatile PeerSockets sockets;
    /** Nanoseconds until the agent's next timer is due; null when unknown (deep sleeps are then 10 ms). */
    private LongSupplier untilNextTimer;
    /** The next {@link #idle()} returns at once, leaving the back-off where it was: set by {@link #quietWork}. */
    private boolean runAgain;
    /** Set once the agent's runner is about to stop: the agent no longer sleeps. */
    private volatile boolean stopping;

    /** Creates the strategy in its most responsive state. */
    public AdaptiveIdleStrategy() {
    }

    @Override
    public void idle(int workCount) {
        if (workCount > 0) {
            reset();
        } else {
            idle();
        }
    }

    @Override
    public void idle() {
        if (runAgain) {
            runAgain = false;
            return;
        }
        if (stopping) {
            Thread.onSpinWait();
            return;
        }
        PeerSockets watched = sockets;
        boolean cheap = watched == null || watched.cyclesAreCheap();
        if (spins < (cheap ? SPINS : COSTLY_SPINS)) {
            spins++;
            Thread.onSpinWait();
        } else if (yields < (cheap ? YIELDS : COSTLY_YIELDS)) {
            yields++;
            Thread.yield();
        } else if (!announced) {
            announced = true;
            parked = Thread.currentThread();
        } else {
            // a deep sleep is measured when it starts: a timer scheduled since the last one may be due sooner
            long sleep = longParks >= PARKS_BEFORE_DEEP_IDLE ? deepIdleSleepNanos(watched) : parkNanos;
            if (watched != null) {
                watched.await(sleep);
            } else {
                LockSupport.parkNanos(sleep);
            }
            if (parkNanos < ACTIVE_MAX_PARK_NANOS) {
                parkNanos = Math.min(parkNanos * 2, ACTIVE_MAX_PARK_NANOS);
            } else if (longParks < PARKS_BEFORE_DEEP_IDLE) {
                longParks++;
            }
        }
    }

    /** @return how long a deeply idle agent sleeps next: until its next timer while the network can wake it */
    private long deepIdleSleepNanos(PeerSockets watched) {
        LongSupplier next = untilNextTimer;
        if (watched == null || next == null) {
            return DEEP_IDLE_PARK_NANOS;
        }
        return Math.clamp(next.getAsLong(), DEEP_IDLE_PARK_NANOS, MAX_DEEP_IDLE_SLEEP_NANOS);
    }

    /**
     * Lets a deeply idle agent that sleeps on its sockets sleep until its next timer is due (at most 100 ms) instead
     * of 10 ms at a time. Call before the agent runs, on its thread or before it starts.
     *
     * @param nanosUntilNextTimer nanoseconds until the agent's earliest timer is due ({@link Long#MAX_VALUE} for
     *     none), read on the agent thread as each deep sleep begins
     */
    public void sleepUntil(LongSupplier nanosUntilNextTimer) {
        this.untilNextTimer = nanosUntilNextTimer;
    }

    /**
     * The duty cycle just ended did work that says nothing about traffic to come (it fired timers, or its media
     * driver still sends what they sent): the next {@link #idle()} returns at once, so the next cycle runs without a
     * sleep, and then the back-off goes on where it was instead of starting over. Agent thread only.
     */
    public void quietWork() {
        runAgain = true;
    }

    /**
     * From now on the agent spins instead of sleeping, and a sleep under way ends: its runner is stopping and must not
     * wait out a deep sleep. Any thread.
     */
    public void stopSleeping() {
        stopping = true;
        wakeIfParked();
    }

    /** @return how long the next park or sleep would last if it began now, for tests (agent thread) */
    long nextParkNanos() {
        return longParks >= PARKS_BEFORE_DEEP_IDLE ? deepIdleSleepNanos(sockets) : parkNanos;
    }

    /**
     * Sleeps on {@code sockets} instead of parking the thread: a datagram for one of them ends the sleep, which a park
     * would not see, and so does {@link #wakeIfParked()}. Call before the agent runs.
     */
    public void sleepOn(PeerSockets sockets) {
        sockets.agentSleepsHere();
        this.sockets = sockets;
    }

    /**
     * Wakes the agent if it is parked or about to park; costs one volatile read otherwise. Call it from any thread
     * after handing the agent work.
     */
    public void wakeIfParked() {
        Thread thread = parked;
        if (thread != null) {
            PeerSockets watched = sockets;
            if (watched != null) {
                watched.wakeup();
            } else {
                LockSupport.unpark(thread);
            }
        }
    }

    @Override
    public void reset() {
        if (announced) {
            announced = false;
            parked = null;
        }
        spins = 0;
        yields = 0;
        parkNanos = MIN_PARK_NANOS;
        longParks = 0;
        runAgain = false;
    }

    @Override
    public String alias() {
        return "adaptive";
    }
}
