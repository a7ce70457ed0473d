package io.ringkv.api;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HybridClockTest {
    /** A wall clock the test sets by hand. */
    private static final class ManualClock implements Clock {
        long wallMillis;

        ManualClock(long wallMillis) {
            this.wallMillis = wallMillis;
        }

        @Override
        public long monotonicNanos() {
            return wallMillis * 1_000_000;
        }

        @Override
        public long wallClockMillis() {
            return wallMillis;
        }
    }

    @Test
    void timestampsFollowTheWallClockWhenItAdvances() {
        ManualClock wall = new ManualClock(1_000);
        HybridClock clock = new HybridClock(wall);
        assertEquals(new HybridTimestamp(1_000, 0), clock.now());
        wall.wallMillis = 1_005;
        assertEquals(new HybridTimestamp(1_005, 0), clock.now());
    }

    @Test
    void timestampsStayMonotonicWhenTheWallClockStallsOrStepsBack() {
        ManualClock wall = new ManualClock(1_000);
        HybridClock clock = new HybridClock(wall);
        HybridTimestamp previous = clock.now();
        for (long wallMillis : new long[] {1_000, 990, 500, 1_000, 1_001}) {
            wall.wallMillis = wallMillis;
            HybridTimestamp next = clock.now();
            assertTrue(next.isAfter(previous), next + " after " + previous);
            previous = next;
        }
    }

    @Test
    void receivingATimestampFromAClockAheadOrdersEverythingAfterIt() {
        ManualClock slowWall = new ManualClock(1_000);
        HybridClock slow = new HybridClock(slowWall);
        HybridTimestamp remote = new HybridTimestamp(6_000, 3);
        HybridTimestamp received = slow.receive(remote);
        assertEquals(new HybridTimestamp(6_000, 4), received);
        slowWall.wallMillis = 1_001;
        assertTrue(slow.now().isAfter(remote), "a skewed-behind node still orders causally later events later");
    }

    @Test
    void receivingAnOlderTimestampKeepsLocalTimeAndStillAdvances() {
        ManualClock wall = new ManualClock(2_000);
        HybridClock clock = new HybridClock(wall);
        HybridTimestamp local = clock.now();
        HybridTimestamp received = clock.receive(new HybridTimestamp(1_000, 9));
        assertEquals(new HybridTimestamp(2_000, 1), received);
        assertTrue(received.isAfter(local));
    }

    @Test
    void receivingTheSamePhysicalTimeTakesTheHigherLogicalPlusOne() {
        ManualClock wall = new ManualClock(500);
        HybridClock clock = new HybridClock(wall);
        clock.receive(new HybridTimestamp(3_000, 2));
        assertEquals(new HybridTimestamp(3_000, 8), clock.receive(new HybridTimestamp(3_000, 7)));
    }

    @Test
    void aLogicalCounterAtItsLimitMovesPhysicalTimeOnInsteadOfWrapping() {
        ManualClock wall = new ManualClock(1_000);
        HybridClock clock = new HybridClock(wall);
        HybridTimestamp remote = new HybridTimestamp(1_000, Integer.MAX_VALUE);
        HybridTimestamp received = clock.receive(remote);
        assertTrue(received.compareTo(remote) > 0, received + " must follow " + remote);
        assertEquals(new HybridTimestamp(1_001, 0), received);
        assertTrue(clock.now().compareTo(received) > 0, "the clock keeps working after the limit");
    }

    @Test
    void aRemoteTimestampFarAheadIsRefusedAndLeavesTheClockAlone() {
        ManualClock wall = new ManualClock(1_000);
        HybridClock clock = new HybridClock(wall);
        HybridTimestamp before = clock.now();
        HybridTimestamp wild = new HybridTimestamp(1_000 + HybridClock.MAX_AHEAD_MILLIS + 1, 0);
        KvException error = assertThrows(KvException.class, () -> clock.receive(wild));
        assertEquals(ErrorCode.INVALID_ARGUMENT, error.code());
        assertEquals(before, clock.current());
        HybridTimestamp ahead = new HybridTimestamp(1_000 + HybridClock.MAX_AHEAD_MILLIS, 0);
        assertEquals(new HybridTimestamp(ahead.physicalMillis(), 1), clock.receive(ahead), "within the limit is fine");
    }
}
