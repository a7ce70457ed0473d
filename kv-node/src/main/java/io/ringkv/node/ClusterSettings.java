package io.ringkv.node;

import io.ringkv.api.Consistency;
import io.ringkv.api.ConsistencyLevel;
import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import java.util.Objects;

/**
 * What every node of a cluster must agree on: replication factor and default quorums, the conflict resolver, the
 * virtual nodes per node, and the storage engine each node opens.
 *
 * @param replicationFactor N; 0 means 3 in a cluster, 1 for a standalone node
 * @param reads R; 0 means a quorum of N
 * @param writes W; 0 means a quorum of N
 * @param resolver conflict resolver by name: {@code vector-clock} (default) or {@code lww}
 * @param engine storage engine by name (default {@code lsm}; {@code rocksdb} and {@code memory} are the others
 *     shipped)
 * @param vnodes virtual nodes per node (default 16)
 * @param requestTimeoutMillis how long a coordinator waits for R or W replies (default 1000)
 */
public record ClusterSettings(int replicationFactor, int reads, int writes, String resolver, String engine,
                              int vnodes, long requestTimeoutMillis) {
    /** The defaults. */
    public static final ClusterSettings DEFAULT = new ClusterSettings(0, 0, 0, "vector-clock", "lsm", 16, 1000);

    /** @throws KvException with {@code INVALID_CONFIGURATION} naming the bad setting */
    public ClusterSettings {
        Objects.requireNonNull(resolver, "resolver");
        Objects.requireNonNull(engine, "engine");
        if (replicationFactor < 0 || replicationFactor > Consistency.MAX_REPLICATION_FACTOR) {
            throw invalid("replication factor must be 1–" + Consistency.MAX_REPLICATION_FACTOR + " (or 0 for the default), was "
                + replicationFactor);
        }
        if (vnodes < 1 || vnodes > 4096) {
            throw invalid("vnodes must be 1–4096, was " + vnodes);
        }
        if (requestTimeoutMillis < 1 || requestTimeoutMillis > 600_000) {
            throw invalid("request timeout must be 1–600000 ms, was " + requestTimeoutMillis);
        }
    }

    /**
     * @param standalone true for a node without seeds, a cluster of one
     * @return N, R and W, validated. While a cluster has fewer nodes than N, every key lives on all of them and R
     *     and W still count against N's quorum.
     * @throws KvException with {@code INVALID_CONSISTENCY} when R or W exceed N, or N exceeds 1 on a standalone
     *     node
     */
    public Consistency consistency(boolean standalone) {
        int n = replicationFactor > 0 ? replicationFactor : standalone ? 1 : 3;
        if (standalone && n > 1) {
            throw invalid("replication factor " + n + " needs a cluster; a node without --seeds keeps one replica");
        }
        int r = reads > 0 ? reads : ConsistencyLevel.QUORUM.replicasFor(n);
        int w = writes > 0 ? writes : ConsistencyLevel.QUORUM.replicasFor(n);
        return new Consistency(n, r, w);
    }

    private static KvException invalid(String message) {
        return new KvException(ErrorCode.INVALID_CONFIGURATION, message);
    }
}
