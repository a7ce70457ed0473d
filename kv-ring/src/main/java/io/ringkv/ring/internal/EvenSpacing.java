package io.ringkv.ring.internal;

import io.ringkv.ring.Ring;
import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * Evenly spaced tokens, 2^64 / vnodes apart, for the first N nodes of a ring, where every node replicates every
 * key and only the spread of tokens matters. The first node's offset is random; the k-th (of N) takes the point
 * 1/(N - k + 2) into the widest gap left by the tokens already on the ring, folded onto one spacing interval. For
 * nodes with equal vnodes that is a lattice with N equal ranges per interval, the easiest start for the
 * balanced joins that follow.
 */
final class EvenSpacing {
    private EvenSpacing() {
    }

    static long[] allocate(Ring ring, int vnodes, RandomGenerator random) {
        long spacing = spacing(vnodes);
        long offset = ring.isEmpty() ? random.nextLong()
            : Long.MIN_VALUE + nextLatticePoint(ring, spacing, ring.replicationFactor() - ring.size() + 1);
        long[] tokens = new long[vnodes];
        for (int k = 0; k < vnodes; k++) {
            tokens[k] = freeToken(ring, offset + k * spacing);
        }
        Arrays.sort(tokens);
        return tokens;
    }

    /** @return 2^64 / vnodes as an unsigned number, 0 standing for 2^64 */
    private static long spacing(int vnodes) {
        long floor = Long.divideUnsigned(-1L, vnodes);
        return Long.remainderUnsigned(-1L, vnodes) == vnodes - 1 ? floor + 1 : floor;
    }

    /**
     * @return the point {@code 1 / parts} into the widest gap between ring tokens folded modulo {@code spacing},
     *     measured from the ring's start
     */
    private static long nextLatticePoint(Ring ring, long spacing, int parts) {
        long[] folded = new long[ring.tokenCount()];
        for (int i = 0; i < folded.length; i++) {
            long fromStart = ring.token(i) - Long.MIN_VALUE;
            folded[i] = (spacing == 0 ? fromStart : Long.remainderUnsigned(fromStart, spacing)) ^ Long.MIN_VALUE;
        }
        Arrays.sort(folded);
        long bestStart = folded[folded.length - 1] ^ Long.MIN_VALUE;
        long bestWidth = spacing - bestStart + (folded[0] ^ Long.MIN_VALUE);
        for (int i = 1; i < folded.length; i++) {
            long width = (folded[i] ^ Long.MIN_VALUE) - (folded[i - 1] ^ Long.MIN_VALUE);
            if (Long.compareUnsigned(width, bestWidth) > 0) {
                bestWidth = width;
                bestStart = folded[i - 1] ^ Long.MIN_VALUE;
            }
        }
        long point = bestStart + (bestWidth == 0 ? Long.divideUnsigned(-1L, parts) : Long.divideUnsigned(bestWidth, parts));
        return spacing == 0 ? point : Long.remainderUnsigned(point, spacing);
    }

    private static long freeToken(Ring ring, long candidate) {
        long token = candidate;
        while (token == Long.MIN_VALUE || ring.hasToken(token)) {
            token++;
        }
        return token;
    }
}
