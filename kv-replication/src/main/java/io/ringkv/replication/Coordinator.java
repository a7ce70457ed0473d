package io.ringkv.replication;

import io.ringkv.api.CausalContext;
import io.ringkv.api.ConflictResolver;
import io.ringkv.api.Consistency;
import io.ringkv.api.ErrorCode;
import io.ringkv.api.HybridClock;
import io.ringkv.api.Key;
import io.ringkv.api.NodeContext;
import io.ringkv.api.NodeId;
import io.ringkv.api.SiblingSet;
import io.ringkv.api.TimerHandler;
import io.ringkv.api.Value;
import io.ringkv.api.VectorClock;
import io.ringkv.api.Version;
import io.ringkv.api.Versioned;
import io.ringkv.replication.internal.Message;
import io.ringkv.replication.internal.MessageCodec;
import io.ringkv.replication.internal.Metrics;
import io.ringkv.replication.internal.WriteOutcome;
import io.ringkv.ring.Partitioner;
import io.ringkv.ring.PreferenceList;
import io.ringkv.ring.Ring;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Coordinates quorum reads and writes for any key, on any node: the key's first N replicas from the ring, the
 * request to each live one (the local replica directly), the answer after W acknowledgements or R replies.
 * Fails at once with {@code UNAVAILABLE} when fewer than W or R replicas are alive in the {@link LivenessView},
 * with {@code TIMEOUT} when they do not answer within the configured timeout; unanswered replicas are asked again
 * meanwhile. After a read is answered it stays open until every replica replied (or the deadline), and replicas
 * that lack a resolved version are sent it (read repair): bounded, counted, never before the client's answer.
 *
 * <p>Callbacks run on the agent thread, possibly before the call that started the request returns. Requests in
 * flight die with the node: their callbacks are then never called.
 */
public final class Coordinator implements TimerHandler {
    private final NodeContext context;
    private Ring ring;
    private final LivenessView liveness;
    private final ConflictResolver resolver;
    private final ReplicationConfig config;
    private final Replica local;
    private final HybridClock hybridClock;
    private final MessageCodec codec;
    private final Metrics metrics;
    private final Map<Long, PendingRequest> byCorrelation = new HashMap<>();
    private final Map<Long, PendingRequest> byTimer = new HashMap<>();
    private long nextCorrelation;

    Coordinator(NodeContext context, Ring ring, LivenessView liveness, ConflictResolver resolver,
                ReplicationConfig config, Replica local, HybridClock hybridClock, MessageCodec codec,
                Metrics metrics) {
        this.context = context;
        this.ring = ring;
        this.liveness = liveness;
        this.resolver = resolver;
        this.config = config;
        this.local = local;
        this.hybridClock = hybridClock;
        this.codec = codec;
        this.metrics = metrics;
        // A random start keeps a restarted node from matching late replies meant for its previous incarnation.
        this.nextCorrelation = (context.random().nextLong() >>> 2) + 1;
    }

    /** Replaces the ring (membership changed); requests already sent keep their replicas. */
    void updateRing(Ring newRing) {
        this.ring = java.util.Objects.requireNonNull(newRing, "ring");
    }

    /** @return the ring requests are routed by */
    public Ring ring() {
        return ring;
    }

    /** Reads {@code key} at the cluster's consistency. */
    public void get(Key key, GetCallback callback) {
        get(key, config.consistency(), callback);
    }

    /** Reads {@code key}, waiting for {@code consistency.r()} of its first {@code consistency.n()} replicas. */
    public void get(Key key, Consistency consistency, GetCallback callback) {
        long token = Partitioner.token(key);
        NodeId[] targets = liveTargets(token, consistency, consistency.r(), callback::onFailure);
        if (targets == null) {
            metrics.readsFailed++;
            return;
        }
        PendingRead read = new PendingRead(nextCorrelation++, token, key, targets, deadline(), consistency.r(),
            callback);
        track(read);
        int length = codec.encodeRead(read.correlationId, token, key);
        sendToRemotes(read, length);
        if (read.markAnswered(context.self())) {
            onReadReply(read, context.self(), readLocal(token, key));
        }
    }

    /** Writes {@code value} at the cluster's consistency; {@code causalContext} may be null for a blind write. */
    public void put(Key key, Value value, CausalContext causalContext, PutCallback callback) {
        put(key, value, causalContext, config.consistency(), callback);
    }

    /**
     * Writes {@code value}, superseding what {@code causalContext} covers (null: nothing, a blind write), and
     * answers after {@code consistency.w()} replicas made it durable.
     */
    public void put(Key key, Value value, CausalContext causalContext, Consistency consistency,
                    PutCallback callback) {
        write(key, value, causalContext, consistency, callback);
    }

    /** Deletes {@code key} at the cluster's consistency: a tombstone superseding what the context covers. */
    public void delete(Key key, CausalContext causalContext, PutCallback callback) {
        delete(key, causalContext, config.consistency(), callback);
    }

    /** Deletes {@code key}: writes a tombstone that supersedes what {@code causalContext} covers. */
    public void delete(Key key, CausalContext causalContext, Consistency consistency, PutCallback callback) {
        write(key, null, causalContext, consistency, callback);
    }

    /** @return requests in flight, reads kept open for repair included */
    public int pendingRequests() {
        return byCorrelation.size();
    }

    private void write(Key key, Value value, CausalContext causalContext, Consistency consistency,
                       PutCallback callback) {
        long token = Partitioner.token(key);
        NodeId[] targets = liveTargets(token, consistency, consistency.w(), callback::onFailure);
        if (targets == null) {
            metrics.writesFailed++;
            return;
        }
        Version version = stamp(causalContext);
        Versioned versioned = value == null ? Versioned.tombstone(version) : Versioned.of(version, value);
        PendingWrite pending = new PendingWrite(nextCorrelation++, token, key, targets, deadline(), versioned,
            consistency.w(), callback);
        track(pending);
        int length = codec.encodeWrite(pending.correlationId, token, key, versioned);
        sendToRemotes(pending, length);
        if (pending.markAnswered(context.self())) {
            onWriteReply(pending, context.self(), local.apply(token, key, versioned));
        }
    }

    /** The new version: the context's clock with this node's entry incremented, pruned; a fresh hybrid time. */
    private Version stamp(CausalContext causalContext) {
        VectorClock base = causalContext == null ? VectorClock.empty() : causalContext.clock();
        VectorClock incremented = base.incremented(context.self(), context.clock().wallClockMillis());
        VectorClock pruned = incremented.pruned(config.maxClockEntries());
        metrics.clockEntriesPruned += incremented.size() - pruned.size();
        return new Version(pruned, hybridClock.now(), context.self());
    }

    /**
     * @return the live replicas among the key's first N, or null after failing the request (too few alive, N
     *     larger than the ring keeps, too many requests pending)
     */
    private NodeId[] liveTargets(long token, Consistency consistency, int required, FailureSink failure) {
        if (ring.isEmpty()) {
            metrics.unavailable++;
            failure.fail(ErrorCode.UNAVAILABLE, "no node owns ranges of the ring yet (the cluster is forming)");
            return null;
        }
        PreferenceList replicas = ring.preferenceList(token);
        if (consistency.n() > ring.replicationFactor()) {
            failure.fail(ErrorCode.INVALID_CONSISTENCY, "N=" + consistency.n() + " but the ring keeps "
                + ring.replicationFactor() + " replicas per key");
            return null;
        }
        // a ring with fewer nodes than N keeps every key on all of them; R and W still count against N's quorum
        int targets = Math.min(consistency.n(), replicas.size());
        List<NodeId> alive = new ArrayList<>();
        for (int i = 0; i < targets; i++) {
            NodeId node = replicas.get(i).id();
            if (liveness.isAlive(node)) {
                alive.add(node);
            }
        }
        if (alive.size() < required) {
            metrics.unavailable++;
            failure.fail(ErrorCode.UNAVAILABLE, alive.size() + " of the key's " + targets
                + " replicas are alive; the request needs " + required);
            return null;
        }
        if (!makeRoom()) {
            metrics.unavailable++;
            failure.fail(ErrorCode.UNAVAILABLE, "the coordinator already tracks " + byCorrelation.size()
                + " requests, its limit");
            return null;
        }
        return alive.toArray(NodeId[]::new);
    }

    /** Frees a slot by giving up the read repair of an answered read when the tracking limit is reached. */
    private boolean makeRoom() {
        if (byCorrelation.size() < config.maxPendingRequests()) {
            return true;
        }
        Iterator<PendingRequest> pending = byCorrelation.values().iterator();
        while (pending.hasNext()) {
            PendingRequest request = pending.next();
            if (request.isAnswered()) {
                context.timers().cancel(request.timerId);
                byTimer.remove(request.timerId);
                pending.remove();
                metrics.readRepairsSkipped++;
                return true;
            }
        }
        return false;
    }

    private long deadline() {
        return context.clock().monotonicNanos() + config.requestTimeoutNanos();
    }

    private void track(PendingRequest request) {
        byCorrelation.put(request.correlationId, request);
        scheduleNext(request);
    }

    private void scheduleNext(PendingRequest request) {
        long remaining = Math.max(0, request.deadlineNanos - context.clock().monotonicNanos());
        request.timerId = context.timers().schedule(Math.min(remaining, config.retryIntervalNanos()), this);
        byTimer.put(request.timerId, request);
    }

    private void finish(PendingRequest request) {
        byCorrelation.remove(request.correlationId);
        byTimer.remove(request.timerId);
        context.timers().cancel(request.timerId);
    }

    private void sendToRemotes(PendingRequest request, int length) {
        for (int i = 0; i < request.targets.length; i++) {
            if (!request.answered[i] && !request.targets[i].equals(context.self())) {
                context.transport().send(request.targets[i], codec.sendBuffer(), 0, length);
            }
        }
    }

    @Override
    public void onTimer(long timerId) {
        PendingRequest request = byTimer.remove(timerId);
        if (request == null) {
            return;
        }
        if (context.clock().monotonicNanos() >= request.deadlineNanos) {
            onDeadline(request);
            return;
        }
        metrics.retransmits += request.targets.length - request.replies;
        int length = request instanceof PendingWrite write
            ? codec.encodeWrite(write.correlationId, write.token, write.key, write.versioned)
            : codec.encodeRead(request.correlationId, request.token, request.key);
        sendToRemotes(request, length);
        scheduleNext(request);
    }

    private void onDeadline(PendingRequest request) {
        finish(request);
        switch (request) {
            case PendingWrite write -> {
                metrics.timeouts++;
                failWrite(write, ErrorCode.TIMEOUT, write.acks + " of " + write.required
                    + " replicas acknowledged within the timeout");
            }
            case PendingRead read when read.done -> repair(read);
            case PendingRead read -> {
                metrics.timeouts++;
                metrics.readsFailed++;
                read.done = true;
                read.callback.onFailure(ErrorCode.TIMEOUT, read.byReplica.size() + " of " + read.required
                    + " replicas answered within the timeout");
            }
            default -> throw new IllegalStateException("unknown request " + request);
        }
    }

    /** A replica's reply arrived: acks and read replies for requests no longer tracked are counted as late. */
    void onReply(NodeId sender, Message reply) {
        PendingRequest request = byCorrelation.get(reply.correlationId());
        boolean sameKind = reply instanceof Message.WriteAck ? request instanceof PendingWrite
            : reply instanceof Message.ReadReply && request instanceof PendingRead;
        // the kind is checked first: a reply of the wrong kind must not use up the replica's one answer
        if (!sameKind || !request.markAnswered(sender)) {
            metrics.lateReplies++;
            return;
        }
        switch (reply) {
            case Message.WriteAck ack when request instanceof PendingWrite write -> {
                hybridClock.receive(ack.replicaTime());
                onWriteReply(write, sender, ack.outcome());
            }
            case Message.ReadReply answer when request instanceof PendingRead read -> {
                SiblingSet versions = answer.ok() ? new SiblingSet(answer.versions()) : null;
                if (versions != null) {
                    versions.versions().forEach(v -> hybridClock.receive(v.version().timestamp()));
                }
                onReadReply(read, sender, versions);
            }
            default -> metrics.lateReplies++;
        }
    }

    private void onWriteReply(PendingWrite write, NodeId replica, WriteOutcome outcome) {
        if (outcome.ok()) {
            write.acks++;
        } else {
            write.failures++;
        }
        if (outcome == WriteOutcome.DISK_FULL) {
            noteDiskFull(write, replica);
        }
        if (write.done) {
            return;
        }
        if (write.acks >= write.required) {
            finish(write);
            write.done = true;
            metrics.writesAcknowledged++;
            write.callback.onSuccess(write.versioned.version());
        } else if (write.failures > write.targets.length - write.required) {
            finish(write);
            failStored(write);
        } else if (write.allAnswered()) {
            finish(write);
        }
    }

    /** Remembers which replica refused for a full disk, in the local engine's own words when it is this node. */
    private void noteDiskFull(PendingWrite write, NodeId replica) {
        write.diskFullCount++;
        if (write.diskFull == null) {
            write.diskFull = new StringBuilder();
        } else {
            write.diskFull.append("; ");
        }
        write.diskFull.append("node ").append(replica.value());
        if (replica.equals(context.self())) {
            write.diskFull.append(": ").append(local.lastRefusal());
        } else {
            write.diskFull.append(": disk full");
        }
    }

    /** Too many replicas could not store the write: {@code DISK_FULL} when a full disk is why for all of them. */
    private void failStored(PendingWrite write) {
        String message = write.failures + " of " + write.targets.length + " replicas could not store the write";
        if (write.diskFullCount == write.failures) {
            failWrite(write, ErrorCode.DISK_FULL, message + " (" + write.diskFull + ")");
        } else if (write.diskFull != null) {
            failWrite(write, ErrorCode.STORAGE_FAILURE, message + " (" + write.diskFull + "; the others failed"
                + " otherwise: see their logs)");
        } else {
            failWrite(write, ErrorCode.STORAGE_FAILURE, message + " (see their logs)");
        }
    }

    private void failWrite(PendingWrite write, ErrorCode code, String message) {
        write.done = true;
        metrics.writesFailed++;
        write.callback.onFailure(code, message);
    }

    /** @param versions the replica's versions, or null when it could not read them */
    private void onReadReply(PendingRead read, NodeId replica, SiblingSet versions) {
        if (versions == null) {
            read.failures++;
        } else {
            read.byReplica.put(replica, versions);
        }
        if (!read.done && read.byReplica.size() >= read.required) {
            read.done = true;
            metrics.readsSucceeded++;
            read.callback.onSuccess(resolveAll(read));
        } else if (!read.done && read.failures > read.targets.length - read.required) {
            read.done = true;
            metrics.readsFailed++;
            finish(read);
            read.callback.onFailure(ErrorCode.STORAGE_FAILURE, read.failures + " replicas could not read the key");
            return;
        }
        if (read.done && read.allAnswered()) {
            finish(read);
            repair(read);
        }
    }

    private SiblingSet resolveAll(PendingRead read) {
        List<Versioned> all = new ArrayList<>();
        read.byReplica.values().forEach(set -> all.addAll(set.versions()));
        return resolver.resolve(all);
    }

    /** Sends each replica that answered the versions of the resolved set it lacks. */
    private void repair(PendingRead read) {
        SiblingSet resolved = resolveAll(read);
        for (Map.Entry<NodeId, SiblingSet> reply : read.byReplica.entrySet()) {
            for (Versioned versioned : resolved.versions()) {
                if (!reply.getValue().contains(versioned)) {
                    sendRepair(reply.getKey(), read, versioned);
                }
            }
        }
    }

    private void sendRepair(NodeId replica, PendingRead read, Versioned versioned) {
        metrics.readRepairsSent++;
        if (replica.equals(context.self())) {
            local.apply(read.token, read.key, versioned);
            return;
        }
        int length = codec.encodeWrite(0, read.token, read.key, versioned);
        context.transport().send(replica, codec.sendBuffer(), 0, length);
    }

    private SiblingSet readLocal(long token, Key key) {
        try {
            return local.read(token, key);
        } catch (io.ringkv.api.KvException e) {
            metrics.storageFailures++;
            return null;
        }
    }

    @FunctionalInterface
    private interface FailureSink {
        void fail(ErrorCode code, String message);
    }
}
