package io.ringkv.ring.internal;

/** Sums, per node, the share of the ring it owns as primary replica or as any of the N replicas. */
public final class Ownership {
    private Ownership() {
    }

    /** @return per node index, the fraction of the ring whose first replica it is */
    public static double[] primary(long[] tokens, int[] owners, int nodeCount) {
        double[] shares = new double[nodeCount];
        for (int i = 0; i < tokens.length; i++) {
            shares[owners[i]] += rangeFraction(tokens, i);
        }
        return shares;
    }

    /** @return per node index, the fraction of the ring it holds a replica of; sums to {@code replicaCount} */
    public static double[] replicated(long[] tokens, int[] replicas, int replicaCount, int nodeCount) {
        double[] shares = new double[nodeCount];
        for (int i = 0; i < tokens.length; i++) {
            double fraction = rangeFraction(tokens, i);
            for (int r = 0; r < replicaCount; r++) {
                shares[replicas[i * replicaCount + r]] += fraction;
            }
        }
        return shares;
    }

    /** @return the fraction of the ring in the range that ends at {@code tokens[index]} */
    public static double rangeFraction(long[] tokens, int index) {
        long start = tokens[index == 0 ? tokens.length - 1 : index - 1];
        return TokenMath.fraction(start, tokens[index]);
    }
}
