package io.ringkv.api;

import java.util.Locale;

/**
 * Named consistency levels: how many of the N replicas must answer a read or acknowledge a write.
 */
public enum ConsistencyLevel {
    /** One replica: the fastest, eventually consistent. */
    ONE,
    /** A majority, {@code N / 2 + 1}: with QUORUM reads and writes a read sees every acknowledged write. */
    QUORUM,
    /** Every replica: no read or write succeeds while any replica is down. */
    ALL;

    /**
     * @param replicationFactor N, at least 1
     * @return how many replicas this level requires out of {@code replicationFactor}
     */
    public int replicasFor(int replicationFactor) {
        if (replicationFactor < 1) {
            throw new KvException(ErrorCode.INVALID_CONSISTENCY,
                "replication factor N must be at least 1, was " + replicationFactor);
        }
        return switch (this) {
            case ONE -> 1;
            case QUORUM -> replicationFactor / 2 + 1;
            case ALL -> replicationFactor;
        };
    }

    /**
     * Parses a level name, ignoring case.
     *
     * @throws KvException with {@link ErrorCode#INVALID_CONSISTENCY} naming the accepted levels
     */
    public static ConsistencyLevel parse(String name) {
        if (name != null) {
            for (ConsistencyLevel level : values()) {
                if (level.name().equals(name.trim().toUpperCase(Locale.ROOT))) {
                    return level;
                }
            }
        }
        throw new KvException(ErrorCode.INVALID_CONSISTENCY,
            "unknown consistency level " + NodeId.quote(name) + "; expected ONE, QUORUM or ALL");
    }
}
