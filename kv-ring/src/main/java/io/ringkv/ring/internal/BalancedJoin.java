package io.ringkv.ring.internal;

import io.ringkv.ring.Ring;
import java.util.Arrays;

/**
 * One join of the balanced allocator, in two phases.
 *
 * <p>Choose: every range of the ring is a candidate for J's next token, scored by how much the best token in it
 * lowers the {@link BalanceObjective}. Lazy greedy: the best-scored candidate is popped and re-scored against
 * the current state; it is accepted if it still beats the next best score, else pushed back with its new score
 * (with a bounded look-ahead, see {@link #chooseOne()}).
 *
 * <p>Polish: each of J's tokens in turn is taken out and put back at the best place in its own gap or up to
 * {@value #POLISH_HOPS} ranges to either side, a few passes over all of them. This repairs what the one-way
 * greedy could not foresee and brings replicated ownership within a fraction of a percent of even.
 */
final class BalancedJoin {
    // Cassandra's choice: while choosing, token spans count as much as node ownership (even spans keep later
    // joins balanceable).
    private static final double CHOOSE_TOKEN_WEIGHT = 1.0;
    // While polishing, node ownership is what counts; a small span term keeps J's tokens from degenerating.
    private static final double POLISH_TOKEN_WEIGHT = 0.1;
    // Measured on 4 to 1,000 nodes: more passes or hops gain little, fewer lose balance on small rings.
    private static final int POLISH_PASSES = 4;
    private static final int POLISH_HOPS = 2;
    // Scores of many candidates fall together when a node reaches its share; after this many re-scored
    // candidates failed to stay on top, the best of them is good enough (10x fewer re-scores, same balance).
    private static final int LOOKAHEAD = 16;

    private final TokenCircle circle;
    private final ReplicaWalk walk;
    private final InsertionEffect effect;
    private final BalanceObjective objective;
    private final CandidateHeap heap;
    private final int joiner;
    private final int[] placed;
    private int placedCount;
    private long offset;

    private BalancedJoin(Ring ring, int vnodes) {
        int nodeCount = ring.size() + 1;
        this.joiner = ring.size();
        this.circle = TokenCircle.of(ring, vnodes);
        this.walk = new ReplicaWalk(circle, nodeCount, ring.replicationFactor());
        this.effect = new InsertionEffect(circle, walk, joiner, nodeCount);
        double[] loads = new double[nodeCount];
        double[] spans = new double[circle.capacity()];
        walk.rememberAndSum(loads, spans);
        int replicationFactor = ring.replicationFactor();
        this.objective = new BalanceObjective(loads, spans, (double) replicationFactor / nodeCount,
            (double) replicationFactor / circle.capacity(), joiner, vnodes, CHOOSE_TOKEN_WEIGHT);
        this.heap = new CandidateHeap(ring.tokenCount() + 2 * vnodes + 1);
        this.placed = new int[vnodes];
    }

    /**
     * @param ring a ring with at least N nodes
     * @return {@code vnodes} tokens for a new node, sorted
     */
    static long[] allocate(Ring ring, int vnodes) {
        return new BalancedJoin(ring, vnodes).run();
    }

    /** @return the replicated ownership per node (the joiner last) that the search expects after the join */
    static double[] expectedLoads(Ring ring, int vnodes) {
        BalancedJoin join = new BalancedJoin(ring, vnodes);
        join.run();
        return join.objective.loads();
    }

    private long[] run() {
        choose();
        polish();
        long[] tokens = new long[placed.length];
        for (int i = 0; i < placed.length; i++) {
            tokens[i] = circle.token(placed[i]);
        }
        Arrays.sort(tokens);
        return tokens;
    }

    private void choose() {
        for (int range = 0; range < circle.size(); range++) {
            double score = evaluate(range);
            if (score > Double.NEGATIVE_INFINITY) {
                heap.append(range, score);
            }
        }
        heap.heapify();
        while (placedCount < placed.length) {
            chooseOne();
        }
    }

    /**
     * Pops candidates until one still beats the next best score, or until {@value #LOOKAHEAD} have not, then
     * takes the best of those re-scored. The others go back with their fresh scores.
     */
    private void chooseOne() {
        int held = -1;
        double heldScore = Double.NEGATIVE_INFINITY;
        for (int misses = 0; misses < LOOKAHEAD; misses++) {
            int range = heap.poll();
            double score = evaluate(range);
            if (heap.isEmpty() || score >= heap.peekPriority()) {
                pushBack(held, heldScore);
                accept(range);
                return;
            }
            if (score > heldScore) {
                pushBack(held, heldScore);
                held = range;
                heldScore = score;
            } else {
                heap.push(range, score);
            }
        }
        evaluate(held);
        accept(held);
    }

    private void pushBack(int range, double score) {
        if (range >= 0) {
            heap.push(range, score);
        }
    }

    private void accept(int range) {
        int added = circle.insertBefore(range, circle.token(circle.previous(range)) + offset, joiner);
        objective.apply(effect, toFraction(offset), added);
        forgetTouched();
        placed[placedCount++] = added;
        objective.progress(placedCount + 1);
        pushIfSplittable(added);
        pushIfSplittable(range);
    }

    private void pushIfSplittable(int range) {
        double score = evaluate(range);
        if (score > Double.NEGATIVE_INFINITY) {
            heap.push(range, score);
        }
    }

    private void polish() {
        objective.tokenWeight(POLISH_TOKEN_WEIGHT);
        for (int pass = 0; pass < POLISH_PASSES; pass++) {
            for (int id : placed) {
                move(id);
            }
        }
    }

    /** Takes J's token {@code id} out and puts it back where it helps most, near where it was. */
    private void move(int id) {
        int range = circle.next(id);
        long oldOffset = circle.token(id) - circle.token(circle.previous(id));
        circle.unlink(id);
        effect.collect(range);
        objective.revert(effect, toFraction(oldOffset), id);
        forgetTouched();
        int target = bestNearby(range);
        evaluate(target);
        circle.relink(id, target, circle.token(circle.previous(target)) + offset);
        objective.apply(effect, toFraction(offset), id);
        forgetTouched();
    }

    private void forgetTouched() {
        for (int i = 0; i < effect.touchedCount(); i++) {
            walk.forget(effect.touched(i));
        }
    }

    private int bestNearby(int range) {
        int best = range;
        double bestScore = evaluate(range);
        int before = range;
        int after = range;
        for (int hop = 0; hop < POLISH_HOPS; hop++) {
            before = circle.previous(before);
            after = circle.next(after);
            double score = evaluate(before);
            if (score > bestScore) {
                best = before;
                bestScore = score;
            }
            score = evaluate(after);
            if (score > bestScore) {
                best = after;
                bestScore = score;
            }
        }
        return best;
    }

    /**
     * Scores the best token of J in {@code range}, leaving its effect and offset in the fields.
     *
     * @return the fall of the objective, or negative infinity when the range has no room for a token
     */
    private double evaluate(int range) {
        long width = circle.width(range);
        if (width == 1 || width == 2 && circle.token(range) == Long.MIN_VALUE + 1) {
            return Double.NEGATIVE_INFINITY;
        }
        effect.collect(range);
        offset = chooseOffset(range, width);
        return objective.improvement(effect, toFraction(offset));
    }

    private long chooseOffset(int range, long width) {
        long chosen = clamp(objective.bestOffset(effect), width);
        long start = circle.token(circle.previous(range));
        if (start + chosen == Long.MIN_VALUE) {
            chosen = chosen == 1 ? 2 : chosen - 1;
        }
        return chosen;
    }

    /** @return {@code fraction} of the ring as an offset in [1, width - 1] (width 0 meaning the whole ring) */
    private static long clamp(double fraction, long width) {
        if (fraction <= 0) {
            return 1;
        }
        if (width != 0 && fraction >= toFraction(width)) {
            return width - 1;
        }
        long offset = TokenMath.fractionToDistance(Math.min(fraction, Math.nextDown(1.0)));
        if (offset == 0) {
            return 1;
        }
        return width != 0 && Long.compareUnsigned(offset, width) >= 0 ? width - 1 : offset;
    }

    private static double toFraction(long offset) {
        return TokenMath.unsignedToDouble(offset) / TokenMath.RING;
    }
}
