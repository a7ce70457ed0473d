package io.ringkv.benchmarks.availability;

import io.ringkv.api.NodeId;
import io.ringkv.replication.LivenessView;
import io.ringkv.replication.SloppyQuorum;
import io.ringkv.ring.Ring;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

/**
 * The availability experiment as a discrete-event simulation in virtual time: nodes fail and return as an
 * {@link Outage} list says, the coordinator's liveness view follows reality with the detection delays, and each
 * write is judged at its arrival time with {@link SloppyQuorum#select} and the {@link WriteRule}, once with
 * sloppy quorum off and once on. No threads, no clock: the same inputs give the same result.
 */
public final class AvailabilitySimulation {
    private static final String RANDOM_ALGORITHM = "L64X128MixRandom";

    private enum Kind { FAIL, DETECT_DOWN, RETURN, DETECT_UP }

    private record NodeEvent(double time, Kind kind, int node, int outage) {
    }

    private final Ring ring;
    private final int n;
    private final WriteRule rule;
    private final List<NodeEvent> events;
    private final boolean[] up;
    private final boolean[] believedUp;
    private final int[] lastOutage;
    private final double[] judgedDownAt;
    private final double hintWindow;
    private final LivenessView believed;
    private final LivenessView answers;
    private int nextEvent;

    /**
     * @param ring the ring
     * @param n replicas per write
     * @param w acknowledgements per write
     * @param outages the failure history (node indexes of {@code ring})
     * @param detectDownSeconds delay until the view judges a failed node DOWN (only if it is still down then)
     * @param detectUpSeconds delay until the view believes a returned node alive (only if it is still up then)
     * @param hintWindowSeconds an owner judged DOWN longer than this gets no substitute (infinite for none)
     */
    public AvailabilitySimulation(Ring ring, int n, int w, List<Outage> outages, double detectDownSeconds,
                                  double detectUpSeconds, double hintWindowSeconds) {
        this.ring = ring;
        this.n = n;
        this.rule = new WriteRule(w);
        this.events = schedule(outages, detectDownSeconds, detectUpSeconds);
        this.up = new boolean[ring.size()];
        this.believedUp = new boolean[ring.size()];
        this.lastOutage = new int[ring.size()];
        this.judgedDownAt = new double[ring.size()];
        this.hintWindow = hintWindowSeconds;
        Arrays.fill(up, true);
        Arrays.fill(believedUp, true);
        Arrays.fill(lastOutage, -1);
        this.believed = id -> believedUp[ring.indexOf(id)];
        this.answers = id -> up[ring.indexOf(id)];
    }

    /** @return the result of the run {@code parameters} describe; the same parameters give the same result */
    public static AvailabilityResult run(AvailabilityParameters parameters) {
        return run(parameters, ring(parameters));
    }

    /** @return the ring {@code parameters} describe (the balanced allocator takes seconds at 1,000 nodes) */
    public static Ring ring(AvailabilityParameters parameters) {
        return ExperimentRing.build(parameters.nodes(), parameters.vnodes(), parameters.racks(), parameters.n(),
            random(parameters.seed(), 1));
    }

    /**
     * @param ring {@link #ring(AvailabilityParameters)} of parameters that differ from these at most in failures,
     *     detection delays, horizon and writes
     * @return the result of the run {@code parameters} describe
     */
    public static AvailabilityResult run(AvailabilityParameters parameters, Ring ring) {
        // separate streams: more writes do not change the failure history, nor the ring
        List<Outage> outages = FailureHistory.generate(ring.size(), parameters, random(parameters.seed(), 2));
        Iterator<Write> writes = new RandomWrites(parameters.writes(), parameters.horizonSeconds(),
            random(parameters.seed(), 3));
        return new AvailabilitySimulation(ring, parameters.n(), parameters.w(), outages,
            parameters.detectDownSeconds(), parameters.detectUpSeconds(), parameters.hintWindowSeconds()).run(writes);
    }

    /**
     * Judges every write, in arrival order (they must come in time order).
     *
     * @return the counts
     */
    public AvailabilityResult run(Iterator<Write> writes) {
        AvailabilityResult result = new AvailabilityResult();
        double last = Double.NEGATIVE_INFINITY;
        while (writes.hasNext()) {
            Write write = writes.next();
            if (write.time() < last) {
                throw new IllegalArgumentException("writes must come in time order: " + write.time() + " after "
                    + last);
            }
            last = write.time();
            advanceTo(write.time());
            SloppyQuorum.Targets strict = SloppyQuorum.select(ring, write.token(), n, believed, false);
            SloppyQuorum.Targets sloppy = withinHintWindow(
                SloppyQuorum.select(ring, write.token(), n, believed, true), write.time());
            result.count(rule.strict(strict, answers), rule.sloppy(sloppy, answers), sloppy.substituted() > 0);
        }
        return result;
    }

    /** @return the targets without the substitutes of owners judged DOWN longer than the hint window */
    private SloppyQuorum.Targets withinHintWindow(SloppyQuorum.Targets targets, double now) {
        if (Double.isInfinite(hintWindow) || targets.substituted() == 0) {
            return targets;
        }
        NodeId[] kept = targets.substitutes().clone();
        for (int i = 0; i < kept.length; i++) {
            if (kept[i] != null && now - judgedDownAt[ring.indexOf(targets.owners().get(i))] > hintWindow) {
                kept[i] = null;
            }
        }
        return new SloppyQuorum.Targets(targets.owners(), targets.alive(), kept);
    }

    private void advanceTo(double time) {
        while (nextEvent < events.size() && events.get(nextEvent).time() <= time) {
            apply(events.get(nextEvent++));
        }
    }

    private void apply(NodeEvent event) {
        int node = event.node();
        switch (event.kind()) {
            case FAIL -> {
                up[node] = false;
                lastOutage[node] = event.outage();
            }
            case RETURN -> up[node] = true;
            // a detector judges a node by its silence: DOWN only if the outage it noticed is still going on
            case DETECT_DOWN -> {
                if (!up[node] && lastOutage[node] == event.outage() && believedUp[node]) {
                    believedUp[node] = false;
                    judgedDownAt[node] = event.time();
                }
            }
            // and alive again only if the node has not failed anew since it returned
            case DETECT_UP -> {
                if (up[node] && lastOutage[node] == event.outage()) {
                    believedUp[node] = true;
                }
            }
            default -> throw new IllegalStateException(event.kind().name());
        }
    }

    private static List<NodeEvent> schedule(List<Outage> outages, double detectDown, double detectUp) {
        List<NodeEvent> events = new ArrayList<>(4 * outages.size());
        for (int i = 0; i < outages.size(); i++) {
            Outage outage = outages.get(i);
            events.add(new NodeEvent(outage.downAt(), Kind.FAIL, outage.node(), i));
            events.add(new NodeEvent(outage.downAt() + detectDown, Kind.DETECT_DOWN, outage.node(), i));
            events.add(new NodeEvent(outage.upAt(), Kind.RETURN, outage.node(), i));
            events.add(new NodeEvent(outage.upAt() + detectUp, Kind.DETECT_UP, outage.node(), i));
        }
        // stable: at equal times an outage's events keep their order (fail, judged, return, judged)
        events.sort(Comparator.comparingDouble(NodeEvent::time));
        return events;
    }

    static RandomGenerator random(long seed, int stream) {
        return RandomGeneratorFactory.of(RANDOM_ALGORITHM).create(seed * 31 + stream);
    }
}
