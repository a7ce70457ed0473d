package io.ringkv.replication;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.Key;
import io.ringkv.api.KvException;
import io.ringkv.storage.StorageEngine;

/**
 * An engine on a full disk: every write is refused with {@code DISK_FULL}, reads are served from what it holds, until
 * {@link #free()} makes room.
 */
final class FullDiskEngine extends io.ringkv.sim.ForwardingEngine {
    static final String REFUSAL = "disk full: the data directory /data has 12 KiB free, writes need at least 64.0 MiB";

    private volatile boolean full = true;

    FullDiskEngine(StorageEngine held) {
        super(held);
    }

    /** Why writes are refused while full: {@code DISK_FULL}, or another code to stand for another failure. */
    private volatile ErrorCode refusal = ErrorCode.DISK_FULL;

    /** Space was freed: writes go through from now on. */
    void free() {
        full = false;
    }

    /** The disk is full again: writes are refused from now on. */
    void fill() {
        full = true;
    }

    /** From now on writes are refused with {@code code} (a storage failure that is not a full disk, say). */
    void refuseWith(ErrorCode code) {
        refusal = code;
    }

    /** The one key whose writes are refused while full (null: every key). */
    private volatile Key onlyKey;

    /** From now on only writes of {@code key} are refused (a key at its sibling limit, say). */
    void refuseOnly(Key key) {
        onlyKey = key;
    }

    @Override
    public void put(long token, Key key, byte[] version, byte[] value) {
        refuseWhileFull(key);
        super.put(token, key, version, value);
    }

    @Override
    public void delete(long token, Key key, byte[] version) {
        refuseWhileFull(key);
        super.delete(token, key, version);
    }

    private void refuseWhileFull(Key key) {
        Key only = onlyKey;
        if (full && (only == null || only.equals(key))) {
            throw new KvException(refusal, refusal == ErrorCode.DISK_FULL ? REFUSAL : "the engine failed");
        }
    }
}
