package io.ringkv.storage.lsm.internal;

import io.ringkv.storage.StorageKey;
import io.ringkv.storage.StorageRecord;

/**
 * A record as the engine keeps it: the stored record, the engine's own sequence number (newest wins when
 * sources merge) and the local time it was written (tombstones become purgeable a grace period after it).
 *
 * @param record the stored record
 * @param seq the engine-wide sequence number of the write
 * @param writeMillis wall-clock time of the write, milliseconds since the epoch
 */
record Entry(StorageRecord record, long seq, long writeMillis) {
    /** Rough heap cost of one memtable entry beyond its bytes: objects, arrays and skip-list nodes. */
    static final int OVERHEAD_BYTES = 160;

    StorageKey key() {
        return record.storageKey();
    }

    /** @return bytes this entry costs a memtable, roughly */
    long memoryBytes() {
        return record.sizeInBytes() + OVERHEAD_BYTES;
    }
}
