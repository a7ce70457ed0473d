package io.ringkv.ring.internal;

/**
 * What the balanced allocator minimises, after Cassandra's replication-aware allocator: the squared deviation
 * of every existing node's replicated ownership from its fair share N / nodes, plus the squared deviation of
 * every token's span (the ranges it carries) from the fair span N / tokens, plus a term for the joining node J.
 * While J's k-th token is being chosen, J is held to k/vnodes of its share with weight k/vnodes, so it fills up
 * steadily instead of grabbing big spans first; once all are placed, to its full share with full weight.
 *
 * <p>Every change an insertion makes is linear in the split offset d, so the objective is a parabola in d and
 * its minimum has a closed form. Tracks loads and spans as tokens are accepted or moved.
 */
final class BalanceObjective {
    private final double[] loads;
    private final double[] spans;
    private final double nodeTarget;
    private final double tokenTarget;
    private final int joiner;
    private final int vnodes;
    private double tokenWeight;
    private double joinerTarget;
    private double joinerWeight;

    /**
     * @param loads replicated ownership per node, J last (updated in place)
     * @param spans span per token id (updated in place)
     * @param tokenWeight weight of the span terms relative to the node terms
     */
    BalanceObjective(double[] loads, double[] spans, double nodeTarget, double tokenTarget, int joiner, int vnodes,
                     double tokenWeight) {
        this.loads = loads;
        this.spans = spans;
        this.nodeTarget = nodeTarget;
        this.tokenTarget = tokenTarget;
        this.joiner = joiner;
        this.vnodes = vnodes;
        this.tokenWeight = tokenWeight;
        progress(1);
    }

    /** Sets J's interim target and weight for choosing its {@code tokenNumber}-th token (1-based). */
    void progress(int tokenNumber) {
        double share = (double) Math.min(tokenNumber, vnodes) / vnodes;
        joinerTarget = nodeTarget * share;
        joinerWeight = share;
    }

    /** Changes the weight of the span terms, e.g. for a final polish that favours node balance. */
    void tokenWeight(double weight) {
        tokenWeight = weight;
    }

    /** @return the split offset d (fraction of the ring) that minimises the objective, before clamping */
    double bestOffset(InsertionEffect effect) {
        double curvature = tokenWeight;
        double slope = tokenWeight * (effect.newTokenSpan() - tokenTarget);
        Changes nodes = effect.nodeChanges();
        for (int slot = 0; slot < nodes.size(); slot++) {
            int direction = nodes.slope(slot);
            if (direction != 0) {
                int node = nodes.id(slot);
                double weight = weight(node) * direction;
                curvature += weight * direction;
                slope += weight * (loads[node] + nodes.fixed(slot) - target(node));
            }
        }
        Changes tokens = effect.tokenChanges();
        for (int slot = 0; slot < tokens.size(); slot++) {
            int direction = tokens.slope(slot);
            if (direction != 0) {
                double weight = tokenWeight * direction;
                curvature += weight * direction;
                slope += weight * (spans[tokens.id(slot)] + tokens.fixed(slot) - tokenTarget);
            }
        }
        return -slope / curvature;
    }

    /** @return how much the objective falls when the token goes in at split offset {@code d}; may be negative */
    double improvement(InsertionEffect effect, double d) {
        double newDeviation = effect.newTokenSpan() + d - tokenTarget;
        double improvement = -tokenWeight * newDeviation * newDeviation;
        Changes nodes = effect.nodeChanges();
        for (int slot = 0; slot < nodes.size(); slot++) {
            int node = nodes.id(slot);
            improvement += weight(node) * fall(loads[node] - target(node), nodes.at(slot, d));
        }
        Changes tokens = effect.tokenChanges();
        for (int slot = 0; slot < tokens.size(); slot++) {
            improvement += tokenWeight * fall(spans[tokens.id(slot)] - tokenTarget, tokens.at(slot, d));
        }
        return improvement;
    }

    /** Applies the effect at split offset {@code d}; {@code newToken} is the inserted token's id. */
    void apply(InsertionEffect effect, double d, int newToken) {
        add(effect, d, 1);
        spans[newToken] = effect.newTokenSpan() + d;
    }

    /** Undoes {@link #apply} of the same effect and offset, for a token that is taken out again. */
    void revert(InsertionEffect effect, double d, int removedToken) {
        add(effect, d, -1);
        spans[removedToken] = 0;
    }

    /** @return a copy of the replicated ownership per node, J last */
    double[] loads() {
        return loads.clone();
    }

    private void add(InsertionEffect effect, double d, int sign) {
        Changes nodes = effect.nodeChanges();
        for (int slot = 0; slot < nodes.size(); slot++) {
            loads[nodes.id(slot)] += sign * nodes.at(slot, d);
        }
        Changes tokens = effect.tokenChanges();
        for (int slot = 0; slot < tokens.size(); slot++) {
            spans[tokens.id(slot)] += sign * tokens.at(slot, d);
        }
    }

    private double weight(int node) {
        return node == joiner ? joinerWeight : 1;
    }

    private double target(int node) {
        return node == joiner ? joinerTarget : nodeTarget;
    }

    // deviation^2 - (deviation + change)^2, factored to keep precision for small changes.
    private static double fall(double deviation, double change) {
        return -change * (2 * deviation + change);
    }
}
