package io.ringkv.replication;

import io.ringkv.api.ConflictResolver;
import io.ringkv.api.Dot;
import io.ringkv.api.ErrorCode;
import io.ringkv.api.HybridTimestamp;
import io.ringkv.api.NodeId;
import io.ringkv.api.Value;
import io.ringkv.api.VectorClock;
import io.ringkv.api.Version;
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
 * acknowledged write survives a crash. Applying the same write twice changes nothing. As the coordinating replica
 * of a client's write it also issues the write's dot ({@link #coordinate}). Agent thread only.
 */
public final class Replica {
    private final NodeId self;
    private final StorageEngine engine;
    private final ConflictResolver resolver;
    private final Limits limits;
    private final int maxSiblings;
    private final Metrics metrics;
    private String lastRefusal = "";

    Replica(NodeId self, StorageEngine engine, ConflictResolver resolver, ReplicationConfig config, Metrics metrics) {
        this.self = self;
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
     * Resolves {@code incoming} (a coordinator's sibling set, or a read repair's) into the key's versions and makes
     * the result durable.
     *
     * @return {@code STORED} when the key now durably reflects {@code incoming} (kept or superseded);
     *     {@code DISK_FULL} when the engine refused the write for lack of space (see {@link #lastRefusal()});
     *     {@code FAILED} when storage failed otherwise or the key would exceed its sibling limit (all counted)
     */
    WriteOutcome apply(long token, Key key, List<Versioned> incoming) {
        try {
            resolveAndStore(token, key, readCounted(token, key), incoming);
            return WriteOutcome.STORED;
        } catch (KvException e) {
            return e.code() == ErrorCode.DISK_FULL ? WriteOutcome.DISK_FULL : WriteOutcome.FAILED;
        }
    }

    /**
     * Coordinates a client's write as this replica: issues its dot, resolves it into the key's versions and makes
     * the result durable, before anyone else sees the dot. The dot's counter is one more than the highest counter
     * of {@code self} among the key's stored dots and pasts and {@code past}, so a dot is never issued twice for a
     * key while this replica keeps its data (see {@link Version}).
     *
     * @param value the value, null for a delete
     * @param past the versions the write supersedes (the client's context, pruned)
     * @return the new version and the key's resolved versions now stored, which go to the other replicas
     * @throws KvException with {@code DISK_FULL} when the engine refused the write for lack of space (see
     *     {@link #lastRefusal()}), {@code STORAGE_FAILURE} when storage failed otherwise or the key would exceed
     *     its sibling limit (all counted); nothing was stored then
     */
    Coordinated coordinate(long token, Key key, Value value, VectorClock past, HybridTimestamp timestamp) {
        SiblingSet current = readCounted(token, key);
        Dot dot = new Dot(self, Math.max(highestCounter(current), past.counter(self)) + 1);
        Version version = new Version(dot, past, timestamp);
        Versioned written = value == null ? Versioned.tombstone(version) : Versioned.of(version, value);
        return new Coordinated(written, resolveAndStore(token, key, current, List.of(written)));
    }

    /** @param written the client's write @param state the key's versions after it, all of which replicas get */
    record Coordinated(Versioned written, SiblingSet state) {
    }

    private SiblingSet readCounted(long token, Key key) {
        try {
            return read(token, key);
        } catch (KvException e) {
            metrics.storageFailures++;
            throw e;
        }
    }

    private long highestCounter(SiblingSet current) {
        long highest = 0;
        for (Versioned versioned : current.versions()) {
            Version version = versioned.version();
            long own = version.writer().equals(self) ? version.dot().counter() : 0;
            highest = Math.max(highest, Math.max(own, version.past().counter(self)));
        }
        return highest;
    }

    private SiblingSet resolveAndStore(long token, Key key, SiblingSet current, List<Versioned> incoming) {
        List<Versioned> all = new ArrayList<>(current.versions());
        all.addAll(incoming);
        SiblingSet resolved = resolver.resolve(all);
        if (resolved.equals(current)) {
            metrics.replicaUnchangedWrites++;
            return resolved;
        }
        if (resolved.size() > maxSiblings) {
            metrics.siblingLimitRejections++;
            throw new KvException(ErrorCode.STORAGE_FAILURE, "the key would hold " + resolved.size()
                + " concurrent versions, more than the limit of " + maxSiblings
                + "; write with a context that covers the current siblings");
        }
        try {
            write(token, key, resolved);
        } catch (KvException e) {
            if (e.code() == ErrorCode.DISK_FULL) {
                metrics.diskFullRefusals++;
                lastRefusal = e.getMessage();
            } else {
                metrics.storageFailures++;
            }
            throw e;
        }
        return resolved;
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
