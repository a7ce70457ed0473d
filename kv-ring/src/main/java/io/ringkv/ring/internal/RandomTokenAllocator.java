package io.ringkv.ring.internal;

import io.ringkv.api.Node;
import io.ringkv.ring.Ring;
import io.ringkv.ring.TokenAllocator;
import io.ringkv.ring.TokenAllocators;
import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * Draws every token uniformly at random (the Dynamo paper's scheme), redrawing on a collision. Ownership then
 * varies between nodes roughly as 1/sqrt(vnodes).
 */
public final class RandomTokenAllocator implements TokenAllocator {
    private final RandomGenerator random;

    /** @param random the source of every token */
    public RandomTokenAllocator(RandomGenerator random) {
        this.random = random;
    }

    @Override
    public String name() {
        return TokenAllocators.RANDOM;
    }

    @Override
    public long[] allocate(Ring current, Node joining, int vnodes) {
        AllocationRequests.check(current, joining, vnodes);
        long[] chosen = new long[vnodes];
        int count = 0;
        while (count < vnodes) {
            long token = random.nextLong();
            if (token != Long.MIN_VALUE && !current.hasToken(token) && !containsFirst(chosen, count, token)) {
                chosen[count++] = token;
            }
        }
        Arrays.sort(chosen);
        return chosen;
    }

    private static boolean containsFirst(long[] values, int count, long value) {
        for (int i = 0; i < count; i++) {
            if (values[i] == value) {
                return true;
            }
        }
        return false;
    }
}
