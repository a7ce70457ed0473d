package io.ringkv.storage.lsm.internal;

import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Paces background writes to a byte rate by parking the writing thread; never spins. */
final class RateLimiter {
    /** No pacing. */
    static final RateLimiter UNLIMITED = new RateLimiter(0);

    private final long bytesPerSecond;
    private final BooleanSupplier unpaced;
    private final LongAdder unpacedBytes;
    private long nextFreeNanos;

    /** @param bytesPerSecond the budget; 0 for unlimited */
    RateLimiter(long bytesPerSecond) {
        this(bytesPerSecond, () -> false, new LongAdder());
    }

    /**
     * @param bytesPerSecond the budget; 0 for unlimited
     * @param unpaced asked at every write: while true, writes go at once (and are counted in {@code unpacedBytes})
     */
    RateLimiter(long bytesPerSecond, BooleanSupplier unpaced, LongAdder unpacedBytes) {
        this.bytesPerSecond = bytesPerSecond;
        this.unpaced = unpaced;
        this.unpacedBytes = unpacedBytes;
    }

    /** Waits until {@code bytes} more fit in the budget. */
    synchronized void acquire(long bytes) {
        if (bytesPerSecond == 0) {
            return;
        }
        if (unpaced.getAsBoolean()) {
            unpacedBytes.add(bytes);
            return;
        }
        long now = System.nanoTime();
        long start = Math.max(now, nextFreeNanos);
        nextFreeNanos = start + bytes * 1_000_000_000L / bytesPerSecond;
        long wait = start - now;
        if (wait > 0) {
            LockSupport.parkNanos(wait);
        }
    }
}
