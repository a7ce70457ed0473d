package io.ringkv.storage.lsm.internal;

import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/** Paces background writes to a byte rate by parking the writing thread; never spins. */
final class RateLimiter {
    /** No pacing. */
    static final RateLimiter UNLIMITED = new RateLimiter(0);

    private final long bytesPerSecond;
    private final BooleanSupplier unpaced;
    private final LongAdder unpacedBytes;
    private final LongSupplier nanoTime;
    private final LongConsumer park;
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
        this(bytesPerSecond, unpaced, unpacedBytes, System::nanoTime, LockSupport::parkNanos);
    }

    /** As above, on the given clock, waiting with {@code park} (a test's, to see the waits without taking them). */
    RateLimiter(long bytesPerSecond, BooleanSupplier unpaced, LongAdder unpacedBytes, LongSupplier nanoTime,
                LongConsumer park) {
        this.bytesPerSecond = bytesPerSecond;
        this.unpaced = unpaced;
        this.unpacedBytes = unpacedBytes;
        this.nanoTime = nanoTime;
        this.park = park;
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
        long now = nanoTime.getAsLong();
        long start = Math.max(now, nextFreeNanos);
        nextFreeNanos = start + bytes * 1_000_000_000L / bytesPerSecond;
        long wait = start - now;
        if (wait > 0) {
            park.accept(wait);
        }
    }
}
