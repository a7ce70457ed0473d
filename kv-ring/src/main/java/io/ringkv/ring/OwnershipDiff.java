package io.ringkv.ring;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import io.ringkv.api.NodeId;
import io.ringkv.ring.internal.TransferMerger;
import io.ringkv.ring.internal.TransferMerger.Route;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The data that must move when the ring changes from one snapshot to another. The ring is cut at every token
 * of either snapshot; for each piece, every node that replicates it afterwards but not before receives it,
 * from a node that replicated it before but no longer does (paired in preference order) or, when there is
 * none, from the piece's primary replica before the change. Adjacent pieces with the same sender and
 * receiver form one {@link RangeTransfer}. Nothing moves when either snapshot is empty (there is no data yet,
 * or nobody left to hold it). Immutable; the order of transfers is deterministic.
 *
 * @param transfers the transfers, ordered by range start, then receiver, then sender
 */
public record OwnershipDiff(List<RangeTransfer> transfers) {
    /** Copies {@code transfers}. */
    public OwnershipDiff {
        transfers = List.copyOf(transfers);
    }

    /**
     * @return what must move to go from {@code before} to {@code after}
     * @throws KvException with {@link ErrorCode#INVALID_ARGUMENT} when the replication factors differ
     */
    public static OwnershipDiff between(Ring before, Ring after) {
        if (before.replicationFactor() != after.replicationFactor()) {
            throw new KvException(ErrorCode.INVALID_ARGUMENT, "cannot diff rings with replication factors "
                + before.replicationFactor() + " and " + after.replicationFactor());
        }
        if (before.isEmpty() || after.isEmpty()) {
            return new OwnershipDiff(List.of());
        }
        long[] bounds = unionOfTokens(before, after);
        TransferMerger merger = new TransferMerger(bounds);
        for (int k = 0; k < bounds.length; k++) {
            int subRange = k;
            routes(before, after, bounds[k]).forEach(route -> merger.add(subRange, route));
        }
        return new OwnershipDiff(merger.transfers());
    }

    /** @return the share of the ring copied in total, counting each receiver separately */
    public double movedFraction() {
        double sum = 0;
        for (RangeTransfer transfer : transfers) {
            sum += transfer.fraction();
        }
        return sum;
    }

    /** @return whether nothing moves */
    public boolean isEmpty() {
        return transfers.isEmpty();
    }

    private static List<Route> routes(Ring before, Ring after, long token) {
        List<NodeId> old = replicaIds(before, token);
        List<NodeId> now = replicaIds(after, token);
        List<NodeId> leaving = old.stream().filter(id -> !now.contains(id)).toList();
        List<Route> routes = new ArrayList<>();
        for (NodeId receiver : now) {
            if (!old.contains(receiver)) {
                int r = routes.size();
                routes.add(new Route(r < leaving.size() ? leaving.get(r) : old.getFirst(), receiver));
            }
        }
        return routes;
    }

    private static List<NodeId> replicaIds(Ring ring, long token) {
        int tokenIndex = ring.tokenIndexFor(token);
        List<NodeId> ids = new ArrayList<>(ring.replicaCount());
        for (int i = 0; i < ring.replicaCount(); i++) {
            ids.add(ring.node(ring.replicaNodeIndex(tokenIndex, i)).id());
        }
        return ids;
    }

    private static long[] unionOfTokens(Ring a, Ring b) {
        long[] union = new long[a.tokenCount() + b.tokenCount()];
        int i = 0;
        int j = 0;
        int k = 0;
        while (i < a.tokenCount() || j < b.tokenCount()) {
            long next = j == b.tokenCount() || (i < a.tokenCount() && a.token(i) <= b.token(j))
                ? a.token(i) : b.token(j);
            union[k++] = next;
            while (i < a.tokenCount() && a.token(i) == next) {
                i++;
            }
            while (j < b.tokenCount() && b.token(j) == next) {
                j++;
            }
        }
        return Arrays.copyOf(union, k);
    }
}
