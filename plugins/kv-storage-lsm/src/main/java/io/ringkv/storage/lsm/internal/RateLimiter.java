package io.ringkv.storage.lsm.internal;

import java.util.concurrent.locks.LockSupport;

/** Paces background writes to a byte rate by parking the writing thread; never spins. */
final class RateLimiter {
    /** No pacing. */
    static final RateLimiter UNLIMITED = new RateLimiter(0);

    private final long bytesPerSecond;
    private long nextFreeNanos;

    /** @param bytesPerSecond the budget; 0 for unlimited */
    RateLimiter(long bytesPerSecond) {
        this.bytesPerSecond = bytesPerSecond;
    }

    /** Waits until {@code bytes} more fit in the budget. */
    synchronized void acquire(long bytes) {
        if (bytesPerSecond == 0) {
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
