package io.ringkv.storage.lsm;

/** When the commit log is forced to disk, and whether a write waits for it before it returns. */
public enum SyncPolicy {
    /** Every write returns only after an fsync that covers it; concurrent writers share one fsync. */
    ALWAYS,
    /** Writes wait for the next fsync, which runs a few milliseconds after the first write waiting for it. */
    BATCH,
    /** Writes return at once; the log is forced every interval (Cassandra's default trade-off). */
    PERIODIC
}
