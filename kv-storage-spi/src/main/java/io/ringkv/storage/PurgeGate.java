package io.ringkv.storage;

/**
 * Whether a tombstone past its grace period may be dropped for good. Engines that purge tombstones (the
 * {@code lsm} engine's compaction) ask it for each tombstone whose grace has passed, from their own threads, so an
 * implementation must be safe to call from any thread and must not block.
 *
 * <p>The node answers from its repair history: a tombstone may go only once a repair that covered every replica of
 * its range began after the tombstone was written here, so no replica that missed the delete can bring the key
 * back. Stores whose tombstones no other node could resurrect (the hint store) use {@link #GRACE_ONLY}.
 */
@FunctionalInterface
public interface PurgeGate {
    /** Purges every tombstone past its grace: the rule for stores no replica repairs against. */
    PurgeGate GRACE_ONLY = (token, writeMillis) -> true;

    /**
     * @param token the tombstone's ring token
     * @param writeMillis wall-clock milliseconds when this node wrote the tombstone
     * @return true when the tombstone may be dropped
     */
    boolean mayPurge(long token, long writeMillis);
}
