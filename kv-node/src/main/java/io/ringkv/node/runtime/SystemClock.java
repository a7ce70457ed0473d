package io.ringkv.node.runtime;

import io.ringkv.api.Clock;

/** The machine's clocks. */
public final class SystemClock implements Clock {
    /** For injection. */
    public SystemClock() {
    }

    @Override
    public long monotonicNanos() {
        return System.nanoTime();
    }

    @Override
    public long wallClockMillis() {
        return System.currentTimeMillis();
    }
}
