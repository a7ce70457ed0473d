package io.ringkv.ring.internal;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import java.util.Arrays;

/** Validation, merging and removal on a ring's parallel arrays of sorted tokens and owning node indexes. */
public final class TokenArrays {
    private TokenArrays() {
    }

    /**
     * @return a sorted copy of a joining node's tokens
     * @throws KvException with {@link ErrorCode#INVALID_ARGUMENT} when there are none, one repeats, one is
     *     {@code Long.MIN_VALUE} (the ring's start) or one is already on the ring
     */
    public static long[] checkedJoining(String nodeId, long[] joining, long[] ringTokens) {
        if (joining.length == 0) {
            throw invalid("node " + nodeId + " needs at least one token");
        }
        long[] sorted = joining.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++) {
            checkToken(nodeId, sorted[i]);
            if (i > 0 && sorted[i] == sorted[i - 1]) {
                throw invalid("node " + nodeId + " lists token " + sorted[i] + " twice");
            }
            if (Arrays.binarySearch(ringTokens, sorted[i]) >= 0) {
                throw invalid("token " + sorted[i] + " of node " + nodeId + " is already on the ring");
            }
        }
        return sorted;
    }

    /** @throws KvException when {@code token} is the reserved ring start */
    public static void checkToken(String nodeId, long token) {
        if (token == Long.MIN_VALUE) {
            throw invalid("node " + nodeId + " has token Long.MIN_VALUE, which is reserved as the ring's start");
        }
    }

    /** @return node indexes at or above {@code from} moved up by {@code shift} (which may be negative) */
    public static int[] shiftOwners(int[] owners, int from, int shift) {
        int[] shifted = owners.clone();
        for (int i = 0; i < shifted.length; i++) {
            if (shifted[i] >= from) {
                shifted[i] += shift;
            }
        }
        return shifted;
    }

    /**
     * Merges {@code added} (sorted, disjoint from {@code tokens}) owned by {@code addedOwner} into the ring's
     * arrays; writes the merged tokens to {@code outTokens} and owners to {@code outOwners}.
     */
    public static void merge(long[] tokens, int[] owners, long[] added, int addedOwner,
                             long[] outTokens, int[] outOwners) {
        int i = 0;
        int j = 0;
        for (int k = 0; k < outTokens.length; k++) {
            if (j == added.length || (i < tokens.length && tokens[i] < added[j])) {
                outTokens[k] = tokens[i];
                outOwners[k] = owners[i++];
            } else {
                outTokens[k] = added[j++];
                outOwners[k] = addedOwner;
            }
        }
    }

    /** @return how many entries of {@code owners} equal {@code owner} */
    public static int count(int[] owners, int owner) {
        int count = 0;
        for (int o : owners) {
            if (o == owner) {
                count++;
            }
        }
        return count;
    }

    private static KvException invalid(String message) {
        return new KvException(ErrorCode.INVALID_ARGUMENT, message);
    }
}
