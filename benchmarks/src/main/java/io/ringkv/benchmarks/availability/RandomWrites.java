package io.ringkv.benchmarks.availability;

import io.ringkv.ring.Partitioner;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.random.RandomGenerator;

/**
 * {@code count} writes to uniformly random tokens, arriving as a Poisson process that spreads them over the
 * horizon (the arrival times are uniformly random; their pace does not matter, nothing here models load).
 */
public final class RandomWrites implements Iterator<Write> {
    private final RandomGenerator random;
    private final double meanGap;
    private long left;
    private double time;

    /**
     * @param count writes to make
     * @param horizonSeconds the virtual time they spread over (on average)
     * @param random the only randomness used
     */
    public RandomWrites(long count, double horizonSeconds, RandomGenerator random) {
        this.random = random;
        this.left = count;
        this.meanGap = count == 0 ? 0 : horizonSeconds / count;
    }

    @Override
    public boolean hasNext() {
        return left > 0;
    }

    @Override
    public Write next() {
        if (left == 0) {
            throw new NoSuchElementException();
        }
        left--;
        time += meanGap * random.nextExponential();
        long token = random.nextLong();
        // as the partitioner does: RING_START is no key's token
        return new Write(time, token == Partitioner.RING_START ? Partitioner.MAX_TOKEN : token);
    }
}
