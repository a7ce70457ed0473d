package io.ringkv.storage.lsm.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/** The compaction limiter's waits, on a clock the test moves: paced, unpaced while the backlog says so, paced again. */
class RateLimiterTest {
    private static final long MIB = 1024 * 1024;
    private static final long SECOND = 1_000_000_000L;

    private long now = 5 * SECOND;
    private boolean backlogged;
    private final LongAdder unpacedBytes = new LongAdder();
    private final List<Long> waits = new ArrayList<>();
    private final RateLimiter limiter = new RateLimiter(MIB, () -> backlogged, unpacedBytes, () -> now, wait -> {
        waits.add(wait);
        now += wait;
    });

    @Test
    void writesArePacedToTheBudgetExceptWhileBacklogged() {
        limiter.acquire(MIB);
        limiter.acquire(MIB);
        limiter.acquire(MIB / 2);
        // the first MiB goes at once, each next one when the one before it has had its second
        assertEquals(List.of(SECOND, SECOND), waits);
        assertEquals(0, unpacedBytes.sum());

        backlogged = true;
        for (int i = 0; i < 10; i++) {
            limiter.acquire(MIB);
        }
        assertEquals(List.of(SECOND, SECOND), waits, "a backlogged store's compaction waited");
        assertEquals(10 * MIB, unpacedBytes.sum());

        backlogged = false;
        now += 10 * SECOND; // the unpaced writes took time of their own
        limiter.acquire(MIB);
        limiter.acquire(MIB);
        assertEquals(List.of(SECOND, SECOND, SECOND), waits, "paced again from the first write after the backlog");
        assertEquals(10 * MIB, unpacedBytes.sum());
    }
}
