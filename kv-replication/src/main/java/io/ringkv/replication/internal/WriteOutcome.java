package io.ringkv.replication.internal;

/** How a replica answered a write: what the coordinator needs to tell the client why a write failed. */
public enum WriteOutcome {
    /** The key durably reflects the write. */
    STORED,
    /**
     * The key durably reflects the write, and also holds versions the write's set does not cover: writes this
     * replica took that the coordinating replica did not hold (a blind write's coordinator then supersedes them too,
     * see {@code Coordinator#put}).
     */
    STORED_BESIDE_OTHERS,
    /** The replica's disk is full (or below its reserve): it refuses writes and still serves reads. */
    DISK_FULL,
    /** Any other storage failure, or the key would exceed its sibling limit. */
    FAILED,
    /** A substitute kept no hint: the owner is past the hint window, or a hint byte cap is reached. */
    HINT_REFUSED;

    /** @return true when the write was stored */
    public boolean ok() {
        return this == STORED || this == STORED_BESIDE_OTHERS;
    }
}
