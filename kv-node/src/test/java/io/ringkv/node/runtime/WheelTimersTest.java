package io.ringkv.node.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WheelTimersTest {
    private static final long MS = 1_000_000;

    /** A clock the test moves by hand. */
    private static final class ManualClock implements Clock {
        long nanos = 1_000 * MS;

        @Override
        public long monotonicNanos() {
            return nanos;
        }

        @Override
        public long wallClockMillis() {
            return nanos / MS;
        }
    }

    @Test
    void aTimerFiresOnTheFirstPollAfterItsDeadlineHoweverLongTheAgentSlept() {
        ManualClock clock = new ManualClock();
        WheelTimers timers = new WheelTimers(clock);
        List<Long> fired = new ArrayList<>();
        long early = timers.schedule(5 * MS, fired::add);
        long late = timers.schedule(900 * MS, fired::add);
        clock.nanos += 50 * MS;
        assertEquals(1, timers.poll(), "one poll after a 50 ms sleep fires the 5 ms timer");
        assertEquals(List.of(early), fired);
        clock.nanos += 2_000 * MS;
        assertEquals(1, timers.poll(), "one poll after a 2 s sleep fires the 900 ms timer");
        assertEquals(List.of(early, late), fired);
        assertEquals(0, timers.pending());
    }

    /** An idle agent sleeps until its earliest timer: cancelled and fired timers no longer count. */
    @Test
    void theTimeUntilTheNextDeadlineIsThatOfTheEarliestTimerStillScheduled() {
        ManualClock clock = new ManualClock();
        WheelTimers timers = new WheelTimers(clock);
        assertEquals(Long.MAX_VALUE, timers.nanosUntilNextDeadline(), "no timer");
        timers.schedule(500 * MS, id -> { });
        long soon = timers.schedule(20 * MS, id -> { });
        timers.schedule(80 * MS, id -> { });
        assertEquals(20 * MS, timers.nanosUntilNextDeadline());
        clock.nanos += 5 * MS;
        assertEquals(15 * MS, timers.nanosUntilNextDeadline());
        assertTrue(timers.cancel(soon));
        assertEquals(75 * MS, timers.nanosUntilNextDeadline(), "the cancelled timer still counted");
        clock.nanos += 100 * MS;
        assertEquals(0, timers.nanosUntilNextDeadline(), "a timer overdue is due now");
        assertEquals(1, timers.poll());
        assertEquals(395 * MS, timers.nanosUntilNextDeadline(), "the fired timer still counted");
    }

    @Test
    void aTimerDoesNotFireBeforeItsDeadline() {
        ManualClock clock = new ManualClock();
        WheelTimers timers = new WheelTimers(clock);
        List<Long> fired = new ArrayList<>();
        timers.schedule(100 * MS, fired::add);
        clock.nanos += 50 * MS;
        assertEquals(0, timers.poll());
        assertTrue(fired.isEmpty());
        assertEquals(1, timers.pending());
    }

    @Test
    void aCancelledTimerNeverFires() {
        ManualClock clock = new ManualClock();
        WheelTimers timers = new WheelTimers(clock);
        List<Long> fired = new ArrayList<>();
        long id = timers.schedule(5 * MS, fired::add);
        assertTrue(timers.cancel(id));
        assertFalse(timers.cancel(id), "a timer is cancelled once");
        clock.nanos += 50 * MS;
        assertEquals(0, timers.poll());
        assertTrue(fired.isEmpty());
    }
}
