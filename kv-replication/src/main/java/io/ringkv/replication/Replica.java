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
 * of a client's write it also issues the write's dot ({@link #coordinate}): every dot this node id issues is new for
 * the key, across restarts and whatever the key's stored state lost (pruned pasts, purged tombstones, a wiped data
 * directory), because its counter never falls below a floor taken from the node's generation. Agent thread only.
 */
public final class Replica {
    /**
     * Bits of a dot counter below the generation: an incarnation issues dots from {@code generation << 24} up. The
     * next incarnation's generation (epoch seconds, persisted, always greater) is at least this one's plus its uptime
     * in seconds, so an incarnation would need more than 16 million writes per second of uptime, on average, to
     * reach the next one's floor.
     */
    static final int SEQUENCE_BITS = 24;
    /** The largest generation accepted: its floor stays below {@link Dot#MAX_COUNTER}. */
    static final long MAX_GENERATION = (Dot.MAX_COUNTER >> SEQUENCE_BITS) - 1;

    private final NodeId self;
    private final long dotFloor;
    private long issued;
    private final StorageEngine engine;
    private final ConflictResolver resolver;
    private final Limits limits;
    private final int maxSiblings;
    private final Metrics metrics;
    private String lastRefusal = "";

    /**
     * @param generation this incarnation's generation, greater than every earlier incarnation's of this node id,
     *     0 to {@link #MAX_GENERATION}
     * @throws IllegalArgumentException when the generation is out of range
     */
    Replica(NodeId self, long generation, StorageEngine engine, ConflictResolver resolver, ReplicationConfig config,
            Metrics metrics) {
        if (generation < 0 || generation > MAX_GENERATION) {
            throw new IllegalArgumentException("the generation must be 0 to " + MAX_GENERATION + ", was "
                + generation);
        }
        this.self = self;
        this.dotFloor = generation << SEQUENCE_BITS;
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
     * the result durable, before anyone else sees the dot. The dot's counter exceeds every counter of {@code self}
     * among the key's stored dots and pasts and {@code past}, and every counter this node id issued before, in this
     * incarnation or an earlier one (see {@link Version}): so it is never issued twice for a key, even when nothing
     * stored for the key mentions this node any more.
     *
     * @param value the value, null for a delete
     * @param past the versions the write supersedes (the client's context, pruned)
     * @return the new version and the key's resolved versions now stored, which go to the other replicas
     * @throws KvException with {@code DISK_FULL} when the engine refused the write for lack of space (see
     *     {@link #lastRefusal()}), {@code STORAGE_FAILURE} when storage failed otherwise or the key would exceed
     *     its sibling limit, {@code INVALID_ARGUMENT} when the key's counters leave no next dot (all counted);
     *     nothing was stored then
     */
    Coordinated coordinate(long token, Key key, Value value, VectorClock past, HybridTimestamp timestamp) {
        SiblingSet current = readCounted(token, key);
        Dot dot = new Dot(self, nextCounter(Math.max(highestCounter(current), past.counter(self))));
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

    /**
     * @return the next dot's counter: above {@code keyHighest} and above every counter this node issued before (its
     *     generation's floor plus the dots this incarnation issued), so that a counter the key's stored state no
     *     longer records is never issued again
     */
    private long nextCounter(long keyHighest) {
        try {
            long counter = Math.max(Math.addExact(keyHighest, 1), Math.addExact(dotFloor, issued + 1));
            issued++;
            return counter;
        } catch (ArithmeticException e) {
            // unreachable from clients (contexts above Dot.MAX_COUNTER are refused); refused, never thrown as a bug
            metrics.contextsRefused++;
            throw new KvException(ErrorCode.INVALID_ARGUMENT, "the key's causal history holds counter " + keyHighest
                + " for node " + self + ", and no further dot of that node fits");
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
