package io.ringkv.api;

/**
 * Replication settings of a request or a cluster: N replicas, a read waits for R of them, a write for W.
 * {@code R + W > N} gives read-your-quorum-writes; {@code R = W = 1} is the fast, eventually consistent mode.
 *
 * @param n replication factor, at least 1
 * @param r replies a read waits for, 1 to N
 * @param w acknowledgements a write waits for, 1 to N
 */
public record Consistency(int n, int r, int w) {
    /** Largest replication factor accepted. */
    public static final int MAX_REPLICATION_FACTOR = 16;

    /** The cluster default: N = 3, R = W = 2. */
    public static final Consistency DEFAULT = new Consistency(3, 2, 2);

    /**
     * @throws KvException with {@link ErrorCode#INVALID_CONSISTENCY} unless {@code 1 <= R, W <= N <= 16}
     */
    public Consistency {
        if (n < 1 || n > MAX_REPLICATION_FACTOR) {
            throw invalid("N must be between 1 and " + MAX_REPLICATION_FACTOR + ", was " + n);
        }
        if (r < 1 || r > n) {
            throw invalid("R must be between 1 and N=" + n + ", was " + r);
        }
        if (w < 1 || w > n) {
            throw invalid("W must be between 1 and N=" + n + ", was " + w);
        }
    }

    /** N replicas with reads and writes at the given named levels. */
    public static Consistency of(int n, ConsistencyLevel read, ConsistencyLevel write) {
        return new Consistency(n, read.replicasFor(n), write.replicasFor(n));
    }

    /** @return the same N with reads at {@code level} */
    public Consistency withRead(ConsistencyLevel level) {
        return new Consistency(n, level.replicasFor(n), w);
    }

    /** @return the same N with writes at {@code level} */
    public Consistency withWrite(ConsistencyLevel level) {
        return new Consistency(n, r, level.replicasFor(n));
    }

    /** @return the same N with explicit R and W */
    public Consistency withReadWrite(int reads, int writes) {
        return new Consistency(n, reads, writes);
    }

    /** @return true when every read quorum overlaps every write quorum ({@code R + W > N}) */
    public boolean overlappingQuorums() {
        return r + w > n;
    }

    @Override
    public String toString() {
        return "N=" + n + ",R=" + r + ",W=" + w;
    }

    private static KvException invalid(String message) {
        return new KvException(ErrorCode.INVALID_CONSISTENCY, message);
    }
}
