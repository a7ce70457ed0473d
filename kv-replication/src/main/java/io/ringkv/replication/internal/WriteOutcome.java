package io.ringkv.replication.internal;

/** How a replica answered a write: what the coordinator needs to tell the client why a write failed. */
public enum WriteOutcome {
    /** The key durably reflects the write. */
    STORED,
    /** The replica's disk is full (or below its reserve): it refuses writes and still serves reads. */
    DISK_FULL,
    /** Any other storage failure, or the key would exceed its sibling limit. */
    FAILED,
    /** A substitute kept no hint: the owner is past the hint window, or a hint byte cap is reached. */
    HINT_REFUSED;

    /** @return true when the write was stored */
    public boolean ok() {
        return this == STORED;
    }
}
