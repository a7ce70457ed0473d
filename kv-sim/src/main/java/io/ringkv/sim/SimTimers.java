package io.ringkv.sim;

import io.ringkv.api.TimerHandler;
import io.ringkv.api.Timers;
import java.util.HashMap;
import java.util.Map;

/** A node's timers in virtual time; all die with the node's incarnation. */
final class SimTimers implements Timers {
    private final Simulation simulation;
    private final SimNode<?> node;
    private final SimClock clock;
    private final Map<Long, Simulation.Event> pending = new HashMap<>();
    private long nextId = 1;

    SimTimers(Simulation simulation, SimNode<?> node, SimClock clock) {
        this.simulation = simulation;
        this.node = node;
        this.clock = clock;
    }

    @Override
    public long schedule(long delayNanos, TimerHandler handler) {
        if (delayNanos < 0) {
            throw new IllegalArgumentException("timer delay must be at least 0 ns, was " + delayNanos);
        }
        long id = nextId++;
        pending.put(id, simulation.scheduleTimer(node, clock.trueDuration(delayNanos), id, handler));
        return id;
    }

    @Override
    public boolean cancel(long timerId) {
        Simulation.Event event = pending.remove(timerId);
        if (event == null) {
            return false;
        }
        event.cancel();
        return true;
    }

    /** Forgets a timer that fired. */
    void fired(long timerId) {
        pending.remove(timerId);
    }
}
