package io.ringkv.benchmarks.faults;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A seeded schedule of faults, one at a time with quiet gaps between them (so that with N = 3 a majority of
 * replicas is normally reachable, and every anomaly can be laid at one fault's door). The same seed, kinds, node
 * count and duration give the same schedule.
 */
public final class FaultSchedule {
    private static final long FIRST_FAULT_MILLIS = 5_000;
    private static final long MIN_GAP_MILLIS = 3_000;
    private static final long MAX_GAP_MILLIS = 5_000;

    private FaultSchedule() {
    }

    /**
     * @param everyKindOnce true for a schedule of each kind exactly once, in a seeded order (the CI schedule), and
     *     as long as it needs; false for kinds drawn at random until {@code durationMillis}
     */
    public static List<Fault> generate(long seed, Set<FaultKind> kinds, int nodes, long durationMillis,
                                       boolean everyKindOnce) {
        SplittableRandom random = new SplittableRandom(seed);
        List<FaultKind> order = new ArrayList<>(kinds);
        List<Fault> faults = new ArrayList<>();
        long time = FIRST_FAULT_MILLIS;
        if (everyKindOnce) {
            for (int i = order.size() - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                order.set(j, order.set(i, order.get(j)));
            }
            for (FaultKind kind : order) {
                Fault fault = draw(random, kind, nodes, time);
                faults.add(fault);
                time = fault.endMillis() + random.nextLong(MIN_GAP_MILLIS, MAX_GAP_MILLIS + 1);
            }
            return faults;
        }
        while (!order.isEmpty()) {
            Fault fault = draw(random, order.get(random.nextInt(order.size())), nodes, time);
            if (fault.endMillis() > durationMillis) {
                break;
            }
            faults.add(fault);
            time = fault.endMillis() + random.nextLong(MIN_GAP_MILLIS, MAX_GAP_MILLIS + 1);
        }
        return faults;
    }

    /** @return how long a workload must run for {@code faults} and a quiet spell after the last */
    public static long durationFor(List<Fault> faults) {
        return faults.isEmpty() ? FIRST_FAULT_MILLIS : faults.getLast().endMillis() + MAX_GAP_MILLIS;
    }

    private static Fault draw(SplittableRandom random, FaultKind kind, int nodes, long start) {
        long duration = random.nextLong(kind.minMillis(), kind.maxMillis() + 1);
        int node = 1 + random.nextInt(nodes);
        return switch (kind) {
            case ONE_WAY_PARTITION -> {
                int other = 1 + (node + random.nextInt(nodes - 1)) % nodes;
                yield new Fault(kind, List.of(node, other), start, duration, 0);
            }
            case LOSS -> new Fault(kind, List.of(), start, duration, random.nextLong(20, 51));
            case CLOCK_SKEW -> new Fault(kind, List.of(node), start, duration,
                (random.nextBoolean() ? 1 : -1) * random.nextLong(30, 121));
            default -> new Fault(kind, List.of(node), start, duration, 0);
        };
    }
}
