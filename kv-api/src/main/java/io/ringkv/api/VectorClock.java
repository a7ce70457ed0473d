package io.ringkv.api;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A version vector: per node, the highest of that node's {@link Dot}s it covers (every dot of the node up to that
 * counter), plus the wall-clock time of that entry's last change (used only to prune). A version's causal past and
 * a client's causal context are such vectors (see {@link Version} for why a vector is exact there). Immutable; entries are kept sorted by {@link NodeId}, so equal clocks are equal
 * objects and {@link #compare} is a single merge walk.
 *
 * <p>Pruning follows Dynamo (section 4.4): when a clock grows past a configured size, the entries with the oldest
 * update times go. A pruned clock may make a descendant look concurrent with its ancestor (a spurious sibling),
 * never the reverse, so pruning never loses a write; callers count prunes so an operator sees it happen.
 */
public final class VectorClock {
    private static final VectorClock EMPTY = new VectorClock(new NodeId[0], new long[0], new long[0]);

    private final NodeId[] nodes;
    private final long[] counters;
    private final long[] updatedMillis;

    private VectorClock(NodeId[] nodes, long[] counters, long[] updatedMillis) {
        this.nodes = nodes;
        this.counters = counters;
        this.updatedMillis = updatedMillis;
    }

    /** @return the clock with no entries: before every other clock */
    public static VectorClock empty() {
        return EMPTY;
    }

    /**
     * @param entries node → counter, every counter at least 1
     * @return a clock with those counters and update times of 0
     */
    public static VectorClock of(Map<NodeId, Long> entries) {
        VectorClock clock = EMPTY;
        for (Map.Entry<NodeId, Long> entry : entries.entrySet()) {
            clock = clock.with(entry.getKey(), entry.getValue(), 0);
        }
        return clock;
    }

    /**
     * For decoders, which check the entries first: takes the arrays as they are, without copying.
     *
     * @param nodes strictly ascending, each counter at least 1
     */
    static VectorClock ofSorted(NodeId[] nodes, long[] counters, long[] updatedMillis) {
        return nodes.length == 0 ? EMPTY : new VectorClock(nodes, counters, updatedMillis);
    }

    /** @return how many nodes have an entry */
    public int size() {
        return nodes.length;
    }

    /** @return node {@code node}'s counter, 0 when it has no entry */
    public long counter(NodeId node) {
        int index = Arrays.binarySearch(nodes, node);
        return index >= 0 ? counters[index] : 0;
    }

    /** @return the node of entry {@code i} (entries are in {@link NodeId} order) */
    public NodeId node(int i) {
        return nodes[i];
    }

    /** @return the counter of entry {@code i} */
    public long counterAt(int i) {
        return counters[i];
    }

    /** @return the wall-clock milliseconds of entry {@code i}'s last increment */
    public long updatedMillisAt(int i) {
        return updatedMillis[i];
    }

    /**
     * @return this clock with {@code node}'s entry set to {@code counter} at {@code updated}
     * @throws KvException with {@link ErrorCode#INVALID_ARGUMENT} when {@code counter < 1}
     */
    public VectorClock with(NodeId node, long counter, long updated) {
        Objects.requireNonNull(node, "node");
        if (counter < 1) {
            throw new KvException(ErrorCode.INVALID_ARGUMENT, "vector clock counter must be at least 1, was " + counter);
        }
        int index = Arrays.binarySearch(nodes, node);
        if (index >= 0) {
            long[] newCounters = counters.clone();
            long[] newUpdated = updatedMillis.clone();
            newCounters[index] = counter;
            newUpdated[index] = updated;
            return new VectorClock(nodes, newCounters, newUpdated);
        }
        int at = -index - 1;
        return new VectorClock(insert(nodes, at, node, new NodeId[nodes.length + 1]),
            insert(counters, at, counter), insert(updatedMillis, at, updated));
    }

    /** @return the least clock that is after-or-equal both: per node the higher counter (and its update time) */
    public VectorClock merge(VectorClock other) {
        VectorClock merged = this;
        for (int i = 0; i < other.nodes.length; i++) {
            long mine = merged.counter(other.nodes[i]);
            if (other.counters[i] > mine) {
                merged = merged.with(other.nodes[i], other.counters[i], other.updatedMillis[i]);
            }
        }
        return merged;
    }

    /** @return how this clock relates to {@code other} */
    public Occurred compare(VectorClock other) {
        boolean bigger = false;
        boolean smaller = false;
        int i = 0;
        int j = 0;
        while (i < nodes.length || j < other.nodes.length) {
            int order = i == nodes.length ? 1 : j == other.nodes.length ? -1 : nodes[i].compareTo(other.nodes[j]);
            if (order < 0) {
                bigger = true;
                i++;
            } else if (order > 0) {
                smaller = true;
                j++;
            } else {
                bigger |= counters[i] > other.counters[j];
                smaller |= counters[i] < other.counters[j];
                i++;
                j++;
            }
        }
        if (bigger && smaller) {
            return Occurred.CONCURRENT;
        }
        return bigger ? Occurred.AFTER : smaller ? Occurred.BEFORE : Occurred.EQUAL;
    }

    /** @return true when this clock includes {@code dot}: its counter for the dot's node reaches the dot's */
    public boolean covers(Dot dot) {
        return counter(dot.node()) >= dot.counter();
    }

    /** @return true when this clock is after or equal to {@code other}: it has seen everything {@code other} saw */
    public boolean covers(VectorClock other) {
        Occurred occurred = compare(other);
        return occurred == Occurred.AFTER || occurred == Occurred.EQUAL;
    }

    /**
     * @param maxEntries the most entries to keep, at least 1
     * @return this clock without its oldest-updated entries past {@code maxEntries} (ties: lower node id goes
     *     first); {@code size() - result.size()} entries were pruned
     */
    public VectorClock pruned(int maxEntries) {
        if (maxEntries < 1) {
            throw new KvException(ErrorCode.INVALID_ARGUMENT, "a vector clock keeps at least 1 entry, asked " + maxEntries);
        }
        VectorClock kept = this;
        while (kept.nodes.length > maxEntries) {
            kept = kept.without(kept.oldestEntry());
        }
        return kept;
    }

    private int oldestEntry() {
        int oldest = 0;
        for (int i = 1; i < nodes.length; i++) {
            if (updatedMillis[i] < updatedMillis[oldest]) {
                oldest = i;
            }
        }
        return oldest;
    }

    private VectorClock without(int index) {
        NodeId[] newNodes = new NodeId[nodes.length - 1];
        long[] newCounters = new long[nodes.length - 1];
        long[] newUpdated = new long[nodes.length - 1];
        for (int i = 0, k = 0; i < nodes.length; i++) {
            if (i != index) {
                newNodes[k] = nodes[i];
                newCounters[k] = counters[i];
                newUpdated[k++] = updatedMillis[i];
            }
        }
        return new VectorClock(newNodes, newCounters, newUpdated);
    }

    /** @return node → counter, in node order */
    public Map<NodeId, Long> asMap() {
        Map<NodeId, Long> map = new LinkedHashMap<>();
        for (int i = 0; i < nodes.length; i++) {
            map.put(nodes[i], counters[i]);
        }
        return map;
    }

    private static <T> T[] insert(T[] array, int at, T element, T[] grown) {
        System.arraycopy(array, 0, grown, 0, at);
        grown[at] = element;
        System.arraycopy(array, at, grown, at + 1, array.length - at);
        return grown;
    }

    private static long[] insert(long[] array, int at, long element) {
        long[] grown = new long[array.length + 1];
        System.arraycopy(array, 0, grown, 0, at);
        grown[at] = element;
        System.arraycopy(array, at, grown, at + 1, array.length - at);
        return grown;
    }

    /** Equality compares counters only: update times are pruning hints, not causality. */
    @Override
    public boolean equals(Object other) {
        return other instanceof VectorClock clock && Arrays.equals(nodes, clock.nodes)
            && Arrays.equals(counters, clock.counters);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(nodes) + Arrays.hashCode(counters);
    }

    @Override
    public String toString() {
        return "VectorClock" + asMap();
    }
}
