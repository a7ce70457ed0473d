package io.ringkv.benchmarks.availability;

import java.util.Locale;

/**
 * What one availability run models. Times are virtual seconds.
 *
 * @param nodes physical nodes on the ring, 4 to 10,000
 * @param vnodes tokens per node (balanced allocator), 1 to 256
 * @param racks failure domains the nodes are spread over round-robin (zone z, rack r), 1 to nodes
 * @param n replicas per key, 1 to 16
 * @param w acknowledgements a write needs, 1 to n
 * @param mtbfSeconds mean time between failures of one node (exponential time up), more than 0
 * @param mttrSeconds mean time to repair (exponential time down); 0 means a node never goes down
 * @param detectDownSeconds how long after a node fails the coordinator's view judges it DOWN (if still down)
 * @param detectUpSeconds how long after a node returns the view believes it alive again
 * @param hintWindowSeconds an owner judged DOWN for longer than this gets no substitute (hints.window); infinite
 *     for none, as the write rule of issue 15 states it
 * @param horizonSeconds virtual time over which writes arrive, after a warm-up that lets failures settle
 * @param writes writes issued, at uniformly random times (a Poisson process) to uniformly random tokens
 * @param seed seed of every random choice: ring tokens, failure history, writes
 */
public record AvailabilityParameters(int nodes, int vnodes, int racks, int n, int w, double mtbfSeconds,
                                     double mttrSeconds, double detectDownSeconds, double detectUpSeconds,
                                     double hintWindowSeconds, double horizonSeconds, long writes, long seed) {
    /** 3,600 s. */
    public static final double HOUR = 3600;

    /**
     * The defaults: 1,000 nodes of 32 vnodes in 12 racks, N = 3, W = 2; MTBF 24 h and MTTR 27 min, where a strict
     * quorum's expected write availability is the claimed 99.9 %; DOWN judged 8 s after a failure (gossip's
     * phi-accrual detector at 1 s rounds judges DOWN after about 5-10 s), alive again 2 s after a return;
     * no hint window; writes over 2,000 h.
     */
    public static AvailabilityParameters defaults(long writes, long seed) {
        return new AvailabilityParameters(1000, 32, 12, 3, 2, 24 * HOUR, 27 * 60, 8, 2,
            Double.POSITIVE_INFINITY, 2000 * HOUR, writes, seed);
    }

    /** @throws IllegalArgumentException naming the parameter out of range */
    public AvailabilityParameters {
        check("nodes", nodes >= 4 && nodes <= 10_000, nodes);
        check("vnodes", vnodes >= 1 && vnodes <= 256, vnodes);
        check("racks", racks >= 1 && racks <= nodes, racks);
        check("n", n >= 1 && n <= 16, n);
        check("w", w >= 1 && w <= n, w);
        check("mtbf", mtbfSeconds > 0 && Double.isFinite(mtbfSeconds), mtbfSeconds);
        check("mttr", mttrSeconds >= 0 && Double.isFinite(mttrSeconds), mttrSeconds);
        check("detect-down", detectDownSeconds >= 0 && Double.isFinite(detectDownSeconds), detectDownSeconds);
        check("detect-up", detectUpSeconds >= 0 && Double.isFinite(detectUpSeconds), detectUpSeconds);
        check("hint-window-hours", hintWindowSeconds > 0, hintWindowSeconds);
        check("hours", horizonSeconds > 0 && Double.isFinite(horizonSeconds), horizonSeconds);
        check("writes", writes >= 0, writes);
    }

    /** @return a copy with another MTBF and MTTR */
    public AvailabilityParameters withFailures(double mtbf, double mttr) {
        return new AvailabilityParameters(nodes, vnodes, racks, n, w, mtbf, mttr, detectDownSeconds,
            detectUpSeconds, hintWindowSeconds, horizonSeconds, writes, seed);
    }

    /** @return a copy with other detection delays */
    public AvailabilityParameters withDetection(double down, double up) {
        return new AvailabilityParameters(nodes, vnodes, racks, n, w, mtbfSeconds, mttrSeconds, down, up,
            hintWindowSeconds, horizonSeconds, writes, seed);
    }

    /** @return a copy with another hint window (infinite for none) */
    public AvailabilityParameters withHintWindow(double seconds) {
        return new AvailabilityParameters(nodes, vnodes, racks, n, w, mtbfSeconds, mttrSeconds, detectDownSeconds,
            detectUpSeconds, seconds, horizonSeconds, writes, seed);
    }

    /** @return a copy with another ring size (racks capped at the node count) and tokens per node */
    public AvailabilityParameters withRing(int nodeCount, int tokensPerNode) {
        return new AvailabilityParameters(nodeCount, tokensPerNode, Math.min(racks, nodeCount), n, w, mtbfSeconds,
            mttrSeconds, detectDownSeconds, detectUpSeconds, hintWindowSeconds, horizonSeconds, writes, seed);
    }

    /** @return a copy with another horizon, number of writes and seed */
    public AvailabilityParameters withRun(double horizon, long writeCount, long runSeed) {
        return new AvailabilityParameters(nodes, vnodes, racks, n, w, mtbfSeconds, mttrSeconds, detectDownSeconds,
            detectUpSeconds, hintWindowSeconds, horizon, writeCount, runSeed);
    }

    /** @return the long-run fraction of time a node is down: MTTR / (MTBF + MTTR) */
    public double downFraction() {
        return mttrSeconds / (mtbfSeconds + mttrSeconds);
    }

    /** @return the warm-up before the first write: long enough for up/down states to reach their steady mix */
    public double warmUpSeconds() {
        return 20 * (mttrSeconds + detectDownSeconds + detectUpSeconds) + HOUR;
    }

    /** @return the parameters on a few lines */
    public String describe() {
        return String.format(Locale.ROOT, """
            cluster    %d nodes, %d vnodes each (balanced allocator), %d racks, N=%d W=%d
            failures   each node alternates up/down: exponential MTBF %s, MTTR %s (p = MTTR/(MTBF+MTTR) = %.5f)
            detector   DOWN judged %.1f s after a failure (if still down), alive again %.1f s after the return
            hints      %s
            writes     %,d at random times over %,.0f h (after a %.1f h warm-up) to random tokens; seed %d""",
            nodes, vnodes, racks, n, w, duration(mtbfSeconds), duration(mttrSeconds), downFraction(),
            detectDownSeconds, detectUpSeconds, hints(), writes, horizonSeconds / HOUR, warmUpSeconds() / HOUR, seed);
    }

    private String hints() {
        return Double.isInfinite(hintWindowSeconds) ? "no hint window: every owner judged DOWN gets a substitute"
            : "an owner judged DOWN for more than " + duration(hintWindowSeconds) + " gets no substitute";
    }

    /** @return seconds as "27 min", "24 h" or "7 d" */
    public static String duration(double seconds) {
        if (seconds >= 48 * HOUR && seconds % (24 * HOUR) == 0) {
            return String.format(Locale.ROOT, "%.0f d", seconds / (24 * HOUR));
        }
        if (seconds >= HOUR && seconds % HOUR == 0) {
            return String.format(Locale.ROOT, "%.0f h", seconds / HOUR);
        }
        if (seconds % 60 == 0) {
            return String.format(Locale.ROOT, "%.0f min", seconds / 60);
        }
        return String.format(Locale.ROOT, "%.4g min", seconds / 60);
    }

    private static void check(String name, boolean ok, Object value) {
        if (!ok) {
            throw new IllegalArgumentException(name + " is out of range, was " + value);
        }
    }
}
