package io.ringkv.ring.internal;

/**
 * What inserting one token x of the joining node J into a range (a, b] changes, per node (replicated
 * ownership) and per token (replicated span: the ranges a token carries for its node).
 *
 * <p>x carries (a, x] and each range before it, walking counter-clockwise from a, until N distinct other owners
 * have been passed or a token of J is reached. In each such range J did not replicate, J gains the range and the
 * range's N-th replica loses it (from its carrying token); where J did replicate it, x takes the range over
 * from J's farther token. The split-off part's width d = x - a is left open: every change has the form
 * {@code fixed + slope * d}. Reuses its buffers; one caller at a time.
 */
final class InsertionEffect {
    private final TokenCircle circle;
    private final ReplicaWalk walk;
    private final int joiner;
    private final int replicationFactor;
    private final int[] nodes;
    private final int[] carriers;
    private final int[] seen;
    private int stamp;
    private final Changes nodeChanges;
    private final Changes tokenChanges;
    private final int[] touched;
    private int touchedCount;
    private double newTokenSpan;
    private boolean joinerGainsSplit;

    InsertionEffect(TokenCircle circle, ReplicaWalk walk, int joiner, int nodeCount) {
        this.circle = circle;
        this.walk = walk;
        this.joiner = joiner;
        this.replicationFactor = walk.replicationFactor();
        this.nodes = new int[replicationFactor];
        this.carriers = new int[replicationFactor];
        this.seen = new int[nodeCount];
        this.nodeChanges = new Changes(nodeCount);
        this.tokenChanges = new Changes(circle.capacity());
        this.touched = new int[circle.capacity()];
    }

    /** Computes the effect of a token of J inside range {@code id}. */
    void collect(int id) {
        nodeChanges.clear();
        tokenChanges.clear();
        newTokenSpan = 0;
        touchedCount = 0;
        joinerGainsSplit = takeOver(id, 0, -1);
        walkBack(id);
    }

    /** @return per node, the change of replicated ownership */
    Changes nodeChanges() {
        return nodeChanges;
    }

    /** @return per existing token, the change of its span (the new token's is {@link #newTokenSpan()} + d) */
    Changes tokenChanges() {
        return tokenChanges;
    }

    /** @return the new token's span apart from the split-off part d */
    double newTokenSpan() {
        return newTokenSpan;
    }

    /** @return how many ranges the insertion changes (the split range and those before it) */
    int touchedCount() {
        return touchedCount;
    }

    /** @return the {@code i}-th range whose replicas or carriers the insertion changes */
    int touched(int i) {
        return touched[i];
    }

    /** @return whether J's ownership grows by d (false when J already replicates the split range) */
    boolean joinerGainsSplit() {
        return joinerGainsSplit;
    }

    private void walkBack(int id) {
        stamp++;
        int distinct = 0;
        int range = circle.previous(id);
        for (int step = 1; step < circle.size(); step++, range = circle.previous(range)) {
            int owner = circle.owner(range);
            if (owner == joiner) {
                return;
            }
            if (seen[owner] != stamp) {
                seen[owner] = stamp;
                if (++distinct >= replicationFactor) {
                    return;
                }
            }
            double fraction = circle.fraction(range);
            newTokenSpan += fraction;
            takeOver(range, fraction, 0);
        }
    }

    /**
     * Records the new token taking over range {@code range}'s J replica slot, for {@code fraction} fixed plus
     * {@code -slope} times d.
     *
     * @return whether J becomes a replica (rather than already being one)
     */
    private boolean takeOver(int range, double fraction, int slope) {
        touched[touchedCount++] = range;
        int count = walk.replicas(range, nodes, carriers);
        for (int r = 0; r < count; r++) {
            if (nodes[r] == joiner) {
                loseFrom(carriers[r], -1, fraction, slope);
                return false;
            }
        }
        nodeChanges.add(joiner, fraction, -slope);
        if (count == replicationFactor) {
            loseFrom(carriers[count - 1], nodes[count - 1], fraction, slope);
        }
        return true;
    }

    private void loseFrom(int carrier, int node, double fraction, int slope) {
        tokenChanges.add(carrier, -fraction, slope);
        if (node >= 0) {
            nodeChanges.add(node, -fraction, slope);
        }
    }
}
