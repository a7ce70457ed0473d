package io.ringkv.storage;

import io.ringkv.api.Key;

/**
 * A node's local store: versioned records kept under (token, key) in token order.
 *
 * <p>Contract every engine meets (the TCK in {@code io.ringkv.storage.tck} checks it):
 * <ul>
 *   <li>a put or delete is visible to every get and scan that starts after it returns;</li>
 *   <li>a delete leaves a tombstone that gets and scans return until the engine's owner purges it;</li>
 *   <li>{@link #scan} visits records in ascending (token, key) order over the range (start, end], wrapping past
 *       {@link Long#MAX_VALUE} to {@link Long#MIN_VALUE} when {@code start >= end}; {@code start == end} is the
 *       whole ring;</li>
 *   <li>readers may run concurrently with one another and with writers;</li>
 *   <li>a key, value or version over the configured limits is rejected with a {@code KvException} and nothing is
 *       stored; any use after {@link #close()} fails with {@code ErrorCode.CLOSED};</li>
 *   <li>unless {@link #isVolatile()}, what was written before {@link #close()} is there after reopening.</li>
 * </ul>
 */
public interface StorageEngine extends AutoCloseable {

    /** @return the name of the provider that opened this engine */
    String name();

    /** @return true when the engine keeps nothing across close and reopen (e.g. {@code memory}) */
    boolean isVolatile();

    /**
     * Stores {@code value} at {@code version} under (token, key), replacing any record there.
     *
     * @param token the key's ring token
     * @param key the key
     * @param version opaque version blob
     * @param value the value
     */
    void put(long token, Key key, byte[] version, byte[] value);

    /**
     * Replaces any record under (token, key) with a tombstone at {@code version}.
     *
     * @param token the key's ring token
     * @param key the key
     * @param version opaque version blob of the delete
     */
    void delete(long token, Key key, byte[] version);

    /**
     * @param token the key's ring token
     * @param key the key
     * @return the record (possibly a tombstone), or null when the engine holds nothing for the key
     */
    StorageRecord get(long token, Key key);

    /**
     * Visits the records whose token lies in (startExclusive, endInclusive] in ring order.
     *
     * @param startExclusive tokens after this one
     * @param endInclusive up to and including this token; {@code == startExclusive} for the whole ring
     * @param visitor receives each record until it returns false
     */
    void scan(long startExclusive, long endInclusive, RecordVisitor visitor);

    /**
     * Drops, for good and without leaving tombstones, every record whose token {@code keep} rejects: the ranges a
     * node no longer replicates once the ring moved ({@code ringkv cleanup}). Records written while it runs are
     * kept. What was dropped stays dropped after close and reopen. It may take long (an engine may rewrite its
     * files): callers run it off the node's agent and storage threads.
     *
     * @param keep true for the tokens whose records stay; called from the calling thread only
     * @return how many records were dropped
     * @throws io.ringkv.api.KvException with {@code INVALID_ARGUMENT} when the engine cannot drop records
     */
    default long dropUnless(java.util.function.LongPredicate keep) {
        throw new io.ringkv.api.KvException(io.ringkv.api.ErrorCode.INVALID_ARGUMENT, "the " + name()
            + " engine cannot drop the ranges a node no longer replicates");
    }

    /**
     * Makes everything written so far durable (a no-op for volatile engines).
     *
     * @throws io.ringkv.api.KvException with {@code DISK_FULL} only when the engine could not write what was applied
     *     for want of space and keeps all of it, so that a later flush that succeeds makes it durable: the storage
     *     stage then holds the writes it should have covered until one does. Any other failure says what was applied
     *     may be lost (an fsync that failed, say): the stage fails those writes as a storage failure (they were
     *     applied, so they cannot be reported as "nothing written")
     */
    void flush();

    /** @return a snapshot of the engine's counters */
    StorageMetrics metrics();

    /** Releases files and memory; idempotent. */
    @Override
    void close();
}
