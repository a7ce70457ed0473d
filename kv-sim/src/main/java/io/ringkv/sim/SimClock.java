package io.ringkv.sim;

import io.ringkv.api.Clock;

/** A node's view of virtual time: true time scaled by its drift, and on the wall clock shifted by its skew. */
final class SimClock implements Clock {
    /** The wall clock of every simulation starts at 2026-01-01T00:00:00Z, so histories do not depend on today. */
    static final long EPOCH_MILLIS = 1_767_225_600_000L;

    private final Simulation simulation;
    private final SimNode<?> node;

    SimClock(Simulation simulation, SimNode<?> node) {
        this.simulation = simulation;
        this.node = node;
    }

    @Override
    public long monotonicNanos() {
        return localNanos(simulation.now());
    }

    @Override
    public long wallClockMillis() {
        return EPOCH_MILLIS + node.clockSkewMillis() + monotonicNanos() / 1_000_000;
    }

    long localNanos(long trueNanos) {
        return trueNanos + (long) (trueNanos * (node.clockDriftPpm() / 1_000_000));
    }

    /** @return the true duration that passes while this node's clock advances {@code localNanos} */
    long trueDuration(long localNanos) {
        // ceil so a timer never fires before its local duration passed; the epsilon absorbs division rounding
        return (long) Math.ceil(localNanos / (1 + node.clockDriftPpm() / 1_000_000) - 1e-6);
    }
}
