package io.ringkv.node.runtime;

import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;
import org.agrona.concurrent.IdleStrategy;

/**
 * Spins and yields briefly after work, then parks for growing periods; once the node has been idle for a while it
 * parks longer still. While traffic flows the node answers within microseconds of a message landing; an idle
 * node wakes only about a hundred times a second, which keeps it near 1 % of a core. Work handed over by another
 * thread of the process does not wait: that thread calls {@link #wakeIfParked()}. A node's agent sleeps with
 * {@link #sleepWith a sleep} that a datagram for its media driver ends too (its sockets, see {@code PeerSockets});
 * parked blind (without one), a message from the network after a quiet spell would wait up to 10 ms for the node
 * to wake ({@code backoff} caps that at 1 ms, for more CPU).
 *
 * <p>Before its first park after work the strategy announces it and returns once more without parking, so the
 * agent looks at its inputs again after the announcement: a producer that offers work and then sees no
 * announcement knows the agent will still find the work before it parks (no wake-up is lost), and a producer
 * that sees it unparks the thread (at most once per park; a permit given early makes the park return at once).
 */
public final class AdaptiveIdleStrategy implements IdleStrategy {
    private static final int SPINS = 20;
    private static final int YIELDS = 10;
    private static final long MIN_PARK_NANOS = 1_000;
    private static final long ACTIVE_MAX_PARK_NANOS = 1_000_000;
    private static final long DEEP_IDLE_PARK_NANOS = 10_000_000;
    /** Parks in a row at the active maximum before the node counts as deeply idle (about 10 ms). */
    private static final int PARKS_BEFORE_DEEP_IDLE = 10;

    private int spins;
    private int yields;
    private long parkNanos = MIN_PARK_NANOS;
    private int longParks;
    /** The parking thread once a park is announced, null while the agent works or spins. */
    private volatile Thread parked;
    private boolean announced;
    /** Sleeps instead of parking, woken by more than other threads (e.g. the network); null to park. */
    private volatile Sleep sleep;

    /** A way to sleep that something besides {@link LockSupport#unpark} can end. */
    public interface Sleep {
        /** Sleeps about {@code nanos} at most, less when woken (the agent thread). */
        void sleep(long nanos);

        /** Ends the current or next sleep at once (any thread). */
        void wake();

        /** @return a sleep made of the two actions, e.g. a selector's timed select and its wake-up */
        static Sleep of(LongConsumer sleep, Runnable wake) {
            return new Sleep() {
                @Override
                public void sleep(long nanos) {
                    sleep.accept(nanos);
                }

                @Override
                public void wake() {
                    wake.run();
                }
            };
        }
    }

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
        if (spins < SPINS) {
            spins++;
            Thread.onSpinWait();
        } else if (yields < YIELDS) {
            yields++;
            Thread.yield();
        } else if (!announced) {
            announced = true;
            parked = Thread.currentThread();
        } else {
            Sleep waker = sleep;
            if (waker != null) {
                waker.sleep(parkNanos);
            } else {
                LockSupport.parkNanos(parkNanos);
            }
            if (parkNanos < ACTIVE_MAX_PARK_NANOS) {
                parkNanos = Math.min(parkNanos * 2, ACTIVE_MAX_PARK_NANOS);
            } else if (++longParks >= PARKS_BEFORE_DEEP_IDLE) {
                parkNanos = DEEP_IDLE_PARK_NANOS;
            }
        }
    }

    /**
     * Sleeps with {@code sleep} instead of parking the thread: {@code sleep} ends on inputs a park would not see (the
     * agent's sockets), and {@link #wakeIfParked()} ends it. Call before the agent runs.
     */
    public void sleepWith(Sleep sleep) {
        this.sleep = sleep;
    }

    /**
     * Wakes the agent if it is parked or about to park; costs one volatile read otherwise. Call it from any thread
     * after handing the agent work.
     */
    public void wakeIfParked() {
        Thread thread = parked;
        if (thread != null) {
            Sleep waker = sleep;
            if (waker != null) {
                waker.wake();
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
    }

    @Override
    public String alias() {
        return "adaptive";
    }
}
