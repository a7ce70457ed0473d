package io.ringkv.replication;

import io.ringkv.api.ConflictResolver;
import io.ringkv.api.ErrorCode;
import io.ringkv.api.Key;
import io.ringkv.api.KvException;
import io.ringkv.api.Limits;
import io.ringkv.api.SiblingSet;
import io.ringkv.api.Versioned;
import io.ringkv.replication.internal.Metrics;
import io.ringkv.replication.internal.SiblingCodec;
import io.ringkv.replication.internal.WriteOutcome;
import io.ringkv.ring.Partitioner;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageRecord;
import java.util.ArrayList;
import java.util.List;

/**
 * The replica side: a key's versions live in one storage record (see {@link SiblingCodec} for the format). A write
 * is resolved against what the key holds, written, and flushed before {@link #apply} returns true, so an
 * acknowledged write survives a crash. Applying the same write twice changes nothing. Agent thread only.
 */
public final class Replica {
    private final StorageEngine engine;
    private final ConflictResolver resolver;
    private final Limits limits;
    private final int maxSiblings;
    private final Metrics metrics;
    private String lastRefusal = "";

    Replica(StorageEngine engine, ConflictResolver resolver, ReplicationConfig config, Metrics metrics) {
        this.engine = engine;
        this.resolver = resolver;
        this.limits = config.limits();
        this.maxSiblings = config.maxSiblings();
        this.metrics = metrics;
    }

    /** @return what this replica holds for {@code key} (for tests and tools; the protocol reads by token) */
    public SiblingSet read(Key key) {
        return read(Partitioner.token(key), key);
    }

    /**
     * @return the versions held for the key, empty when none
     * @throws KvException with {@code STORAGE_FAILURE} when the engine fails or the record is corrupt
     */
    SiblingSet read(long token, Key key) {
        StorageRecord record = engine.get(token, key);
        return record == null ? SiblingSet.EMPTY : SiblingCodec.decode(record, limits);
    }

    /**
     * Resolves {@code incoming} into the key's versions and makes the result durable.
     *
     * @return {@code STORED} when the key now durably reflects {@code incoming} (kept or superseded);
     *     {@code DISK_FULL} when the engine refused the write for lack of space (see {@link #lastRefusal()});
     *     {@code FAILED} when storage failed otherwise or the key would exceed its sibling limit (all counted)
     */
    WriteOutcome apply(long token, Key key, Versioned incoming) {
        try {
            SiblingSet current = read(token, key);
            List<Versioned> all = new ArrayList<>(current.versions());
            all.add(incoming);
            SiblingSet resolved = resolver.resolve(all);
            if (resolved.equals(current)) {
                metrics.replicaUnchangedWrites++;
                return WriteOutcome.STORED;
            }
            if (resolved.size() > maxSiblings) {
                metrics.siblingLimitRejections++;
                return WriteOutcome.FAILED;
            }
            write(token, key, resolved);
            return WriteOutcome.STORED;
        } catch (KvException e) {
            if (e.code() == ErrorCode.DISK_FULL) {
                metrics.diskFullRefusals++;
                lastRefusal = e.getMessage();
                return WriteOutcome.DISK_FULL;
            }
            metrics.storageFailures++;
            return WriteOutcome.FAILED;
        }
    }

    /** @return the engine's words for the last write refused for a full disk (how much is free, how much needed) */
    String lastRefusal() {
        return lastRefusal;
    }

    private void write(long token, Key key, SiblingSet resolved) {
        byte[] versions = SiblingCodec.encodeVersions(resolved);
        if (resolved.isDeleted()) {
            engine.delete(token, key, versions);
        } else {
            engine.put(token, key, versions, SiblingCodec.encodeValues(resolved));
        }
        // Durable before the ack: the simulated disk (and a real commit log) loses what was not flushed.
        engine.flush();
        metrics.replicaWrites++;
    }
}
