package io.ringkv.api;

/**
 * Time as protocol code sees it. Production reads the system clocks; the simulator returns virtual time, with
 * per-node skew and drift on the wall clock.
 */
public interface Clock {
    /** @return monotonic nanoseconds from an arbitrary origin: for timeouts and intervals */
    long monotonicNanos();

    /** @return wall-clock milliseconds since the epoch: for hybrid logical timestamps, never for timeouts */
    long wallClockMillis();
}
