package io.ringkv.node.runtime;

import io.ringkv.api.Clock;
import io.ringkv.api.TimerHandler;
import io.ringkv.api.Timers;
import java.util.concurrent.TimeUnit;
import org.agrona.DeadlineTimerWheel;
import org.agrona.collections.Long2ObjectHashMap;

/**
 * {@link Timers} on Agrona's hashed timer wheel, polled from the node's duty cycle: O(1) to schedule and cancel,
 * with a resolution of about a millisecond.
 */
public final class WheelTimers implements Timers {
    private static final long TICK_NANOS = 1L << 20;
    private static final int TICKS_PER_WHEEL = 1024;
    private static final int EXPIRY_LIMIT = 1000;

    private final Clock clock;
    private final DeadlineTimerWheel wheel;
    private final Long2ObjectHashMap<TimerHandler> handlers = new Long2ObjectHashMap<>();
    private final DeadlineTimerWheel.TimerHandler expiry = this::onExpiry;
    private final DeadlineTimerWheel.TimerConsumer earliestSeen = this::seen;
    private long earliest;

    /** @param clock the monotonic clock deadlines are measured on */
    public WheelTimers(Clock clock) {
        this.clock = clock;
        this.wheel = new DeadlineTimerWheel(TimeUnit.NANOSECONDS, clock.monotonicNanos(), TICK_NANOS, TICKS_PER_WHEEL);
    }

    @Override
    public long schedule(long delayNanos, TimerHandler handler) {
        if (delayNanos < 0) {
            throw new IllegalArgumentException("timer delay must be at least 0 ns, was " + delayNanos);
        }
        long id = wheel.scheduleTimer(clock.monotonicNanos() + delayNanos);
        handlers.put(id, handler);
        return id;
    }

    @Override
    public boolean cancel(long timerId) {
        return handlers.remove(timerId) != null && wheel.cancelTimer(timerId);
    }

    /**
     * Fires every timer whose deadline has passed.
     *
     * <p>The wheel advances one tick per {@link DeadlineTimerWheel#poll} call, so after the agent parked for
     * several ticks one call would leave it behind real time, and an idle node's timers would fire ever later
     * (a 1 s timer took about 10 s once the node parked 10 ms at a time). Polling until the wheel has caught up
     * with now keeps timers on time however long the agent slept.
     *
     * @return how many fired
     */
    public int poll() {
        long now = clock.monotonicNanos();
        int fired = 0;
        do {
            fired += wheel.poll(now, expiry, EXPIRY_LIMIT);
        } while (wheel.timerCount() > 0 && wheel.currentTickTime() <= now && fired < EXPIRY_LIMIT);
        return fired;
    }

    /**
     * @return nanoseconds until the earliest timer is due (0 when one is due already), or {@link Long#MAX_VALUE}
     *     when none is scheduled. Walks the whole wheel: for an idle agent deciding how long it may sleep, not for
     *     every duty cycle.
     */
    public long nanosUntilNextDeadline() {
        if (wheel.timerCount() == 0) {
            return Long.MAX_VALUE;
        }
        earliest = Long.MAX_VALUE;
        wheel.forEach(earliestSeen);
        return earliest == Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(0, earliest - clock.monotonicNanos());
    }

    private void seen(long deadline, long timerId) {
        earliest = Math.min(earliest, deadline);
    }

    /** @return timers scheduled and not yet fired or cancelled */
    public int pending() {
        return handlers.size();
    }

    private boolean onExpiry(TimeUnit unit, long now, long timerId) {
        TimerHandler handler = handlers.remove(timerId);
        if (handler != null) {
            handler.onTimer(timerId);
        }
        return true;
    }
}
