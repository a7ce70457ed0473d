package io.ringkv.benchmarks.faults;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A seeded schedule of faults, one at a time with quiet gaps between them (so that with N = 3 a majority of
 * replicas is normally reachable, and every anomaly can be laid at one fault's door). The same seed, kinds, node
 * count and duration give the same schedule.
 *
 * <p>Joins and leaves change who the members are, and the schedule follows them: a join brings a fresh node (the
 * next number, never one used before), a leave takes a member away for good, and every other fault targets
 * members of that moment only. The cluster is kept at N or N + 1 members: a join is followed by a leave before
 * the next join, a leave comes only after a join (one is put first when the kinds drawn would have the cluster
 * shrink below its starting size), and a schedule that ends with a join in force ends with a leave. So no
 * departure leaves fewer than N replicas of a range (the operator's order: add a node, then remove one), and at
 * the end every member replicates every key again, which the per-node checks of the final reads rely on. A
 * removal takes a member out for its span and brings it back as a new node under the same number, so it needs
 * N + 1 members as a leave does (a join is put first otherwise) and leaves their count as it found it; in the CI
 * schedule it comes between the join and the leave.
 */
public final class FaultSchedule {
    private static final long FIRST_FAULT_MILLIS = 5_000;
    private static final long MIN_GAP_MILLIS = 3_000;
    private static final long MAX_GAP_MILLIS = 5_000;

    private FaultSchedule() {
    }

    /**
     * @param nodes the nodes the cluster starts with, numbered 1 to {@code nodes}; joiners are numbered on
     * @param everyKindOnce true for a schedule of each kind exactly once, in a seeded order (the CI schedule, where
     *     a join comes before the leave), as long as it needs; false for kinds drawn at random until
     *     {@code durationMillis} (then a leave may follow, to undo a join still in force)
     */
    public static List<Fault> generate(long seed, Set<FaultKind> kinds, int nodes, long durationMillis,
                                       boolean everyKindOnce) {
        SplittableRandom random = new SplittableRandom(seed);
        List<FaultKind> order = new ArrayList<>(kinds);
        Builder schedule = new Builder(random, nodes, everyKindOnce);
        if (everyKindOnce) {
            for (int i = order.size() - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                order.set(j, order.set(i, order.get(j)));
            }
            // join, removal and leave keep their places among the kinds drawn, in that order: each needs the one
            // before it
            List<FaultKind> changes = List.of(FaultKind.JOIN, FaultKind.REMOVE, FaultKind.LEAVE).stream()
                .filter(order::contains).toList();
            List<Integer> places = changes.stream().map(order::indexOf).sorted().toList();
            for (int i = 0; i < changes.size(); i++) {
                order.set(places.get(i), changes.get(i));
            }
            order.forEach(schedule::add);
            return schedule.finish();
        }
        // a kind that no longer fits is drawn no more; shorter ones may still fit (a removal with the join it needs
        // takes a minute and a half, a pause a few seconds)
        while (!order.isEmpty()) {
            FaultKind kind = order.get(random.nextInt(order.size()));
            if (!schedule.addBefore(kind, durationMillis)) {
                order.remove(kind);
            }
        }
        return schedule.finish();
    }

    /** @return how long a workload must run for {@code faults} and a quiet spell after the last */
    public static long durationFor(List<Fault> faults) {
        return faults.isEmpty() ? FIRST_FAULT_MILLIS : faults.getLast().endMillis() + MAX_GAP_MILLIS;
    }

    /** Appends faults one after another, keeping track of the members. */
    private static final class Builder {
        private final SplittableRandom random;
        private final boolean killJoiners;
        private final int startingSize;
        private final List<Integer> members = new ArrayList<>();
        private final List<Fault> faults = new ArrayList<>();
        private int lastNode;
        private long time = FIRST_FAULT_MILLIS;

        Builder(SplittableRandom random, int nodes, boolean killJoiners) {
            this.random = random;
            this.killJoiners = killJoiners;
            this.startingSize = nodes;
            for (int i = 1; i <= nodes; i++) {
                members.add(i);
            }
            this.lastNode = nodes;
        }

        void add(FaultKind kind) {
            addBefore(kind, Long.MAX_VALUE);
        }

        /** Adds {@code kind} (after the membership change it needs) if it ends by {@code endMillis}. */
        boolean addBefore(FaultKind kind, long endMillis) {
            List<Fault> added = new ArrayList<>();
            List<Integer> before = List.copyOf(members);
            int lastBefore = lastNode;
            long timeBefore = time;
            if ((kind == FaultKind.LEAVE || kind == FaultKind.REMOVE) && members.size() <= startingSize) {
                added.add(next(FaultKind.JOIN));
            } else if (kind == FaultKind.JOIN && members.size() > startingSize) {
                added.add(next(FaultKind.LEAVE));
            }
            added.add(next(kind));
            if (added.getLast().endMillis() > endMillis) {
                members.clear();
                members.addAll(before);
                lastNode = lastBefore;
                time = timeBefore;
                return false;
            }
            faults.addAll(added);
            return true;
        }

        List<Fault> finish() {
            if (members.size() > startingSize) {
                faults.add(next(FaultKind.LEAVE));
            }
            return List.copyOf(faults);
        }

        private Fault next(FaultKind kind) {
            Fault fault = draw(kind);
            time = fault.endMillis() + random.nextLong(MIN_GAP_MILLIS, MAX_GAP_MILLIS + 1);
            return fault;
        }

        private Fault draw(FaultKind kind) {
            long duration = random.nextLong(kind.minMillis(), kind.maxMillis() + 1);
            int size = members.size();
            int node = members.get(random.nextInt(size));
            return switch (kind) {
                case ONE_WAY_PARTITION -> {
                    int other = members.get((members.indexOf(node) + 1 + random.nextInt(size - 1)) % size);
                    yield new Fault(kind, List.of(node, other), time, duration, 0);
                }
                case LOSS -> new Fault(kind, List.of(), time, duration, random.nextLong(20, 51));
                case CLOCK_SKEW -> new Fault(kind, List.of(node), time, duration,
                    (random.nextBoolean() ? 1 : -1) * random.nextLong(30, 121));
                case JOIN -> {
                    boolean kill = random.nextBoolean() || killJoiners;
                    members.add(++lastNode);
                    yield new Fault(kind, List.of(lastNode), time, duration, kill ? 1 : 0);
                }
                case LEAVE -> {
                    members.remove(Integer.valueOf(node));
                    yield new Fault(kind, List.of(node), time, duration, 0);
                }
                case REMOVE -> new Fault(kind, List.of(node), time, duration, random.nextLong(1, 5));
                default -> new Fault(kind, List.of(node), time, duration, 0);
            };
        }
    }
}
