package io.ringkv.node.metrics;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Logs at most one warning per interval, and says how many it held back since the last one: errors a peer or a
 * stranger can provoke (a flood of bad datagrams) must not turn into a flood of log lines. Callers count every
 * error themselves; this only decides what reaches the log. One thread only.
 */
public final class ThrottledLog {
    public static final long DEFAULT_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final System.Logger log;
    private final long intervalNanos;
    private final LongSupplier nanoClock;
    private long nextLogNanos;
    private boolean loggedOnce;
    private long suppressed;

    public ThrottledLog(System.Logger log, long intervalNanos, LongSupplier nanoClock) {
        this.log = log;
        this.intervalNanos = intervalNanos;
        this.nanoClock = nanoClock;
    }

    /** @return true when the message was logged, false when it was only counted as held back */
    public boolean warn(String message) {
        long now = nanoClock.getAsLong();
        if (loggedOnce && now - nextLogNanos < 0) {
            suppressed++;
            return false;
        }
        String line = suppressed == 0 ? message
            : message + " (" + suppressed + " similar errors not logged in the last "
                + TimeUnit.NANOSECONDS.toSeconds(intervalNanos) + " s)";
        log.log(System.Logger.Level.WARNING, line);
        loggedOnce = true;
        suppressed = 0;
        nextLogNanos = now + intervalNanos;
        return true;
    }
}
