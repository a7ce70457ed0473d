package io.ringkv.storage;

/**
 * Told of every change its owner makes to a key's record in an engine, right after the engine took the change, on
 * the storage thread that made it. The writer already holds the record it replaced (it read it to resolve the
 * write), so a listener learns both sides without another read. Anti-entropy's live hash trees listen this way.
 *
 * <p>Implementations run on storage threads, possibly several at once: they must be thread-safe, must not block
 * and must not throw (a throw would fail a write the engine already took).
 */
@FunctionalInterface
public interface RecordListener {
    /** A listener that ignores every change. */
    RecordListener NONE = (before, after) -> {
    };

    /**
     * @param before the record the key held before the change, null when it held none
     * @param after the record the key holds now (possibly a tombstone), null when the key is gone altogether
     *     (e.g. a tombstone purged)
     */
    void replaced(StorageRecord before, StorageRecord after);
}
