package io.ringkv.ring.internal;

import io.ringkv.api.NodeId;
import io.ringkv.ring.RangeTransfer;
import io.ringkv.ring.TokenRange;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects (sender, receiver) routes per sub-range of a ring cut at {@code bounds}, sub-range k being
 * {@code (bounds[k-1], bounds[k]]} (k = 0 wraps to the last bound), and merges runs of adjacent sub-ranges with
 * the same route into one transfer, across the wrap too. One use only.
 */
public final class TransferMerger {
    private final long[] bounds;
    private final Map<Route, List<Integer>> subRangesByRoute = new LinkedHashMap<>();

    /** A sender and a receiver. */
    public record Route(NodeId from, NodeId to) {
    }

    /** @param bounds the sorted, distinct sub-range ends */
    public TransferMerger(long[] bounds) {
        this.bounds = bounds;
    }

    /** Records that sub-range {@code k} moves along {@code route}; call with ascending k per route. */
    public void add(int k, Route route) {
        subRangesByRoute.computeIfAbsent(route, r -> new ArrayList<>()).add(k);
    }

    /** @return the merged transfers, ordered by range start, then receiver, then sender */
    public List<RangeTransfer> transfers() {
        List<RangeTransfer> result = new ArrayList<>();
        subRangesByRoute.forEach((route, subRanges) -> addRuns(route, subRanges, result));
        result.sort(Comparator.comparingLong((RangeTransfer t) -> t.range().start())
            .thenComparing(RangeTransfer::to)
            .thenComparing(RangeTransfer::from));
        return List.copyOf(result);
    }

    private void addRuns(Route route, List<Integer> subRanges, List<RangeTransfer> result) {
        if (subRanges.size() == bounds.length) {
            result.add(transfer(route, 0, bounds.length - 1));
            return;
        }
        int runs = result.size();
        int runStart = subRanges.getFirst();
        for (int i = 1; i <= subRanges.size(); i++) {
            if (i == subRanges.size() || subRanges.get(i) != subRanges.get(i - 1) + 1) {
                result.add(transfer(route, runStart, subRanges.get(i - 1)));
                runStart = i < subRanges.size() ? subRanges.get(i) : runStart;
            }
        }
        mergeAcrossWrap(route, subRanges, result, runs);
    }

    // A run that ends at the last sub-range continues into the run that starts at sub-range 0.
    private void mergeAcrossWrap(Route route, List<Integer> subRanges, List<RangeTransfer> result, int firstRun) {
        boolean startsAtZero = subRanges.getFirst() == 0;
        boolean endsAtLast = subRanges.getLast() == bounds.length - 1;
        int lastRun = result.size() - 1;
        if (startsAtZero && endsAtLast && lastRun > firstRun) {
            RangeTransfer head = result.get(firstRun);
            RangeTransfer tail = result.remove(lastRun);
            result.set(firstRun, new RangeTransfer(
                new TokenRange(tail.range().start(), head.range().end()), route.from(), route.to()));
        }
    }

    private RangeTransfer transfer(Route route, int firstSubRange, int lastSubRange) {
        long start = bounds[firstSubRange == 0 ? bounds.length - 1 : firstSubRange - 1];
        return new RangeTransfer(new TokenRange(start, bounds[lastSubRange]), route.from(), route.to());
    }
}
