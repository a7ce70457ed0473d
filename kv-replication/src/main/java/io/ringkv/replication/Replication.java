package io.ringkv.replication;

import io.ringkv.api.ConflictResolver;
import io.ringkv.api.ErrorCode;
import io.ringkv.api.HybridClock;
import io.ringkv.api.KvException;
import io.ringkv.api.NodeContext;
import io.ringkv.api.NodeId;
import io.ringkv.api.SiblingSet;
import io.ringkv.replication.internal.Message;
import io.ringkv.replication.internal.MessageCodec;
import io.ringkv.replication.internal.Metrics;
import io.ringkv.replication.internal.WriteOutcome;
import io.ringkv.ring.Partitioner;
import io.ringkv.ring.Ring;
import io.ringkv.storage.RecordListener;
import io.ringkv.storage.StorageStage;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import org.agrona.DirectBuffer;

/**
 * One node's replication: its {@link Coordinator}, its {@link Replica}, one hybrid clock shared by both, and the
 * handler of the replication schema (id {@link #SCHEMA_ID}) registered with the node's transport. A message that
 * cannot be decoded, or whose token does not match its key, is dropped and counted; nothing a peer sends is
 * thrown out of the handler. I/O-free: everything goes through the {@link NodeContext}. Agent thread only.
 */
public final class Replication {
    /** The SBE schema id of replication messages. */
    public static final int SCHEMA_ID = MessageCodec.SCHEMA_ID;

    private final NodeContext context;
    private final Metrics metrics;
    private final HybridClock hybridClock;
    private final MessageCodec codec;
    private final Replica replica;
    private final Coordinator coordinator;
    private final HintedHandoff hints;
    private final ScanCoordinator scans;
    private final io.ringkv.api.Limits replicationLimits;
    private final long tombstoneGraceMillis;
    private volatile BooleanSupplier purgesHeld = () -> false;
    private BooleanSupplier serving = () -> true;

    /**
     * Registers the replication handler with {@code context.transport()}.
     *
     * @param context the node's runtime
     * @param ring the cluster's ring (static membership)
     * @param stage this node's storage stage, over its store opened with {@link ReplicationConfig#storageLimits()}:
     *     every replica read and write runs there, never on the agent thread
     * @param hintStage this node's hint storage stage, over an engine of its own opened with
     *     {@link #hintLimits(ReplicationConfig)}: hints are written, read and deleted there
     * @param liveness which replicas to count on
     * @param config the cluster's settings; its resolver is looked up by name
     * @param hintConfig sloppy quorum and hinted handoff settings
     * @param generation this run's generation: greater than every earlier run's of this node id, whatever its data
     *     directory kept (the node's persisted generation, epoch seconds); the dots it issues are new because of it
     * @throws KvException with {@link ErrorCode#UNKNOWN_PLUGIN} when no resolver has the configured name
     * @throws IllegalArgumentException when the generation is negative or too large for the dot counters
     */
    public Replication(NodeContext context, Ring ring, StorageStage stage, StorageStage hintStage,
                       LivenessView liveness, ReplicationConfig config, HintConfig hintConfig, long generation) {
        this(context, ring, stage, hintStage, liveness, config, hintConfig, generation, RecordListener.NONE);
    }

    /**
     * As {@link #Replication(NodeContext, Ring, StorageStage, StorageStage, LivenessView, ReplicationConfig,
     * HintConfig, long)}, telling {@code listener} of every record written to the data store (replica writes, repair
     * merges, delivered hints all go through this node's replica), with the record it replaced.
     *
     * @param listener called on the storage thread right after each engine write; must be thread-safe and not block
     */
    public Replication(NodeContext context, Ring ring, StorageStage stage, StorageStage hintStage,
                       LivenessView liveness, ReplicationConfig config, HintConfig hintConfig, long generation,
                       RecordListener listener) {
        this(context, ring, stage, hintStage, liveness, config, hintConfig, ConflictResolvers.named(config.resolver()),
            generation, listener);
    }

    private Replication(NodeContext context, Ring ring, StorageStage stage, StorageStage hintStage,
                        LivenessView liveness, ReplicationConfig config, HintConfig hintConfig,
                        ConflictResolver resolver, long generation, RecordListener listener) {
        this.context = context;
        this.metrics = new Metrics(context.counters());
        this.hybridClock = new HybridClock(context.clock());
        this.replicationLimits = config.limits();
        this.tombstoneGraceMillis = config.tombstoneGraceMillis();
        this.codec = new MessageCodec(config.limits(), config.maxSiblings(), ReplicationConfig.MAX_MESSAGE_BYTES);
        this.replica = new Replica(context.self(), generation, stage, resolver, config, metrics, listener);
        this.hints = new HintedHandoff(context, hintStage, hintConfig, config, generation, liveness, ring, codec,
            replica);
        this.coordinator = new Coordinator(context, ring, liveness, resolver, config, replica, hybridClock, codec,
            metrics, hints);
        this.scans = new ScanCoordinator(context, coordinator::ring, liveness, replica, codec,
            context.counters().register(ScanCounter.class), config);
        context.transport().register(SCHEMA_ID, this::onMessage);
        hints.start();
    }

    /**
     * @return how the data store's compaction reads a replica record's expiry and what it keeps of an expired one
     *     ({@code EngineConfig.withExpiry}); the hint store has none (a hint is delivered, expired or not, and the
     *     owner's compaction drops it)
     */
    public static io.ringkv.storage.RecordExpiry recordExpiry() {
        return io.ringkv.replication.internal.SiblingCodec.EXPIRY;
    }

    /** @return the limits a node opens its hint engine with: one hint holds a whole sibling set */
    public static io.ringkv.api.Limits hintLimits(ReplicationConfig config) {
        return HintTasks.engineLimits(config);
    }

    /**
     * Merges a peer's stored record of a key (as its engine holds it: anti-entropy's unit) into this replica with
     * the resolver, through the storage stage. A key this replica holds nothing for does not take a tombstone (or a
     * value that expired) older than the tombstone grace ({@link ReplicationConfig#tombstoneGraceMillis()}): other
     * replicas may have purged it, and there is nothing here to delete.
     *
     * @param value the record's value blob, null for a tombstone
     * @param done receives true once the key durably reflects the record; false when the record does not decode
     *     (counted as malformed) or could not be stored
     */
    public void mergeRecord(long token, io.ringkv.api.Key key, byte[] version, byte[] value,
                            java.util.function.Consumer<Boolean> done) {
        mergeRecord(token, key, version, value, done, () -> done.accept(false));
    }

    /**
     * As {@link #mergeRecord(long, io.ringkv.api.Key, byte[], byte[], java.util.function.Consumer)}, with
     * {@code refused} run instead of {@code done} for a record this replica will never take: one that does not
     * decode under its settings (a peer configured with other limits), which no retry would change.
     */
    public void mergeRecord(long token, io.ringkv.api.Key key, byte[] version, byte[] value,
                            java.util.function.Consumer<Boolean> done, Runnable refused) {
        SiblingSet versions;
        try {
            versions = decodeRecord(token, key, version, value);
        } catch (KvException | IllegalArgumentException e) {
            metrics.droppedMalformed.incrementRelease();
            refused.run();
            return;
        }
        if (versions.isEmpty()) {
            done.accept(true);
            return;
        }
        replica.applyRepaired(token, key, versions.versions(), forgetBefore(), outcome -> done.accept(outcome.ok()));
    }

    /**
     * Whether {@link #mergeRecord} into a replica holding nothing for the key would take this record of this node:
     * false for a tombstone (or a value that expired) older than the tombstone grace, which a repair then does not
     * send to a peer holding nothing for the key. A record that does not decode is taken (its receiver judges it).
     *
     * @param value the record's value blob, null for a tombstone
     */
    public boolean takenWhereAbsent(long token, io.ringkv.api.Key key, byte[] version, byte[] value) {
        if (value != null && io.ringkv.replication.internal.SiblingCodec.EXPIRY.expiresAtMillis(version)
            == io.ringkv.api.Version.NEVER) {
            // a stored value with a live sibling that never expires (read from the blob's header, without decoding
            // the set and copying its values: a join streams every record through here)
            return true;
        }
        SiblingSet versions;
        try {
            versions = decodeRecord(token, key, version, value);
        } catch (KvException | IllegalArgumentException e) {
            return true;
        }
        return !ReplicaTasks.allTombstonesBefore(versions.versions(), forgetBefore());
    }

    /** @return the versions a record of an engine holds, as {@link #mergeRecord} reads them */
    private SiblingSet decodeRecord(long token, io.ringkv.api.Key key, byte[] version, byte[] value) {
        if (token != Partitioner.token(key)) {
            throw new KvException(ErrorCode.INVALID_ARGUMENT, "token does not match the key");
        }
        io.ringkv.storage.StorageKey storageKey = new io.ringkv.storage.StorageKey(token, key);
        io.ringkv.storage.StorageRecord record = value == null
            ? io.ringkv.storage.StorageRecord.tombstone(storageKey, version)
            : io.ringkv.storage.StorageRecord.live(storageKey, version, value);
        return io.ringkv.replication.internal.SiblingCodec.decode(record, replicationLimits);
    }

    /**
     * Says when purges are held (see {@link #forgetBefore}): the node's repair history, which holds them while the
     * ring moves or a node keeps leftovers.
     */
    public void purgesHeldWhile(BooleanSupplier held) {
        this.purgesHeld = held;
    }

    /**
     * @return the instant before which a deleted or expired record is past the tombstone grace, on this clock; none
     *     while purges are held. A tombstone past the grace still held then may be what keeps a stale replica's
     *     copy of its value from coming back, and a move hands its ranges to replicas that hold nothing: a join's
     *     or a leave's stream must carry it to them, and they must take it (no replica purges it meanwhile)
     */
    private long forgetBefore() {
        return purgesHeld.getAsBoolean() ? Long.MIN_VALUE : context.clock().wallClockMillis() - tombstoneGraceMillis;
    }

    /** @return this node's hinted handoff (what it holds for whom) */
    public HintedHandoff hints() {
        return hints;
    }

    /** @return the coordinator of SCAN calls */
    public ScanCoordinator scans() {
        return scans;
    }

    /** @return the coordinator clients send requests to */
    public Coordinator coordinator() {
        return coordinator;
    }

    /**
     * Routes later requests by {@code ring} (membership changed). Agent thread only.
     *
     * @param ring the new ring; its replication factor must stay the same
     * @throws IllegalArgumentException when the replication factor changed
     */
    public void updateRing(Ring ring) {
        updateRing(ring, ring);
    }

    /**
     * Sets how long after a ring change reads and writes (R + W > N) also need a quorum of each key's replicas in
     * the ring before it, while other coordinators may still route by it (default 10 s). Agent thread only.
     *
     * @param nanos about ten gossip rounds
     * @throws IllegalArgumentException when negative
     */
    public void previousRingWindow(long nanos) {
        coordinator.previousRingWindow(nanos);
    }

    /**
     * Routes later requests by {@code ring}, and sends writes also to the replicas each key gains in {@code future}
     * (the ring once joining nodes own their tokens and leaving ones are gone), without counting them toward W, so
     * that a node taking over ranges misses no write while it streams them. Agent thread only.
     *
     * @throws IllegalArgumentException when the replication factor changed
     */
    public void updateRing(Ring ring, Ring future) {
        for (Ring next : new Ring[] {ring, future}) {
            if (next.replicationFactor() != coordinator.ring().replicationFactor()) {
                throw new IllegalArgumentException("the ring's replication factor cannot change from "
                    + coordinator.ring().replicationFactor() + " to " + next.replicationFactor());
            }
        }
        coordinator.updateRing(ring, future.equals(ring) ? ring : future);
        hints.updateRing(ring, future.equals(ring) ? ring : future);
    }

    /**
     * Drops, and counts, every request this node gets as a replica or coordinator (writes, reads, hinted writes,
     * forwarded writes, scans) while {@code serving} is false; answers to its own requests still arrive. A node that
     * has not shown itself to the cluster yet (its lifecycle hides it) uses this: members may still take it for an
     * earlier run of its id, whose data it may not hold, and must not count its answers. Agent thread only.
     */
    public void serveOnlyWhile(BooleanSupplier serving) {
        this.serving = Objects.requireNonNull(serving, "serving");
    }

    /**
     * Whether a change of expiry this node coordinates as a replica is marked in its version
     * ({@link io.ringkv.api.Version#expiryChange()}; on by default). A node of an earlier build drops every message
     * carrying a marked version as malformed, so while any member runs one, changes are written unmarked, as such a
     * build writes them (settled by their second rounds only). Agent thread only.
     */
    public void markChangesOfExpiry(boolean mark) {
        replica.markChangesOfExpiry(mark);
    }

    /** @return this node's hybrid clock */
    public HybridClock hybridClock() {
        return hybridClock;
    }

    /** @return a snapshot of the counters */
    public ReplicationCounters counters() {
        return metrics.snapshot();
    }

    private void onMessage(NodeId sender, DirectBuffer buffer, int offset, int length) {
        Message message;
        try {
            message = codec.decode(buffer, offset, length);
            if (message instanceof Message.Write write && write.token() != Partitioner.token(write.key())
                || message instanceof Message.Read read && read.token() != Partitioner.token(read.key())
                || message instanceof Message.Coordinate coordinate
                    && coordinate.token() != Partitioner.token(coordinate.key())
                || message instanceof Message.HintedWrite hinted
                    && hinted.token() != Partitioner.token(hinted.key())) {
                throw new KvException(ErrorCode.INVALID_ARGUMENT, "token does not match the key");
            }
        } catch (KvException | IndexOutOfBoundsException | IllegalArgumentException e) {
            // A peer's bad message is dropped and counted (ARCHITECTURE.md principle 9), never thrown; an SBE enum
            // field out of its range throws IllegalArgumentException from its decoder.
            metrics.droppedMalformed.incrementRelease();
            return;
        }
        // the flag first: a serving node pays one call per message
        if (!serving.getAsBoolean() && (message instanceof Message.Write || message instanceof Message.Read
            || message instanceof Message.HintedWrite || message instanceof Message.Coordinate
            || message instanceof Message.ScanRequest)) {
            metrics.droppedNotServing.incrementRelease();
            return;
        }
        switch (message) {
            case null -> metrics.droppedUnknownTemplate.incrementRelease();
            case Message.Write write -> onWrite(sender, write);
            case Message.Read read -> onRead(sender, read);
            case Message.WriteAck ack when HintedHandoff.isDelivery(ack.correlationId()) -> hints.onAck(sender, ack);
            case Message.WriteAck ack -> coordinator.onReply(sender, ack);
            case Message.HintedWrite hinted -> onHintedWrite(sender, hinted);
            case Message.ReadReply reply -> coordinator.onReply(sender, reply);
            case Message.Coordinate coordinate -> coordinator.onCoordinate(sender, coordinate);
            case Message.CoordinateReply reply -> coordinator.onReply(sender, reply);
            case Message.ScanRequest request -> scans.onRequest(sender, request);
            case Message.ScanReply reply -> scans.onReply(sender, reply);
        }
    }

    private void onWrite(NodeId sender, Message.Write write) {
        // a timestamp far ahead of this node's clock leaves the clock where it is: the write is stored all the same
        // (its coordinator has it already)
        write.versions().forEach(v -> hybridClock.receiveIfPlausible(v.version().timestamp()));
        replica.apply(write.token(), write.key(), write.versions(), outcome -> {
            if (write.correlationId() != 0) {
                int length = codec.encodeAck(write.correlationId(), outcome, hybridClock.current());
                context.transport().send(sender, codec.sendBuffer(), 0, length);
            }
        });
    }

    private void onHintedWrite(NodeId sender, Message.HintedWrite hinted) {
        hinted.versions().forEach(v -> hybridClock.receiveIfPlausible(v.version().timestamp()));
        hints.onHintedWrite(sender, hinted, outcome -> {
            int length = codec.encodeAck(hinted.correlationId(), outcome, hybridClock.current());
            context.transport().send(sender, codec.sendBuffer(), 0, length);
        });
    }

    private void onRead(NodeId sender, Message.Read read) {
        replica.read(read.token(), read.key(), versions -> {
            int length;
            try {
                length = codec.encodeReadReply(read.correlationId(), versions != null,
                    versions == null ? SiblingSet.EMPTY : versions);
            } catch (KvException tooLarge) {
                // a set stored before the size check (or under other settings): the coordinator gets a failure
                metrics.oversizeRefusals.incrementRelease();
                length = codec.encodeReadReply(read.correlationId(), false, SiblingSet.EMPTY);
            }
            context.transport().send(sender, codec.sendBuffer(), 0, length);
        });
    }
}
