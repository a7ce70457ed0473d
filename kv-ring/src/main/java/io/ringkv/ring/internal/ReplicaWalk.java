package io.ringkv.ring.internal;

/**
 * Finds the replicas of a range of a {@link TokenCircle}: the first N distinct owners walking clockwise from
 * the range's own token (racks are not considered), each with the token where the walk first met it (the
 * token that "carries" the range for that node). Remembers the answer for every range of the starting circle
 * until {@link #forget} says a change touched it. Reuses its buffers; one caller at a time.
 */
final class ReplicaWalk {
    private final TokenCircle circle;
    private final int replicationFactor;
    private final int[] seen;
    private int stamp;
    private final boolean[] remembered;
    private final int[] rememberedCounts;
    private final int[] rememberedNodes;
    private final int[] rememberedCarriers;

    ReplicaWalk(TokenCircle circle, int nodeCount, int replicationFactor) {
        this.circle = circle;
        this.replicationFactor = replicationFactor;
        this.seen = new int[nodeCount];
        this.remembered = new boolean[circle.capacity()];
        this.rememberedCounts = new int[circle.size()];
        this.rememberedNodes = new int[circle.size() * replicationFactor];
        this.rememberedCarriers = new int[circle.size() * replicationFactor];
    }

    int replicationFactor() {
        return replicationFactor;
    }

    /**
     * Writes the replicas of range {@code id} into {@code nodes} in preference order and the ids of the tokens
     * that carry the range into {@code carriers}.
     *
     * @return how many: N, or fewer when the circle has fewer distinct owners
     */
    int replicas(int id, int[] nodes, int[] carriers) {
        if (!remembered[id]) {
            return walk(id, nodes, carriers, 0);
        }
        int count = rememberedCounts[id];
        System.arraycopy(rememberedNodes, id * replicationFactor, nodes, 0, count);
        System.arraycopy(rememberedCarriers, id * replicationFactor, carriers, 0, count);
        return count;
    }

    /** Marks range {@code id} as changed, so its replicas are walked again from now on. */
    void forget(int id) {
        remembered[id] = false;
    }

    /**
     * Remembers every range's replicas, and adds each range's fraction to every replica's entry of
     * {@code loads} and carrier's entry of {@code spans}.
     */
    void rememberAndSum(double[] loads, double[] spans) {
        for (int id = 0; id < circle.size(); id++) {
            int offset = id * replicationFactor;
            int count = walk(id, rememberedNodes, rememberedCarriers, offset);
            rememberedCounts[id] = count;
            remembered[id] = true;
            double fraction = circle.fraction(id);
            for (int r = 0; r < count; r++) {
                loads[rememberedNodes[offset + r]] += fraction;
                spans[rememberedCarriers[offset + r]] += fraction;
            }
        }
    }

    /** Walks from range {@code id}, writing from {@code offset} on. @return how many replicas it found */
    private int walk(int id, int[] nodes, int[] carriers, int offset) {
        stamp++;
        int count = 0;
        int position = id;
        for (int step = 0; step < circle.size() && count < replicationFactor; step++) {
            int owner = circle.owner(position);
            if (seen[owner] != stamp) {
                seen[owner] = stamp;
                carriers[offset + count] = position;
                nodes[offset + count++] = owner;
            }
            position = circle.next(position);
        }
        return count;
    }
}
