package io.ringkv.sim;

import io.ringkv.api.CounterRegistry;
import io.ringkv.api.NodeContext;
import io.ringkv.api.NodeId;
import java.util.SplittableRandom;

/**
 * One simulated node: its identity, its disk (which outlives crashes), its clock settings, and while it is up,
 * its protocol object and runtime (transport, timers).
 *
 * @param <T> the protocol object its factory starts
 */
public final class SimNode<T> {
    /** Room for the protocol modules' counters; kept small, as a simulation may run hundreds of nodes. */
    private static final int COUNTER_CAPACITY = 256;
    private final Simulation simulation;
    private final NodeId id;
    private final int ordinal;
    private final NodeFactory<T> factory;
    private final SimDisk disk;
    private long clockSkewMillis;
    private double clockDriftPpm;
    private int incarnation;
    private long pausedUntil = Long.MIN_VALUE;
    private boolean up;
    private T instance;
    private SimTransport transport;
    private SimTimers timers;
    private CounterRegistry counters;

    SimNode(Simulation simulation, NodeId id, int ordinal, NodeFactory<T> factory) {
        this.simulation = simulation;
        this.id = id;
        this.ordinal = ordinal;
        this.factory = factory;
        this.disk = new SimDisk(new SimClock(simulation, this)::wallClockMillis);
    }

    void start() {
        incarnation++;
        up = true;
        SimClock clock = new SimClock(simulation, this);
        // a restarted node is a new process: its counters start again from 0
        counters = new CounterRegistry(COUNTER_CAPACITY);
        transport = new SimTransport(simulation, this, counters);
        timers = new SimTimers(simulation, this, clock);
        long seed = TraceHash.mix(simulation.seed() ^ TraceHash.mix(((long) ordinal << 32) | incarnation));
        NodeContext context = new NodeContext(id, transport, clock, timers, new SplittableRandom(seed), counters);
        instance = factory.start(context, disk);
    }

    void crash() {
        up = false;
        pausedUntil = Long.MIN_VALUE;
        instance = null;
        transport = null;
        timers = null;
        counters = null;
        disk.crash();
    }

    /** @return the node's id */
    public NodeId id() {
        return id;
    }

    /** @return true while the node runs */
    public boolean isUp() {
        return up;
    }

    /** @return how many times the node has started */
    public int incarnation() {
        return incarnation;
    }

    /** @return the protocol object of the current incarnation */
    public T instance() {
        if (!up) {
            throw new IllegalStateException("node " + id + " is down");
        }
        return instance;
    }

    /** @return the node's disk */
    public SimDisk disk() {
        return disk;
    }

    /** @return the transport of the current incarnation (for its counters) */
    public SimTransport transport() {
        if (!up) {
            throw new IllegalStateException("node " + id + " is down");
        }
        return transport;
    }

    /** @return the counter registry of the current incarnation */
    public CounterRegistry counters() {
        if (!up) {
            throw new IllegalStateException("node " + id + " is down");
        }
        return counters;
    }

    /** @return the node's wall clock now, as its code reads it (skew and drift included) */
    public long wallClockMillis() {
        return new SimClock(simulation, this).wallClockMillis();
    }

    /** Sets how far this node's wall clock is ahead (positive) or behind (negative) true time. */
    public SimNode<T> clockSkewMillis(long skew) {
        this.clockSkewMillis = skew;
        return this;
    }

    /** Sets how fast this node's clocks run, in parts per million above (positive) or below true time. */
    public SimNode<T> clockDriftPpm(double ppm) {
        if (!(ppm > -1_000_000)) {
            throw new IllegalArgumentException("clock drift must be above -1,000,000 ppm, was " + ppm);
        }
        this.clockDriftPpm = ppm;
        return this;
    }

    long clockSkewMillis() {
        return clockSkewMillis;
    }

    double clockDriftPpm() {
        return clockDriftPpm;
    }

    void pauseUntil(long trueNanos) {
        pausedUntil = Math.max(pausedUntil, trueNanos);
    }

    /** @return the virtual time until which the node is paused (in the past when it runs) */
    long pausedUntil() {
        return pausedUntil;
    }

    int ordinal() {
        return ordinal;
    }

    SimTransport liveTransport() {
        return up ? transport : null;
    }

    SimTimers liveTimers() {
        return up ? timers : null;
    }

    @Override
    public String toString() {
        return "SimNode[" + id + (up ? ", up" : ", down") + ", incarnation " + incarnation + "]";
    }
}
