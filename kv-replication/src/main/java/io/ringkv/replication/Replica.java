package io.ringkv.replication;

import io.ringkv.api.ConflictResolver;
import io.ringkv.api.Dot;
import io.ringkv.api.ErrorCode;
import io.ringkv.api.HybridTimestamp;
import io.ringkv.api.Key;
import io.ringkv.api.KvException;
import io.ringkv.api.NodeId;
import io.ringkv.api.SiblingSet;
import io.ringkv.api.Value;
import io.ringkv.api.VectorClock;
import io.ringkv.api.Version;
import io.ringkv.api.Versioned;
import io.ringkv.replication.internal.Metrics;
import io.ringkv.replication.internal.WriteOutcome;
import io.ringkv.storage.StorageCompletion;
import io.ringkv.storage.StorageStage;
import io.ringkv.storage.StorageTask;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The replica side, on the agent thread: a key's versions live in one storage record, and every read and write of
 * it runs as a task on the node's {@link StorageStage} ({@link ReplicaTasks}), never on the agent thread. A write is
 * resolved against what the key holds and stored; its completion, and so its acknowledgement, comes only after a
 * force covers it, so an acknowledged write survives a crash. Applying the same write twice changes nothing. As the
 * coordinating replica of a client's write it also issues the write's dot ({@link #coordinate}): every dot this
 * node id issues is new for the key, across restarts and whatever the key's stored state lost (pruned pasts, purged
 * tombstones, a wiped data directory), because its counter never falls below a floor taken from the node's
 * generation plus the dots this incarnation reserved. Agent thread only; the completions it is given run there too.
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
    /** Changes of expiry coordinated here are marked in their versions (see {@link Replication#markChangesOfExpiry}). */
    private boolean markChanges = true;
    private long reserved;
    private final StorageStage stage;
    private final ReplicaTasks.Settings settings;
    private final Metrics metrics;
    private String lastRefusal = "";

    /**
     * @param generation this incarnation's generation, greater than every earlier incarnation's of this node id,
     *     0 to {@link #MAX_GENERATION}
     * @param listener told, on the storage thread, of every record this replica writes and the one it replaced
     * @throws IllegalArgumentException when the generation is out of range
     */
    Replica(NodeId self, long generation, StorageStage stage, ConflictResolver resolver, ReplicationConfig config,
            Metrics metrics, io.ringkv.storage.RecordListener listener) {
        if (generation < 0 || generation > MAX_GENERATION) {
            throw new IllegalArgumentException("the generation must be 0 to " + MAX_GENERATION + ", was "
                + generation);
        }
        this.self = self;
        this.dotFloor = generation << SEQUENCE_BITS;
        this.stage = stage;
        this.settings = new ReplicaTasks.Settings(resolver, config.limits(), config.maxSiblings(),
            config.maxClockEntries(), listener);
        this.metrics = metrics;
    }

    /**
     * Reads the key's versions on the storage stage.
     *
     * @param done receives the versions (empty when none), or null when storage failed or the stage was full
     *     (counted); called on the agent thread, before this method returns when the stage is full
     */
    void read(long token, Key key, Consumer<SiblingSet> done) {
        boolean queued = stage.read(token, engine -> ReplicaTasks.read(engine, token, key, settings.limits()),
            (versions, failure) -> {
                if (failure != null) {
                    metrics.storageFailures.incrementRelease();
                }
                done.accept(versions);
            });
        if (!queued) {
            metrics.storageStageFull.incrementRelease();
            done.accept(null);
        }
    }

    /**
     * Reads a page of the live keys after a position on the storage stage (see {@link ScanTasks#page}).
     *
     * @param nowMillis this node's wall clock: keys whose every value expired by then are left out
     *
     * @param done receives the page, or null when storage failed or the stage was full (counted); called on the
     *     agent thread, before this method returns when the stage is full
     */
    void scan(long token, Key afterKey, long endToken, int maxKeys, int keyBudget, long nowMillis,
              Consumer<ScanTasks.Page> done) {
        // a scan: it answers after every earlier write's force, so a page never lists data a crash could take back
        boolean queued = stage.scan(endToken,
            engine -> ScanTasks.page(engine, token, afterKey, endToken, maxKeys, keyBudget, nowMillis),
            (page, failure) -> {
                if (failure != null) {
                    metrics.storageFailures.incrementRelease();
                }
                done.accept(failure != null ? null : page);
            });
        if (!queued) {
            metrics.storageStageFull.incrementRelease();
            done.accept(null);
        }
    }

    /**
     * Resolves {@code incoming} (a coordinator's sibling set, or a read repair's) into the key's versions and makes
     * the result durable.
     *
     * @param done receives {@code STORED} when the key now durably reflects {@code incoming} (kept or superseded),
     *     {@code STORED_BESIDE_OTHERS} when it also holds versions {@code incoming} does not cover;
     *     {@code DISK_FULL} when the engine refused the write for lack of space (see {@link #lastRefusal()});
     *     {@code FAILED} when storage failed otherwise, the stage was full or the key would exceed its sibling limit
     *     (all counted)
     */
    void apply(long token, Key key, List<Versioned> incoming, Consumer<WriteOutcome> done) {
        write(token, engine -> ReplicaTasks.apply(engine, token, key, incoming, settings),
            stored -> holdsBeyond(stored.state(), incoming), done);
    }

    /** @return true when {@code state} holds a version {@code incoming} does not (a handful of versions each) */
    private static boolean holdsBeyond(SiblingSet state, List<Versioned> incoming) {
        for (Versioned held : state.versions()) {
            boolean sent = false;
            for (Versioned in : incoming) {
                sent |= in.version().equals(held.version());
            }
            if (!sent) {
                return true;
            }
        }
        return false;
    }

    /**
     * Like {@link #apply}, for a record a repair brought: a key this replica holds nothing for does not take a
     * tombstone written, or a value that expired, before {@code forgetBeforeMillis} (see
     * {@link ReplicaTasks#applyRepaired}).
     */
    void applyRepaired(long token, Key key, List<Versioned> incoming, long forgetBeforeMillis,
                       Consumer<WriteOutcome> done) {
        write(token, engine -> ReplicaTasks.applyRepaired(engine, token, key, incoming, forgetBeforeMillis, settings),
            stored -> false, done);
    }

    /** @param beside whether a stored result holds versions beyond the write ({@code STORED_BESIDE_OTHERS}) */
    private void write(long token, StorageTask<ReplicaTasks.Stored> task, Predicate<ReplicaTasks.Stored> beside,
                       Consumer<WriteOutcome> done) {
        boolean queued = stage.write(token, task, (stored, failure) -> {
            WriteOutcome outcome = failure != null ? refused(failure) : counted(stored);
            done.accept(outcome == WriteOutcome.STORED && beside.test(stored) ? WriteOutcome.STORED_BESIDE_OTHERS
                : outcome);
        });
        if (!queued) {
            metrics.storageStageFull.incrementRelease();
            done.accept(WriteOutcome.FAILED);
        }
    }

    /**
     * Coordinates a client's write as this replica: issues its dot, resolves it into the key's versions and makes
     * the result durable, before anyone else sees the dot (see {@link Version}).
     *
     * @param value the value, null for a delete
     * @param expiry what the write does to the key's expiry (resolved here, against the write's timestamp)
     * @param past the versions the write supersedes (the client's context, pruned); null for a blind write, which
     *     supersedes every version this replica holds
     * @param done receives the new version and the key's resolved versions now stored (which go to the other
     *     replicas), {@link ReplicaTasks.Coordinated#NOTHING} when a change of expiry found the value gone, or why
     *     nothing was stored: {@code DISK_FULL} (see {@link #lastRefusal()}),
     *     {@code STORAGE_FAILURE} (storage failed, or the key would exceed its sibling limit),
     *     {@code INVALID_ARGUMENT} (the key's counters leave no next dot), {@code UNAVAILABLE} (the storage stage is
     *     full); all counted
     */
    void coordinate(long token, Key key, Value value, io.ringkv.api.Expiry expiry, VectorClock past,
                    HybridTimestamp readLatest, HybridTimestamp timestamp, long nowMillis,
                    StorageCompletion<ReplicaTasks.Coordinated> done) {
        long counter;
        try {
            counter = Math.addExact(dotFloor, ++reserved);
        } catch (ArithmeticException e) {
            metrics.contextsRefused.incrementRelease();
            done.complete(null, new KvException(ErrorCode.INVALID_ARGUMENT, "node " + self
                + " has issued every dot its generation allows; restart it"));
            return;
        }
        boolean mark = markChanges;
        boolean queued = stage.write(token,
            engine -> ReplicaTasks.coordinate(engine, token, key, value, expiry, past, readLatest, timestamp,
                nowMillis, self, counter, mark, settings),
            (coordinated, failure) -> {
                if (failure != null) {
                    refused(failure);
                    if (failure.code() == ErrorCode.INVALID_ARGUMENT) {
                        metrics.contextsRefused.incrementRelease();
                    }
                    done.complete(null, failure);
                } else if (coordinated == ReplicaTasks.Coordinated.NOTHING) {
                    done.complete(coordinated, null);
                } else if (coordinated.stored().change() == ReplicaTasks.Change.SIBLING_LIMIT) {
                    counted(coordinated.stored());
                    done.complete(null, siblingLimit());
                } else if (coordinated.stored().change() == ReplicaTasks.Change.TOO_LARGE) {
                    counted(coordinated.stored());
                    done.complete(null, tooLarge());
                } else {
                    counted(coordinated.stored());
                    metrics.clockEntriesPruned.addRelease(coordinated.prunedEntries());
                    done.complete(coordinated, null);
                }
            });
        if (!queued) {
            metrics.storageStageFull.incrementRelease();
            done.complete(null, new KvException(ErrorCode.UNAVAILABLE, "node " + self.value()
                + " is overloaded: its storage queue is full; retry later"));
        }
    }

    /** Agent thread: see {@link Replication#markChangesOfExpiry}. */
    void markChangesOfExpiry(boolean mark) {
        markChanges = mark;
    }

    private KvException siblingLimit() {
        return new KvException(ErrorCode.STORAGE_FAILURE, "the key would hold more than " + settings.maxSiblings()
            + " concurrent versions, the limit; write with a context that covers the current siblings");
    }

    private static KvException tooLarge() {
        return new KvException(ErrorCode.VALUE_TOO_LARGE, "the key's versions would not fit one "
            + ReplicationConfig.MAX_MESSAGE_BYTES + "-byte replication message; nothing was written");
    }

    private WriteOutcome counted(ReplicaTasks.Stored stored) {
        switch (stored.change()) {
            case WRITTEN -> metrics.replicaWrites.incrementRelease();
            case UNCHANGED -> metrics.replicaUnchangedWrites.incrementRelease();
            case SIBLING_LIMIT -> {
                metrics.siblingLimitRejections.incrementRelease();
                return WriteOutcome.FAILED;
            }
            case TOO_LARGE -> {
                metrics.oversizeRefusals.incrementRelease();
                return WriteOutcome.FAILED;
            }
        }
        return WriteOutcome.STORED;
    }

    private WriteOutcome refused(KvException failure) {
        if (failure.code() == ErrorCode.DISK_FULL) {
            metrics.diskFullRefusals.incrementRelease();
            lastRefusal = failure.getMessage();
            return WriteOutcome.DISK_FULL;
        }
        if (failure.code() != ErrorCode.INVALID_ARGUMENT) {
            metrics.storageFailures.incrementRelease();
        }
        return WriteOutcome.FAILED;
    }

    /** @return the engine's words for the last write refused for a full disk (how much is free, how much needed) */
    String lastRefusal() {
        return lastRefusal;
    }
}
