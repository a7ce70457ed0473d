package io.ringkv.sim;

import io.ringkv.api.NodeId;
import io.ringkv.api.TimerHandler;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * A deterministic simulation: nodes, a network and virtual time in one thread. Every source of nondeterminism
 * (latency, loss, duplication, per-node randomness) is drawn from the seed, and events at the same virtual time
 * run in the order they were scheduled, so one seed always gives the same history and the same
 * {@link #traceHash()}.
 */
public final class Simulation {
    private final long seed;
    private final SplittableRandom networkRandom;
    private final SimNetwork network = new SimNetwork();
    private final Map<NodeId, SimNode<?>> nodes = new LinkedHashMap<>();
    private final PriorityQueue<Event> queue = new PriorityQueue<>();
    private final Map<Long, Integer> inFlight = new HashMap<>();
    private final TraceHash trace = new TraceHash();
    private final List<String> handlerFailures = new ArrayList<>();
    private long now;
    private long sequence;
    private long sent;
    private long delivered;
    private long dropped;
    private long blocked;
    private long duplicated;
    private long lostToDownNode;
    private long timersFired;

    /** @param seed decides every random choice of the run */
    public Simulation(long seed) {
        this.seed = seed;
        this.networkRandom = new SplittableRandom(seed);
    }

    /** @return the seed */
    public long seed() {
        return seed;
    }

    /** @return the network's faults, to change at any time */
    public SimNetwork network() {
        return network;
    }

    /** @return virtual nanoseconds since the simulation started */
    public long now() {
        return now;
    }

    /**
     * Adds a node and starts it.
     *
     * @throws IllegalArgumentException when the id is taken
     */
    public <T> SimNode<T> addNode(NodeId id, NodeFactory<T> factory) {
        if (nodes.containsKey(id)) {
            throw new IllegalArgumentException("node " + id + " already exists");
        }
        SimNode<T> node = new SimNode<>(this, id, nodes.size(), factory);
        nodes.put(id, node);
        node.start();
        return node;
    }

    /** @return the node with {@code id} */
    @SuppressWarnings("unchecked")
    public <T> SimNode<T> node(NodeId id) {
        SimNode<?> node = nodes.get(id);
        if (node == null) {
            throw new IllegalArgumentException("no node " + id);
        }
        return (SimNode<T>) node;
    }

    /** @return every node, in the order they were added */
    public Collection<SimNode<?>> nodes() {
        return Collections.unmodifiableCollection(nodes.values());
    }

    /** Crashes a node: its timers die, messages to it are lost, and its disk forgets what was not flushed. */
    public void crash(NodeId id) {
        SimNode<?> node = node(id);
        if (node.isUp()) {
            node.crash();
        }
    }

    /** Restarts a crashed node from what its disk kept. */
    public void restart(NodeId id) {
        SimNode<?> node = node(id);
        if (node.isUp()) {
            throw new IllegalStateException("node " + id + " is up; crash it first");
        }
        node.start();
    }

    /**
     * Pauses a node for {@code nanos} of virtual time, as SIGSTOP or a long garbage-collection pause would: its
     * timers and the messages that reach it wait, and run in their order when the pause ends; its clocks keep
     * running, so the node finds that much time gone. A pause of a paused node extends to the later end.
     *
     * @throws IllegalArgumentException when {@code nanos} is negative
     */
    public void pause(NodeId id, long nanos) {
        if (nanos < 0) {
            throw new IllegalArgumentException("pause must be at least 0 ns, was " + nanos);
        }
        node(id).pauseUntil(now + nanos);
    }

    /** Runs {@code action} at {@code delayNanos} from now, in virtual time: for client requests and faults. */
    public void schedule(long delayNanos, Runnable action) {
        enqueue(new Event(now + delayNanos, sequence++, null, 0, action, null, null, 0, null));
    }

    /**
     * Processes the next event.
     *
     * @return false when nothing is left to do
     */
    public boolean step() {
        Event event = queue.poll();
        if (event == null) {
            return false;
        }
        now = event.time;
        if (event.target != null && event.target.pausedUntil() > event.time) {
            // the node is paused: what it would do now waits, in its order, until the pause ends
            event.time = event.target.pausedUntil();
            enqueue(event);
            return true;
        }
        event.run(this);
        return true;
    }

    /** Processes every event up to {@code nanos} from now, then advances the clock to that time. */
    public void runFor(long nanos) {
        long until = now + nanos;
        while (!queue.isEmpty() && queue.peek().time <= until) {
            step();
        }
        now = until;
    }

    /**
     * Processes events until {@code condition} holds or {@code maxNanos} of virtual time pass.
     *
     * @return true when the condition held
     */
    public boolean runUntil(BooleanSupplier condition, long maxNanos) {
        long until = now + maxNanos;
        while (!condition.getAsBoolean()) {
            if (queue.isEmpty() || queue.peek().time > until) {
                now = Math.max(now, until);
                return condition.getAsBoolean();
            }
            step();
        }
        return true;
    }

    /** @return the hash of every delivery and timer firing so far; equal for equal seeds */
    public long traceHash() {
        return trace.value();
    }

    /** @return what the network did so far */
    public SimStats stats() {
        return new SimStats(sent, delivered, dropped, blocked, duplicated, lostToDownNode, timersFired);
    }

    /** @return exceptions handlers threw (each also counted as a malformed drop by the node's transport) */
    public List<String> handlerFailures() {
        return Collections.unmodifiableList(handlerFailures);
    }

    SimNode<?> nodeOrNull(NodeId id) {
        return nodes.get(id);
    }

    int inFlight(SimNode<?> from, SimNode<?> to) {
        return inFlight.getOrDefault(linkKey(from, to), 0);
    }

    void transmit(SimNode<?> from, SimNode<?> to, byte[] message) {
        sent++;
        if (network.isBlocked(from.id(), to.id())) {
            blocked++;
            return;
        }
        if (network.dropsOnPurpose(from.id(), to.id(), message)) {
            dropped++;
            return;
        }
        if (networkRandom.nextDouble() < network.dropRate()) {
            dropped++;
            return;
        }
        deliverLater(from, to, message);
        if (networkRandom.nextDouble() < network.duplicateRate()) {
            duplicated++;
            deliverLater(from, to, message);
        }
    }

    private void deliverLater(SimNode<?> from, SimNode<?> to, byte[] message) {
        long delay = network.latency().sampleNanos(networkRandom);
        inFlight.merge(linkKey(from, to), 1, Integer::sum);
        enqueue(new Event(now + delay, sequence++, to, 0, null, from, message, 0, null));
    }

    Event scheduleTimer(SimNode<?> node, long trueDelay, long timerId, TimerHandler handler) {
        Event event = new Event(now + trueDelay, sequence++, node, node.incarnation(), null, null, null, timerId,
            handler);
        enqueue(event);
        return event;
    }

    void recordHandlerFailure(SimNode<?> node, RuntimeException failure) {
        handlerFailures.add("t=" + now + "ns on " + node.id() + ": " + failure);
    }

    private void enqueue(Event event) {
        queue.add(event);
    }

    private void onDelivery(Event event) {
        inFlight.merge(linkKey(event.from, event.target), -1, Integer::sum);
        SimTransport transport = event.target.liveTransport();
        if (transport == null) {
            lostToDownNode++;
            return;
        }
        delivered++;
        trace.add(now);
        trace.add(((long) event.from.ordinal() << 32) | event.target.ordinal());
        trace.add(event.message);
        transport.deliver(event.from, event.message);
    }

    private void onTimer(Event event) {
        SimTimers timers = event.target.liveTimers();
        if (timers == null || event.target.incarnation() != event.incarnation) {
            return;
        }
        timersFired++;
        trace.add(now);
        trace.add(~(((long) event.target.ordinal() << 32) ^ event.timerId));
        timers.fired(event.timerId);
        event.handler.onTimer(event.timerId);
    }

    private static long linkKey(SimNode<?> from, SimNode<?> to) {
        return ((long) from.ordinal() << 32) | to.ordinal();
    }

    /** Something that happens at a virtual time: a delivery, a timer, or a scheduled action. */
    static final class Event implements Comparable<Event> {
        private long time;
        private final long order;
        private final SimNode<?> target;
        private final int incarnation;
        private final Runnable action;
        private final SimNode<?> from;
        private final byte[] message;
        private final long timerId;
        private final TimerHandler handler;
        private boolean cancelled;

        Event(long time, long order, SimNode<?> target, int incarnation, Runnable action, SimNode<?> from,
              byte[] message, long timerId, TimerHandler handler) {
            this.time = time;
            this.order = order;
            this.target = target;
            this.incarnation = incarnation;
            this.action = action;
            this.from = from;
            this.message = message;
            this.timerId = timerId;
            this.handler = handler;
        }

        void cancel() {
            cancelled = true;
        }

        void run(Simulation simulation) {
            if (cancelled) {
                return;
            }
            if (action != null) {
                action.run();
            } else if (message != null) {
                simulation.onDelivery(this);
            } else {
                simulation.onTimer(this);
            }
        }

        @Override
        public int compareTo(Event other) {
            int byTime = Long.compare(time, other.time);
            return byTime != 0 ? byTime : Long.compare(order, other.order);
        }
    }
}
