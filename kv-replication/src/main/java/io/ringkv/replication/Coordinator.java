package io.ringkv.replication;

import io.ringkv.api.CausalContext;
import io.ringkv.api.ConflictResolver;
import io.ringkv.api.Consistency;
import io.ringkv.api.ErrorCode;
import io.ringkv.api.Expiry;
import io.ringkv.api.HybridClock;
import io.ringkv.api.HybridTimestamp;
import io.ringkv.api.Key;
import io.ringkv.api.KvException;
import io.ringkv.api.NodeContext;
import io.ringkv.api.NodeId;
import io.ringkv.api.SendResult;
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
 * After a write is acknowledged it stays open too: it is sent again to every replica that has not acknowledged it,
 * until each has, is judged down, or the catch-up window passes, so that a lost datagram or a replica that was
 * not yet reachable does not silently keep one copy fewer (every copy given up is counted).
 *
 * <p>A write is coordinated by a replica of the key, which issues its dot (see {@link Version}): when this node is
 * one of the key's live replicas it coordinates the write itself, otherwise it hands the write to the first live
 * replica and relays that replica's answer. A write supersedes exactly what its causal context covers.
 *
 * <p>Callbacks run on the agent thread, possibly before the call that started the request returns. Requests in
 * flight die with the node: their callbacks are then never called.
 */
public final class Coordinator implements TimerHandler {
    private final NodeContext context;
    private Ring ring;
    /** The ring once joining nodes own their tokens and leaving ones are gone; {@link #ring} when none moves. */
    private Ring future;
    /** The ring before the last change, while other nodes may still route by it (until {@link #previousUntil}). */
    private Ring previous;
    private long previousUntil = Long.MIN_VALUE;
    /**
     * Default of how long after a ring change requests also need a quorum of the key's replicas in the ring before
     * it: the change takes a few gossip rounds to reach every coordinator, which route by the old ring meanwhile.
     */
    static final long PREVIOUS_RING_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    private long previousRingNanos = PREVIOUS_RING_NANOS;
    private final LivenessView liveness;
    private final ConflictResolver resolver;
    private final ReplicationConfig config;
    private final Replica local;
    private final HybridClock hybridClock;
    private final MessageCodec codec;
    private final Metrics metrics;
    // insertion order: when the pending bound is reached, the oldest answered request is given up first
    private final Map<Long, PendingRequest> byCorrelation = new java.util.LinkedHashMap<>();
    private final Map<Long, PendingRequest> byTimer = new HashMap<>();
    private final ForwardedWrites<ForwardedWrites.Answer> forwarded;
    private final HintedHandoff hints;
    private long nextCorrelation;
    private final long startedNanos;

    Coordinator(NodeContext context, Ring ring, LivenessView liveness, ConflictResolver resolver,
                ReplicationConfig config, Replica local, HybridClock hybridClock, MessageCodec codec,
                Metrics metrics, HintedHandoff hints) {
        this.context = context;
        this.ring = ring;
        this.future = ring;
        this.liveness = liveness;
        this.resolver = resolver;
        this.config = config;
        this.local = local;
        this.hybridClock = hybridClock;
        this.codec = codec;
        this.metrics = metrics;
        this.hints = hints;
        // a sender retransmits a hand-over until its deadline: keep answers a retry interval longer; never more
        // hand-overs than requests this coordinator may track
        this.forwarded = new ForwardedWrites<>(config.maxPendingRequests(), forwardWindowNanos(config));
        // A random start keeps a restarted node from matching late replies meant for its previous incarnation.
        this.nextCorrelation = (context.random().nextLong() >>> 2) + 1;
        this.startedNanos = context.clock().monotonicNanos();
    }

    /** Replaces the ring (membership changed); requests already sent keep their replicas. */
    void updateRing(Ring newRing) {
        updateRing(newRing, newRing);
    }

    /**
     * Replaces the ring and the ring it is moving to: while nodes join or leave, each write also goes to the key's
     * replicas in {@code newFuture} that are not its replicas now (pending replicas, which are streaming the
     * ranges they take over), without counting their acknowledgements toward W.
     */
    void updateRing(Ring newRing, Ring newFuture) {
        java.util.Objects.requireNonNull(newRing, "ring");
        java.util.Objects.requireNonNull(newFuture, "future");
        if (!newRing.equals(ring) && !ring.isEmpty()) {
            previous = ring;
            previousUntil = context.clock().monotonicNanos() + previousRingNanos;
        }
        this.ring = newRing;
        // the same object when nothing moves: requests then skip looking at the future ring at all
        this.future = newFuture.equals(newRing) ? newRing : newFuture;
    }

    /**
     * @return the live replicas of the key in each other view of the ring a coordinator may route by now (the ring
     *     the cluster moves to, and for a while after a change the ring before it) whose replica set differs from
     *     the key's {@code owners} here; empty while the ring is stable
     */
    private List<List<NodeId>> otherViews(long token, int n, List<NodeId> owners) {
        List<List<NodeId>> views = new ArrayList<>(2);
        addView(views, future, token, n, owners, false);
        if (previous != null) {
            addView(views, previous, token, n, owners, true);
        }
        return views;
    }

    /**
     * @param departedOut leave out nodes in neither the current nor the future ring: a node that left handed its
     *     ranges over and stops serving, and a removed one is gone; their old view's other replicas still count
     */
    private void addView(List<List<NodeId>> views, Ring other, long token, int n, List<NodeId> owners,
                         boolean departedOut) {
        if (other == ring || other.isEmpty()) {
            return;
        }
        List<NodeId> all = firstReplicas(other, token, n);
        if (all.size() == owners.size() && owners.containsAll(all)) {
            return;
        }
        List<NodeId> live = new ArrayList<>(all.size());
        for (NodeId node : all) {
            boolean departed = departedOut && !ring.contains(node) && !future.contains(node);
            if (liveness.isAlive(node) && !departed) {
                live.add(node);
            }
        }
        if (!views.contains(live)) {
            views.add(live);
        }
    }

    /**
     * @return whether a request at {@code consistency} needs quorums in the other views of the ring: only while the
     *     ring moves or changed a moment ago, and only when R + W > N promises that reads see acknowledged writes
     *     (at weaker settings the extra quorums would cost availability for nothing promised)
     */
    private boolean jointQuorums(Consistency consistency) {
        if (previous != null && context.clock().monotonicNanos() - previousUntil >= 0) {
            previous = null;
        }
        return (future != ring || previous != null) && consistency.r() + consistency.w() > consistency.n();
    }

    /** @return the key's first N replicas in {@code of} (all its nodes when it has fewer) */
    private static List<NodeId> firstReplicas(Ring of, long token, int n) {
        PreferenceList replicas = of.preferenceList(token);
        int count = Math.min(n, replicas.size());
        List<NodeId> owners = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            owners.add(replicas.get(i).id());
        }
        return owners;
    }

    /**
     * Sets how long after a ring change requests also need a quorum in the ring before it (default 10 s): long
     * enough for the change to reach every coordinator by gossip, about ten gossip rounds.
     *
     * @throws IllegalArgumentException when negative
     */
    void previousRingWindow(long nanos) {
        if (nanos < 0) {
            throw new IllegalArgumentException("the previous ring's window cannot be negative: " + nanos);
        }
        previousRingNanos = nanos;
    }

    /** @return the ring requests are routed by */
    public Ring ring() {
        return ring;
    }

    /** Reads {@code key} at the cluster's consistency. */
    public void get(Key key, GetCallback callback) {
        get(key, config.consistency(), callback);
    }

    /**
     * Reads {@code key}, waiting for {@code consistency.r()} of its first {@code consistency.n()} replicas. A value
     * whose expiry has passed by this node's wall clock is answered as a tombstone of its version: absent to the
     * reader, still covered by the set's context.
     */
    public void get(Key key, Consistency consistency, GetCallback callback) {
        read(key, consistency, deadline(), callback);
    }

    /** {@link #get}, answered by {@code deadlineNanos} at the latest. */
    private void read(Key key, Consistency consistency, long deadlineNanos, GetCallback callback) {
        read(key, consistency, deadlineNanos, java.util.Set.of(), callback);
    }

    /**
     * @param awaited replicas whose answers are waited for beyond R, a retry interval at most (then the read
     *     answers with the R it has)
     */
    private void read(Key key, Consistency consistency, long deadlineNanos, java.util.Set<NodeId> awaited,
                      GetCallback callback) {
        long token = Partitioner.token(key);
        NodeId[] owners = liveTargets(token, consistency, consistency.r(), callback::onFailure);
        if (owners == null) {
            metrics.readsFailed.incrementRelease();
            return;
        }
        List<List<NodeId>> views = jointQuorums(consistency)
            ? otherViews(token, consistency.n(), firstReplicas(ring, token, consistency.n())) : List.of();
        NodeId[] targets = views.isEmpty() ? owners : withMembers(owners, views);
        PendingRead read = new PendingRead(nextCorrelation++, token, key, targets, owners.length, deadlineNanos,
            consistency.r(), views.isEmpty() ? null : new QuorumSets(targets, views, consistency.r()), callback);
        for (NodeId replica : awaited) {
            if (read.indexOf(replica) >= 0) {
                read.awaited.add(replica);
            }
        }
        track(read);
        int length = codec.encodeRead(read.correlationId, token, key);
        sendToRemotes(read, length);
        if (isTarget(targets)) {
            local.read(token, key, versions -> {
                // the read may have finished meanwhile (its deadline, or a failure quorum)
                if (byCorrelation.get(read.correlationId) == read && read.markAnswered(context.self())) {
                    onReadReply(read, context.self(), versions);
                }
            });
        }
    }

    /**
     * Writes {@code value} at the cluster's consistency.
     *
     * @param causalContext what the write supersedes: the context of a read ({@link CausalContext#EMPTY} for a
     *     client that saw nothing), or null for a blind write, which supersedes whatever the coordinating replica
     *     holds for the key (see {@link #put(Key, Value, Expiry, CausalContext, Consistency, PutCallback)})
     */
    public void put(Key key, Value value, CausalContext causalContext, PutCallback callback) {
        put(key, value, Expiry.NONE, causalContext, config.consistency(), callback);
    }

    /** Writes {@code value} with no expiry (see {@link #put(Key, Value, Expiry, CausalContext, Consistency, PutCallback)}). */
    public void put(Key key, Value value, CausalContext causalContext, Consistency consistency,
                    PutCallback callback) {
        put(key, value, Expiry.NONE, causalContext, consistency, callback);
    }

    /**
     * Writes {@code value}, superseding what {@code causalContext} covers, and answers after {@code consistency.w()}
     * replicas made it durable.
     *
     * <p>A blind write ({@code causalContext} null, Redis' {@code SET}) needs no read first: the replica that
     * coordinates it (this node when it is a live replica of the key, else the first live one) supersedes every
     * version it holds, as Riak's coordinating vnode does, and under last-write-wins stamps the write after all of
     * them. When a replica acknowledges it beside versions that replica did not hold (a write it missed, or a
     * concurrent one coordinated by another replica) before W did, the write is made again after a read, superseding
     * them too (see {@code supersedeOthers}); a concurrent write that reached the replicas after this one did stays a
     * sibling of it under vector clocks, and under last-write-wins the higher hybrid timestamp wins.
     *
     * <p>{@code expiry} is resolved to an instant by the coordinating replica, against its hybrid clock (a time to
     * live; a blind write's stamp may be later, after a version it replaces) or the value it replaces
     * ({@link Expiry#KEEP}), and travels in the version, so every replica holds the same instant; from then on the
     * value reads as absent ({@link #get}). A blind write that keeps the expiry ({@code SET ... KEEPTTL}) reads
     * first, at {@code consistency.r()}, and writes with the read's context and the expiry of the value a {@code GET}
     * answers: the coordinating replica alone may have missed that value, and under last-write-wins the replicas that
     * held it drop it for the new one, expiry and all, so the value would never expire. Like {@link #changeExpiry},
     * not atomic with writes of other clients in between.
     */
    public void put(Key key, Value value, Expiry expiry, CausalContext causalContext, Consistency consistency,
                    PutCallback callback) {
        if (expiry.kind() == Expiry.Kind.KEEP && causalContext == null) {
            writeKeepingExpiry(key, value, consistency, callback);
            return;
        }
        write(key, value, expiry, causalContext, consistency, callback);
    }

    private void writeKeepingExpiry(Key key, Value value, Consistency consistency, PutCallback callback) {
        get(key, consistency, new GetCallback() {
            @Override
            public void onSuccess(SiblingSet siblings) {
                Versioned newest = siblings.newest();
                long kept = newest == null || newest.isTombstone() ? Version.NEVER
                    : newest.version().expiresAtMillis();
                write(key, value, Expiry.atInstant(kept), siblings.context(),
                    consistency, callback);
            }

            @Override
            public void onFailure(ErrorCode code, String message) {
                callback.onFailure(code, message);
            }
        });
    }

    /** Deletes {@code key} at the cluster's consistency: a tombstone superseding what the context covers. */
    public void delete(Key key, CausalContext causalContext, PutCallback callback) {
        delete(key, causalContext, config.consistency(), callback);
    }

    /**
     * Deletes {@code key}: writes a tombstone that supersedes what {@code causalContext} covers, or, when it is null
     * (a blind delete), every version the coordinating replica holds; {@link PutCallback#onSuccess(Version, boolean)}
     * says whether that replica held a live value.
     */
    public void delete(Key key, CausalContext causalContext, Consistency consistency, PutCallback callback) {
        write(key, null, Expiry.NONE, causalContext, consistency, callback);
    }

    /**
     * Gives the key's value a new expiry (Redis' {@code EXPIRE}, {@code PERSIST}, {@code GETEX}): a read at
     * {@code consistency.r()}, then, when the key holds a value and {@code condition} allows the change, a write of
     * that value with {@code expiry} whose context is the read's, at {@code consistency.w()}; a time to live counts
     * from this node's clock when the read answered, as the condition did. The value is the one a
     * {@code GET} answers (the newest sibling), so the write also settles any siblings. An expiry already past
     * deletes the key instead. When the value has expired or been deleted by the time the replica that coordinates
     * the write stamps it, nothing is written and the key counts as absent ({@link Expiry#onlyIfLive()}). Not atomic
     * with writes of other clients in between: under vector clocks such a write
     * stays a sibling of this one; under last-write-wins the later timestamp wins.
     */
    public void changeExpiry(Key key, Expiry expiry, Expiry.Condition condition, Consistency consistency,
                             ExpiryCallback callback) {
        get(key, consistency, new GetCallback() {
            @Override
            public void onSuccess(SiblingSet siblings) {
                Versioned newest = siblings.newest();
                if (newest == null || newest.isTombstone()) {
                    callback.onSuccess(null, false);
                    return;
                }
                long now = context.clock().wallClockMillis();
                long next = expiry.resolve(new HybridTimestamp(now, 0), newest.version().expiresAtMillis());
                if (!condition.allows(newest.version().expiresAtMillis(), next)) {
                    callback.onSuccess(newest.value(), false);
                    return;
                }
                boolean past = next != Version.NEVER && next <= now;
                // the instant the condition was checked against is the one written: a time to live resolved again
                // from the replica's stamp (later, and perhaps on a clock ahead) could pass a GT or LT it failed
                Expiry checked = Expiry.atInstant(next);
                write(key, past ? null : newest.value(), checked.ofLiveValueOnly(), siblings.context(), consistency,
                    new PutCallback() {
                    @Override
                    public void onSuccess(Version written) {
                        // no version: the value expired or was deleted before the replica stamped the change
                        callback.onSuccess(written == null ? null : newest.value(), written != null);
                    }

                    @Override
                    public void onFailure(ErrorCode code, String message) {
                        callback.onFailure(code, message);
                    }
                });
            }

            @Override
            public void onFailure(ErrorCode code, String message) {
                callback.onFailure(code, message);
            }
        });
    }

    /** @return requests in flight, reads kept open for repair included */
    public int pendingRequests() {
        return byCorrelation.size();
    }

    private void write(Key key, Value value, Expiry expiry, CausalContext causalContext, Consistency consistency,
                       PutCallback callback) {
        long token = Partitioner.token(key);
        WriteTargets targets = writeTargets(token, consistency, callback::onFailure);
        if (targets == null) {
            metrics.writesFailed.incrementRelease();
            return;
        }
        NodeId[] owners = targets.liveOwners();
        if (!isTarget(owners)) {
            forward(token, key, value, expiry, causalContext, consistency, owners, nextReplica(owners, -1), "", callback);
            return;
        }
        coordinate(token, key, value, expiry, causalContext, consistency, targets, callback,
            refused -> onLocalRefusal(token, key, value, expiry, causalContext, consistency, owners, refused, callback));
    }

    /** The local replica wrote nothing for a client's write: another replica may take it on a full disk. */
    private void onLocalRefusal(long token, Key key, Value value, Expiry expiry, CausalContext causalContext,
                                Consistency consistency, NodeId[] targets, KvException refused, PutCallback callback) {
        String reason = "node " + context.self().value() + ": " + refused.getMessage();
        int next = nextReplica(targets, -1);
        if (refused.code() == ErrorCode.DISK_FULL && next >= 0) {
            // nothing was written and no dot issued here: another replica may coordinate the write
            metrics.diskFullHandOvers.incrementRelease();
            forward(token, key, value, expiry, causalContext, consistency, targets, next, reason, callback);
            return;
        }
        metrics.writesFailed.incrementRelease();
        failRefused(refused, reason, callback);
    }

    /** @return the index of the first replica after {@code index} that is not this node, or -1 when none is left */
    private int nextReplica(NodeId[] replicas, int index) {
        for (int i = index + 1; i < replicas.length; i++) {
            if (!replicas[i].equals(context.self())) {
                return i;
            }
        }
        return -1;
    }

    private static void failRefused(KvException refused, String reason, PutCallback callback) {
        ErrorCode code = refused.code();
        if (code == ErrorCode.DISK_FULL) {
            callback.onFailure(code, reason);
        } else {
            callback.onFailure(refusalCode(code), refused.getMessage());
        }
    }

    /** @return the code a client sees for a local replica's refusal */
    private static ErrorCode refusalCode(ErrorCode code) {
        return switch (code) {
            case INVALID_ARGUMENT, DISK_FULL, UNAVAILABLE, VALUE_TOO_LARGE -> code;
            default -> ErrorCode.STORAGE_FAILURE;
        };
    }

    private boolean isTarget(NodeId[] targets) {
        for (NodeId target : targets) {
            if (target.equals(context.self())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Coordinates the write as a replica of the key: the local replica issues the dot and stores the write first
     * (on the storage stage), then the other replicas get its whole resolved set (see {@link Version} for why both
     * matter). Either {@code callback} is called later, or {@code refused} is, with why the local replica stored
     * nothing (no dot issued, nothing written anywhere).
     */
    private void coordinate(long token, Key key, Value value, Expiry expiry, CausalContext causalContext, Consistency consistency,
                            WriteTargets targets, PutCallback callback,
                            java.util.function.Consumer<KvException> refused) {
        // the client's timeout runs from its request, not from when the local replica stored the write
        long deadline = deadline();
        HybridTimestamp stamp = stampAfter(causalContext);
        if (stamp == null) {
            metrics.contextsRefused.incrementRelease();
            refused.accept(new KvException(ErrorCode.INVALID_ARGUMENT, "the causal context was read from a version"
                + " stamped " + causalContext.latest() + ", more than " + HybridClock.MAX_AHEAD_MILLIS + " ms ahead"
                + " of node " + context.self().value() + "'s clock; nothing was written (fix the clocks)"));
            return;
        }
        // nothing is tracked until the local replica stored the write: this timer answers the client at its deadline
        // even when the local storage does not (a force that stalls), as a remote replica's silence would be
        boolean[] timedOut = {false};
        long localTimer = context.timers().schedule(config.requestTimeoutNanos(), id -> {
            timedOut[0] = true;
            metrics.timeouts.incrementRelease();
            metrics.writesFailed.incrementRelease();
            callback.onFailure(ErrorCode.TIMEOUT, "node " + context.self().value() + " did not store the write"
                + " within the timeout (its storage is slow); it may still be written");
        });
        long now = context.clock().wallClockMillis();
        local.coordinate(token, key, value, expiry, past(causalContext),
            causalContext == null ? null : causalContext.latest(), stamp, now, (stamped, failure) -> {
            boolean answered = timedOut[0];
            context.timers().cancel(localTimer);
            if (failure != null) {
                if (!answered) {
                    refused.accept(failure);
                }
                return;
            }
            if (stamped == ReplicaTasks.Coordinated.NOTHING) {
                // a change of expiry whose value expired or was deleted before the change was stamped: no write
                metrics.expiryChangesOfGoneValues.incrementRelease();
                if (!answered) {
                    callback.onSuccess(null, false);
                }
                return;
            }
            // a blind write may be stamped after what it replaced: the clock moves past it
            receive(stamped.written().version().timestamp());
            boolean change = causalContext != null && expiry.onlyIfLive();
            // stored after the client's deadline, it is still sent to the replicas, given a retry interval to reach
            // them; a change of expiry a request timeout, for W of them to answer and its second round to start
            long writeDeadline = !answered ? deadline : context.clock().monotonicNanos()
                + (change ? config.requestTimeoutNanos() : config.retryIntervalNanos());
            PendingWrite pending = new PendingWrite(nextCorrelation++, token, key, targets.targets(),
                targets.hintFor(), targets.owners(), targets.countHints(), targets.pending(), writeDeadline,
                stamped.written(),
                stamped.stored().state().versions(), consistency.w(), targets.quorumSets(consistency.w()),
                stamped.supersededLive(), answered ? SILENT : callback);
            pending.clientAnswered = answered;
            // a client that heard TIMEOUT waits for no second round either
            pending.blind = causalContext == null && !answered ? consistency : null;
            // a change settles even after its client heard TIMEOUT: left beside a later DEL it would bring the value
            // back, and its second round writes only that later version again, never its own value
            pending.change = change ? consistency : null;
            track(pending);
            sendWrite(pending, false);
            // an owner that is down with no substitute to stand in gets a hint here, at once, and the client's answer
            // waits for it to be durable
            for (NodeId owner : targets.unhinted()) {
                pending.localHintsPending++;
                hintLocally(pending, owner, () -> {
                    pending.localHintsPending--;
                    if (byCorrelation.get(pending.correlationId) == pending) {
                        acknowledgeOnceHinted(pending);
                        // the acknowledgement may have started a read that made room by dropping this write
                        if (pending.acknowledged && pending.allAnswered()
                            && byCorrelation.get(pending.correlationId) == pending) {
                            finish(pending);
                            endCatchUp(pending);
                        }
                    }
                });
            }
            if (pending.markAnswered(context.self())) {
                onWriteReply(pending, context.self(), WriteOutcome.STORED);
            }
        });
    }

    /**
     * The write's hybrid timestamp: after everything this clock saw and, for a write with a context, after the
     * latest version the context was read from (the receive rule), so that under last-write-wins a write that saw a
     * version never loses to it, however far this node's wall clock runs behind the one that wrote it.
     *
     * @return the timestamp, or null when the context's is more than {@link HybridClock#MAX_AHEAD_MILLIS} ahead of
     *     this node's wall clock (a forged context, or a clock far off: one client must not drag the clock with it)
     */
    private HybridTimestamp stampAfter(CausalContext causalContext) {
        if (causalContext == null) {
            return hybridClock.now();
        }
        if (causalContext.latest().physicalMillis()
            > context.clock().wallClockMillis() + HybridClock.MAX_AHEAD_MILLIS) {
            return null;
        }
        return hybridClock.receive(causalContext.latest());
    }

    /**
     * The new write's past: the client's context, pruned (a pruned entry can only make a spurious sibling); null for
     * a blind write, whose past the coordinating replica takes from what it holds.
     */
    private VectorClock past(CausalContext causalContext) {
        if (causalContext == null) {
            return null;
        }
        VectorClock base = causalContext.clock();
        // one entry is left for the write's own dot
        VectorClock pruned = base.pruned(config.maxClockEntries() - 1);
        metrics.clockEntriesPruned.addRelease(base.size() - pruned.size());
        return pruned;
    }

    /**
     * Hands the write to a replica of the key: only a replica may issue its dot. Asked again on the retry timer
     * (it answers a repeat without writing twice); {@code TIMEOUT} when it does not answer in time.
     */
    private void forward(long token, Key key, Value value, Expiry expiry, CausalContext causalContext, Consistency consistency,
                         NodeId[] replicas, int index, String diskFull, PutCallback callback) {
        // the replica's own request timeout runs from when it starts; a retry interval more lets its answer arrive;
        // a blind write or a change of expiry may take the replica a second round, on a timeout of its own (a read
        // of W replicas and a write over what they held, see supersedeOthers and settleChange): the client waits
        // for that too, rather than hear TIMEOUT of a write that then succeeds
        long deadline = deadline() + (mayTakeASecondRound(causalContext, expiry) ? config.requestTimeoutNanos()
            + config.retryIntervalNanos() : 0) + config.retryIntervalNanos();
        PendingForward pending = new PendingForward(nextCorrelation++, token, key, replicas, index, diskFull,
            deadline, value, expiry, prunedForForward(causalContext), consistency, callback);
        track(pending);
        metrics.writesForwarded.incrementRelease();
        sendToRemotes(pending, encodeForward(pending, false));
    }

    /**
     * The context pruned here as the coordinating replica would prune it ({@link #past}): a client's context may
     * hold more entries than one Coordinate message carries, a pruned one always fits (the configuration's check).
     */
    private CausalContext prunedForForward(CausalContext causalContext) {
        if (causalContext == null || causalContext.clock().size() < config.maxClockEntries()) {
            return causalContext;
        }
        return new CausalContext(past(causalContext), causalContext.latest());
    }

    private int encodeForward(PendingForward forward, boolean retransmit) {
        return codec.encodeCoordinate(forward.correlationId, forward.token, forward.key, forward.value,
            forward.expiry, forward.causalContext, forward.consistency, retransmit);
    }

    /**
     * A node that is not a replica of the key asks this one to coordinate a client's write. Refused with
     * {@code UNAVAILABLE} when this node is not a live replica of the key in its own ring (it never forwards
     * further), and when it is a retransmission this node does not know while it has just started (see
     * {@link #justStarted()}); a repeat is answered again, never written twice.
     */
    void onCoordinate(NodeId sender, Message.Coordinate request) {
        ForwardedWrites.Id id = new ForwardedWrites.Id(sender, request.correlationId());
        boolean unknownRepeat = request.retransmit() && !forwarded.isTracked(id);
        if (unknownRepeat && justStarted()) {
            metrics.forwardsRefusedAfterStart.incrementRelease();
            refuseForward(id, " restarted while the write was being handed to it and cannot tell whether it wrote"
                + " it; it may or may not have been written", false);
            return;
        }
        if (unknownRepeat && forwarded.mayHaveForgottenARefusal(context.clock().monotonicNanos())) {
            // it may be a write refused here and since handed to another replica: this one never wrote it
            metrics.forwardsRefusedBusy.incrementRelease();
            // remembered as refused: a later copy, past the doubt, must not be written either
            forwarded.refuse(id, refuseForward(id, " refused more handed-over writes than it remembers and cannot"
                + " tell whether it refused this one; nothing was written", true), context.clock().monotonicNanos());
            return;
        }
        ForwardedWrites.Begin begin = forwarded.begin(id, context.clock().monotonicNanos());
        if (begin == ForwardedWrites.Begin.FULL) {
            metrics.forwardsRefusedBusy.incrementRelease();
            // the sender hands it to another replica: a copy that arrives once there is room must not be written
            forwarded.refuse(id, refuseForward(id, " already coordinates " + forwarded.size() + " handed-over"
                + " writes, its limit; nothing was written", true), context.clock().monotonicNanos());
            return;
        }
        if (begin == ForwardedWrites.Begin.REPEAT) {
            metrics.duplicateForwards.incrementRelease();
            ForwardedWrites.Answer answer = forwarded.answer(id);
            if (answer != null) {
                replyToForward(id, answer);
            }
            return;
        }
        metrics.forwardsCoordinated.incrementRelease();
        // a write that takes one round is retransmitted for a round less than one that may take two: it holds its
        // place less long
        long retention = mayTakeASecondRound(request.context(), request.expiry()) ? forwardWindowNanos(config)
            : contextForwardWindowNanos(config);
        PutCallback reply = new PutCallback() {
            @Override
            public void onSuccess(Version written) {
                onSuccess(written, false);
            }

            @Override
            public void onSuccess(Version written, boolean supersededLive) {
                finishForward(id, new ForwardedWrites.Answer(null, "", written, false, supersededLive), retention);
            }

            @Override
            public void onFailure(ErrorCode code, String message) {
                finishForward(id, new ForwardedWrites.Answer(code, message, null, false, false), retention);
            }
        };
        WriteTargets targets = writeTargets(request.token(), request.consistency(), reply::onFailure);
        if (targets == null) {
            metrics.writesFailed.incrementRelease();
        } else if (!isTarget(targets.liveOwners())) {
            // the rings of the two nodes differ while one joins or leaves: the sender asks the key's next replica
            metrics.writesFailed.incrementRelease();
            finishForward(id, new ForwardedWrites.Answer(ErrorCode.UNAVAILABLE, context.self() + " is not a replica"
                + " of the key in its view of the ring; nothing was written", null, true, false), retention);
        } else {
            coordinate(request.token(), request.key(), request.value(), request.expiry(), request.context(), request.consistency(),
                targets, reply, refused -> {
                    metrics.writesFailed.incrementRelease();
                    // the sender may hand the write to another replica: nothing was written here
                    String message = refused.code() == ErrorCode.DISK_FULL
                        ? "node " + context.self().value() + ": " + refused.getMessage() : refused.getMessage();
                    finishForward(id, new ForwardedWrites.Answer(refusalCode(refused.code()), message, null, true,
                        false), retention);
                });
        }
    }

    /**
     * True while a request forwarded to this node's previous incarnation could still be retransmitted: its record
     * of forwarded writes died with it, so an unknown retransmission could be one it already wrote, and writing it
     * again would make a second write (a sibling no client asked for). Later, an unknown retransmission is one whose
     * first send was lost, and is written.
     */
    private boolean justStarted() {
        return context.clock().monotonicNanos() - startedNanos < forwardWindowNanos(config);
    }

    /**
     * @return true for a blind write ({@link #supersedeOthers}) and a change of expiry ({@link #settleChange}): the
     *     replica that coordinates either may read and write again before it answers
     */
    private static boolean mayTakeASecondRound(CausalContext causalContext, Expiry expiry) {
        return causalContext == null || expiry.onlyIfLive();
    }

    /**
     * @return how long a sender may retransmit a hand-over, a retry interval more: its deadline is twice the
     *     request timeout and two retry intervals for a write that may take a second round ({@link #forward}); a
     *     replica that forgot a hand-over sooner, or restarted within it, would write a retransmission again, as a
     *     new write. Every node must run with the same request timeout and retry interval for this to hold.
     */
    static long forwardWindowNanos(ReplicationConfig config) {
        return 2 * config.requestTimeoutNanos() + 3 * config.retryIntervalNanos();
    }

    /**
     * @return {@link #forwardWindowNanos} for a write with a causal context, whose sender's deadline is the request
     *     timeout and a retry interval ({@link #forward}): counted from when the write finished here, no earlier
     *     than the sender began, so a retry interval more covers the last retransmission
     */
    static long contextForwardWindowNanos(ReplicationConfig config) {
        return config.requestTimeoutNanos() + 2 * config.retryIntervalNanos();
    }

    /** Answers a hand-over with {@code UNAVAILABLE}, this node's id before {@code why}; counted as a failed write. */
    private ForwardedWrites.Answer refuseForward(ForwardedWrites.Id id, String why, boolean nothingWritten) {
        metrics.writesFailed.incrementRelease();
        ForwardedWrites.Answer refusal = new ForwardedWrites.Answer(ErrorCode.UNAVAILABLE, context.self() + why, null,
            nothingWritten, false);
        replyToForward(id, refusal);
        return refusal;
    }

    private void finishForward(ForwardedWrites.Id id, ForwardedWrites.Answer answer, long retentionNanos) {
        forwarded.finish(id, answer, context.clock().monotonicNanos(), retentionNanos);
        replyToForward(id, answer);
    }

    private void replyToForward(ForwardedWrites.Id id, ForwardedWrites.Answer answer) {
        int length = codec.encodeCoordinateReply(id.correlationId(), answer.error(), answer.message(),
            answer.version(), answer.nothingWritten(), answer.supersededLive());
        context.transport().send(id.sender(), codec.sendBuffer(), 0, length);
    }

    /**
     * Where a write goes: the key's live replicas, and under sloppy quorum a substitute for each DOWN one.
     *
     * @param targets live owners first, then substitutes
     * @param hintFor for each target, the owner it keeps a hint for (null for an owner)
     * @param owners all of the key's first N replicas
     * @param unhinted DOWN owners no substitute stands in for (the coordinating replica keeps their hints)
     * @param countHints whether a substitute's acknowledgement counts toward W
     * @param pending for each target, whether it is a pending replica (joining the key's replicas), whose
     *     acknowledgement does not count toward W
     */
    record WriteTargets(NodeId[] targets, NodeId[] hintFor, NodeId[] owners, List<NodeId> unhinted,
                        boolean countHints, boolean[] pending, List<List<NodeId>> views) {
        /** @return the quorums the write also needs in the other views of the changing ring, or null for none */
        QuorumSets quorumSets(int w) {
            if (views.isEmpty()) {
                return null;
            }
            // a substitute keeps a hint, not a replica's copy: it answers for no view
            NodeId[] replicas = targets.clone();
            for (int i = 0; i < replicas.length; i++) {
                if (hintFor[i] != null) {
                    replicas[i] = null;
                }
            }
            return new QuorumSets(replicas, views, w);
        }

        /** @return the targets that are owners of the key */
        NodeId[] liveOwners() {
            List<NodeId> live = new ArrayList<>();
            for (int i = 0; i < targets.length; i++) {
                if (hintFor[i] == null && !pending[i]) {
                    live.add(targets[i]);
                }
            }
            return live.toArray(NodeId[]::new);
        }
    }

    /**
     * @return the write's targets, or null after failing the request: no live owner (a replica of the key must
     *     coordinate it and issue its dot), fewer than W live owners (plus substitutes when their hints count), N
     *     larger than the ring keeps, too many requests pending
     */
    private WriteTargets writeTargets(long token, Consistency consistency, FailureSink failure) {
        if (!routable(consistency, failure)) {
            return null;
        }
        HintConfig hintConfig = hints.config();
        List<NodeId> pendingReplicas = pendingReplicas(token, consistency.n());
        SloppyQuorum.Targets selected = SloppyQuorum.select(ring, token, consistency.n(), liveness,
            hintConfig.sloppyQuorum(), pendingReplicas);
        boolean countHints = hintConfig.hintedWrites() == HintConfig.HintedWrites.COUNT;
        int liveOwners = selected.liveOwners();
        int countable = liveOwners + (countHints ? selected.substituted() : 0);
        int owners = selected.owners().size();
        if (liveOwners == 0 || countable < consistency.w()) {
            metrics.unavailable.incrementRelease();
            String substitutes = selected.substituted() == 0 ? ""
                : countHints ? " (" + selected.substituted() + " substitutes stand in for the others)"
                : " (hints do not count toward W in strict mode)";
            failure.fail(ErrorCode.UNAVAILABLE, liveOwners == 0
                ? "none of the key's " + owners + " replicas is alive; one must coordinate the write"
                : liveOwners + " of the key's " + owners + " replicas are alive" + substitutes + "; the write needs "
                    + consistency.w());
            return null;
        }
        if (!roomToTrack(failure)) {
            return null;
        }
        List<NodeId> targets = new ArrayList<>();
        List<NodeId> hintFor = new ArrayList<>();
        List<NodeId> unhinted = new ArrayList<>();
        for (int i = 0; i < owners; i++) {
            if (selected.alive()[i]) {
                targets.add(selected.owners().get(i));
                hintFor.add(null);
            }
        }
        for (int i = 0; i < owners; i++) {
            NodeId substitute = selected.substitutes()[i];
            if (substitute != null) {
                targets.add(substitute);
                hintFor.add(selected.owners().get(i));
            } else if (!selected.alive()[i]) {
                unhinted.add(selected.owners().get(i));
            }
        }
        int current = targets.size();
        addPending(pendingReplicas, targets, hintFor);
        List<List<NodeId>> views = jointQuorums(consistency) ? otherViews(token, consistency.n(), selected.owners())
            : List.of();
        for (List<NodeId> view : views) {
            for (NodeId node : view) {
                // a replica in the ring before a change, still routed to by coordinators that have not heard of it
                if (!selected.owners().contains(node) && !targets.contains(node)) {
                    targets.add(node);
                    hintFor.add(null);
                }
            }
        }
        boolean[] pending = new boolean[targets.size()];
        java.util.Arrays.fill(pending, current, pending.length, true);
        return new WriteTargets(targets.toArray(NodeId[]::new), hintFor.toArray(NodeId[]::new),
            selected.owners().toArray(NodeId[]::new), List.copyOf(unhinted), countHints, pending, views);
    }

    /**
     * @return the key's replicas in the future ring that are not its replicas now, in the future ring's order (none
     *     while the ring is stable): they take the write as replicas ({@link #addPending}), so none of them may stand
     *     in for a down owner, where it would hold the write only as a hint
     */
    private List<NodeId> pendingReplicas(long token, int n) {
        return Ring.pendingReplicas(ring, future, token, n);
    }

    /** Adds the key's live {@code pending} replicas that are not targets already. */
    private void addPending(List<NodeId> pending, List<NodeId> targets, List<NodeId> hintFor) {
        for (NodeId node : pending) {
            if (!targets.contains(node) && liveness.isAlive(node)) {
                targets.add(node);
                hintFor.add(null);
                metrics.pendingWrites.incrementRelease();
            }
        }
    }

    /**
     * @return the live replicas among the key's first N, or null after failing the request (too few alive, N
     *     larger than the ring keeps, too many requests pending)
     */
    private NodeId[] liveTargets(long token, Consistency consistency, int required, FailureSink failure) {
        if (!routable(consistency, failure)) {
            return null;
        }
        PreferenceList replicas = ring.preferenceList(token);
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
            metrics.unavailable.incrementRelease();
            failure.fail(ErrorCode.UNAVAILABLE, alive.size() + " of the key's " + targets
                + " replicas are alive; the request needs " + required);
            return null;
        }
        if (!roomToTrack(failure)) {
            return null;
        }
        return alive.toArray(NodeId[]::new);
    }

    /** @return whether the ring can route a request at {@code consistency}; else fails it and says why */
    private boolean routable(Consistency consistency, FailureSink failure) {
        if (ring.isEmpty()) {
            metrics.unavailable.incrementRelease();
            failure.fail(ErrorCode.UNAVAILABLE, "no node owns ranges of the ring yet (the cluster is forming)");
            return false;
        }
        if (consistency.n() > ring.replicationFactor()) {
            failure.fail(ErrorCode.INVALID_CONSISTENCY, "N=" + consistency.n() + " but the ring keeps "
                + ring.replicationFactor() + " replicas per key");
            return false;
        }
        return true;
    }

    /** @return whether one more request can be tracked (after {@link #makeRoom()}); else fails it */
    private boolean roomToTrack(FailureSink failure) {
        if (makeRoom()) {
            return true;
        }
        metrics.unavailable.incrementRelease();
        failure.fail(ErrorCode.UNAVAILABLE, "the coordinator already tracks " + byCorrelation.size()
            + " requests, its limit");
        return false;
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
                if (request instanceof PendingWrite write) {
                    endCatchUp(write);
                } else {
                    metrics.readRepairsSkipped.incrementRelease();
                }
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
        scheduleNext(request, config.retryIntervalNanos());
    }

    /** Arms the request's timer for {@code intervalNanos} from now, or its deadline when that comes sooner. */
    private void scheduleNext(PendingRequest request, long intervalNanos) {
        long remaining = Math.max(0, request.deadlineNanos - context.clock().monotonicNanos());
        request.timerId = context.timers().schedule(Math.min(remaining, intervalNanos), this);
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

    /** @return unanswered targets the failure detector still believes alive */
    private int unansweredAlive(PendingRequest request) {
        int alive = 0;
        for (int i = 0; i < request.targets.length; i++) {
            if (!request.answered[i] && liveness.isAlive(request.targets[i])) {
                alive++;
            }
        }
        return alive;
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
        if (request instanceof PendingWrite write && write.acknowledged) {
            if (context.clock().monotonicNanos() >= write.hintDueNanos) {
                // silent past the write timeout: a hint makes sure it gets the write even if it is never judged down
                hintUnacknowledged(write);
            }
            catchUp(write);
            return;
        }
        metrics.retransmits.addRelease(request.targets.length - request.replies);
        if (request instanceof PendingWrite write) {
            sendWrite(write, false);
        } else {
            sendToRemotes(request, request instanceof PendingForward forward ? encodeForward(forward, true)
                : codec.encodeRead(request.correlationId, request.token, request.key));
        }
        scheduleNext(request);
    }

    /**
     * Sends an acknowledged write again to the replicas that have not acknowledged it; a replica judged down is
     * given up (hinted handoff and anti-entropy bring it up to date), and so is the write once none is left.
     */
    private void catchUp(PendingWrite write) {
        if (unansweredAlive(write) == 0) {
            finish(write);
            endCatchUp(write);
            return;
        }
        metrics.catchUpWrites.addRelease(sendWrite(write, true));
        // back off (retry interval doubling up to 16×) so a replica that is slow to be judged down is not flooded
        scheduleNext(write, config.retryIntervalNanos() << Math.min(write.catchUpRounds++, 4));
    }

    /**
     * Ends an acknowledged write's catch-up, counting the copies no target will get from this coordinator: those
     * not stored, refusals included (a pending replica's or a strict substitute's copy is stored without counting
     * toward W). Hinted handoff and anti-entropy bring such a replica up to date.
     */
    private void endCatchUp(PendingWrite write) {
        hintUnacknowledged(write);
        int stored = 0;
        for (boolean copy : write.stored) {
            stored += copy ? 1 : 0;
        }
        metrics.catchUpsAbandoned.addRelease(write.targets.length - stored);
        metrics.catchUpsInFlight.addRelease(-1);
    }

    private void onDeadline(PendingRequest request) {
        finish(request);
        switch (request) {
            case PendingWrite write when write.acknowledged -> endCatchUp(write);
            case PendingWrite write -> {
                // the coordinating replica stored it: the owners that did not take it get hints all the same
                hintUnacknowledged(write);
                if (!write.clientAnswered) {
                    metrics.timeouts.incrementRelease();
                }
                failWrite(write, ErrorCode.TIMEOUT, write.acks + " of " + write.required
                    + " replicas acknowledged within the timeout" + (write.viewsSatisfied() ? ""
                    : " (" + write.views.shortfall() + ")"));
            }
            case PendingForward forward -> {
                metrics.timeouts.incrementRelease();
                metrics.writesFailed.incrementRelease();
                forward.callback.onFailure(ErrorCode.TIMEOUT, "replica " + forward.targets[0]
                    + " did not answer the forwarded write within the timeout");
            }
            case PendingRead read when read.done -> repair(read);
            case PendingRead read when readSatisfied(read) -> {
                // only a replica waited for beyond R is silent: the read answers with what it has
                answerRead(read);
                repair(read);
            }
            case PendingRead read -> {
                metrics.timeouts.incrementRelease();
                metrics.readsFailed.incrementRelease();
                read.done = true;
                read.callback.onFailure(ErrorCode.TIMEOUT, read.ownerReplies + " of " + read.required
                    + " replicas answered within the timeout" + (read.views == null || read.views.satisfied() ? ""
                    : " (" + read.views.shortfall() + ")"));
            }
            default -> throw new IllegalStateException("unknown request " + request);
        }
    }

    /** A replica's reply arrived: acks and read replies for requests no longer tracked are counted as late. */
    void onReply(NodeId sender, Message reply) {
        PendingRequest request = byCorrelation.get(reply.correlationId());
        boolean sameKind = switch (reply) {
            case Message.WriteAck ack -> request instanceof PendingWrite;
            case Message.ReadReply answer -> request instanceof PendingRead;
            case Message.CoordinateReply answer -> request instanceof PendingForward;
            default -> false;
        };
        // the kind is checked first: a reply of the wrong kind must not use up the replica's one answer
        if (!sameKind || !request.markAnswered(sender)) {
            metrics.lateReplies.incrementRelease();
            return;
        }
        switch (reply) {
            case Message.WriteAck ack when request instanceof PendingWrite write -> {
                receive(ack.replicaTime());
                onWriteReply(write, sender, ack.outcome());
            }
            case Message.ReadReply answer when request instanceof PendingRead read -> {
                SiblingSet versions = answer.ok() ? new SiblingSet(answer.versions()) : null;
                if (versions != null) {
                    versions.versions().forEach(v -> receive(v.version().timestamp()));
                }
                onReadReply(read, sender, versions);
            }
            case Message.CoordinateReply answer when request instanceof PendingForward forward ->
                onForwardReply(forward, answer);
            default -> metrics.lateReplies.incrementRelease();
        }
    }

    /**
     * Moves the hybrid clock past a timestamp a reply carries. One from a clock too far ahead of this node's leaves
     * the clock where it is: the reply already took the replica's one answer, so the request must go on with it (a
     * throw here would leave the client unanswered and escape onto the agent thread).
     */
    private void receive(io.ringkv.api.HybridTimestamp remote) {
        hybridClock.receiveIfPlausible(remote);
    }

    private void onWriteReply(PendingWrite write, NodeId replica, WriteOutcome outcome) {
        int index = write.indexOf(replica);
        if (outcome.ok()) {
            write.stored[index] = true;
        }
        if (write.views != null) {
            if (outcome.ok()) {
                write.views.answered(index);
            } else {
                write.views.failed(index);
            }
        }
        if (!write.counts(index)) {
            // strict mode: a substitute's hint never decides the write
        } else if (outcome.ok()) {
            write.acks++;
            write.substituteCounted |= write.hintFor[index] != null && !write.done;
        } else {
            write.failures++;
            if (outcome == WriteOutcome.HINT_REFUSED) {
                write.hintsRefused++;
            }
        }
        if (outcome == WriteOutcome.DISK_FULL) {
            noteDiskFull(write, replica);
        }
        if (outcome == WriteOutcome.STORED_BESIDE_OTHERS && !write.done) {
            write.besideOthers.add(replica);
        }
        if (!write.done && write.acks >= write.required && write.viewsSatisfied()) {
            acknowledgeOnceHinted(write);
        } else if (!write.done && (write.failures > write.countableTargets() - write.required
            || write.views != null && write.views.impossible())) {
            finish(write);
            failStored(write);
            return;
        }
        // every replica answered: done, unless the answer still waits for this node's hints to be durable
        if (write.allAnswered() && write.done && byCorrelation.get(write.correlationId) == write) {
            finish(write);
            if (write.acknowledged) {
                // a replica that refused the write (storage failure, sibling limit) is counted as given up
                endCatchUp(write);
            }
        }
    }

    /**
     * Answers the client once W replicas stored the write and the hints this node keeps for DOWN owners without a
     * substitute are durable too: a crash of this node right after the answer then loses no owner's copy.
     */
    private void acknowledgeOnceHinted(PendingWrite write) {
        if (write.done || write.acks < write.required || !write.viewsSatisfied() || write.localHintsPending > 0) {
            return;
        }
        write.done = true;
        write.acknowledged = true;
        // from now on the deadline bounds the catch-up of replicas that have not acknowledged yet
        write.deadlineNanos = context.clock().monotonicNanos() + config.catchUpWindowNanos();
        metrics.catchUpsInFlight.incrementRelease();
        boolean pastUnknown = !write.besideOthers.isEmpty() || write.substituteCounted;
        if (write.blind != null && pastUnknown) {
            supersedeOthers(write);
            return;
        }
        if (write.change != null && pastUnknown) {
            settleChange(write);
            return;
        }
        if (!write.clientAnswered) {
            metrics.writesAcknowledged.incrementRelease();
        }
        write.callback.onSuccess(write.versioned.version(), write.supersededLive);
    }

    /**
     * A blind write that a replica acknowledged beside versions this replica did not hold (a write this replica
     * missed, on a full disk or while partitioned, or one another replica coordinated meanwhile): the client meant
     * its write to replace whatever the key held, so it is written again with the context of a read of W
     * replicas and of those that said so (they hold the other versions; the read waits for them a retry interval
     * past R at most), which supersedes them, and the client hears of that second write. Without it, a client's
     * {@code SET} then {@code DEL} through a replica that missed the {@code SET} would leave the value a sibling of
     * the tombstone (vector clocks) or let it win on a clock running ahead (last-write-wins). When W + W > N, every
     * write acknowledged before this one began is on a replica that acknowledged this one and on one of those read,
     * so this one supersedes it. A substitute's acknowledgement (sloppy quorum with hints counted) says nothing of
     * the key's past, so a blind write that counted one always reads, from the live owners (up to W of them): an
     * owner that would have answered "beside others" may answer only after W was reached. The second write runs
     * on its own deadline, so the whole may take up to twice the request timeout.
     */
    private void supersedeOthers(PendingWrite write) {
        Versioned first = write.versioned;
        // even when only a substitute's acknowledgement called for the read: the owner that did not answer may be the
        // one holding what the write meant to replace (a DEL answered OK would leave it)
        readForSecondRound(write, "the write was stored by " + write.required + " replicas, but reading what else"
            + " they hold, to supersede it, failed: ", siblings -> {
            boolean live = write.supersededLive;
            boolean others = false;
            for (Versioned held : siblings.versions()) {
                // a version whose past holds this write's dot came after it (a client read it): left alone
                if (!held.version().clock().covers(first.version().dot())) {
                    others = true;
                    live |= !held.isTombstone();
                }
            }
            if (!others) {
                // the read found only this write, or writes made after it: nothing of the key's past is left
                metrics.writesAcknowledged.incrementRelease();
                write.callback.onSuccess(first.version(), write.supersededLive);
                return;
            }
            metrics.blindWritesRewritten.incrementRelease();
            // the same client write made again: it supersedes the first one too, which the replicas read may
            // not hold (a lost Write, a read of other owners); without it, the key would keep both as siblings
            writeAgainOver(write, siblings, first, null, live, "the write was stored by " + write.required
                + " replicas, but writing it again to supersede versions some of them held failed: ");
        });
    }

    /**
     * A change of expiry that a replica acknowledged beside versions this replica did not hold, or that counted a
     * substitute's acknowledgement (which says nothing of the key's past). When one of those versions was written after
     * the value the change read (its past covers the change's: a {@code DEL} or {@code SET} another replica coordinated
     * while the change was on its way here), the change wrote that value again beside it, and a {@code GET} would
     * answer whichever is stamped later: a deleted value back, or an overwritten one. The change is taken to have come
     * first: that later version is written again over both, with the context of a read of W replicas
     * ({@link #secondRoundRead}) and of those that acknowledged the change beside other versions, before the client
     * hears that its change was made ({@code GETEX} answers the value it read). Wherever the change meets that
     * version, the vector-clock resolver drops it ({@link io.ringkv.api.Version#yieldsTo}) and last-write-wins orders
     * it first (it is stamped one tick after what it read); this round settles it on W replicas before the client's
     * answer (under last-write-wins a replica keeps only one version, so the one found already won there). Two
     * changes of the same value racing each other are left as siblings (either's expiry is one a client asked for);
     * one that deletes (a time already past) is written as a delete, which the other yields to under vector clocks.
     */
    private void settleChange(PendingWrite write) {
        Versioned change = write.versioned;
        readForSecondRound(write, "the change of expiry was stored by " + write.required + " replicas, beside"
            + " versions it did not cover; reading them, to settle which came first, failed: ", siblings -> {
            Versioned later = null;
            for (Versioned held : siblings.versions()) {
                VectorClock clock = held.version().clock();
                // neither the change's past (the value it read, or an expired copy of it shown as a delete)
                // nor after the change, but after all the change's past: a write that raced it
                if (!clock.covers(change.version().dot()) && clock.covers(change.version().past())
                    && !change.version().past().covers(held.version().dot()) && !sameContent(held, change)) {
                    // in last-write-wins order: the last one found is the one a GET answers of them
                    later = held;
                }
            }
            if (later == null) {
                if (!write.clientAnswered) {
                    metrics.writesAcknowledged.incrementRelease();
                }
                write.callback.onSuccess(change.version(), write.supersededLive);
                return;
            }
            metrics.expiryChangesSettled.incrementRelease();
            writeAgainOver(write, siblings, later, change.version(), write.supersededLive, "the change of"
                + " expiry was stored by " + write.required + " replicas, beside a write made after the value it"
                + " changed; writing that write again over both failed, so the changed value may read again until"
                + " it is: ");
        });
    }

    /**
     * The read of a second round ({@link #supersedeOthers}, {@link #settleChange}), of W replicas and of those that
     * acknowledged {@code write} beside other versions, by the client's deadline ({@link #secondRoundDeadline}).
     *
     * @param failed what the client hears, before the cause, when the read fails (counted as a failed write, unless
     *     the client heard TIMEOUT already)
     */
    private void readForSecondRound(PendingWrite write, String failed, java.util.function.Consumer<SiblingSet> found) {
        read(write.key, secondRoundRead(write), secondRoundDeadline(write), write.besideOthers, new GetCallback() {
            @Override
            public void onSuccess(SiblingSet siblings) {
                found.accept(siblings);
            }

            @Override
            public void onFailure(ErrorCode code, String message) {
                if (!write.clientAnswered) {
                    metrics.writesFailed.incrementRelease();
                }
                write.callback.onFailure(code, failed + message);
            }
        });
    }

    /**
     * The second round of {@link #supersedeOthers} and {@link #settleChange}: writes {@code content} (a delete when
     * it is one, or when its expiry has passed, as {@link #changeExpiry} does) with a context over what {@code read}
     * found and over {@code write}'s own version, which the replicas read may not hold (a lost Write, a read of other
     * owners), then answers the client.
     *
     * @param answer the version the client hears of; null for the second write's
     * @param failed what the client hears, before the cause, when the second write fails
     */
    private void writeAgainOver(PendingWrite write, SiblingSet read, Versioned content, Version answer,
                                boolean supersededLive, String failed) {
        long expiresAt = content.isTombstone() ? Version.NEVER : content.version().expiresAtMillis();
        boolean expired = expiresAt != Version.NEVER && expiresAt <= context.clock().wallClockMillis();
        Value value = content.isTombstone() || expired ? null : content.value();
        Expiry expiry = value == null ? Expiry.NONE : Expiry.atInstant(expiresAt);
        CausalContext seen = read.context();
        Version first = write.versioned.version();
        CausalContext over = new CausalContext(seen.clock().merge(first.clock()),
            first.timestamp().isAfter(seen.latest()) ? first.timestamp() : seen.latest());
        write(write.key, value, expiry, over, write.secondRound(), new PutCallback() {
            @Override
            public void onSuccess(Version written) {
                write.callback.onSuccess(answer == null ? written : answer, supersededLive);
            }

            @Override
            public void onFailure(ErrorCode code, String message) {
                write.callback.onFailure(code, failed + message);
            }
        });
    }

    /**
     * The read of a second round: R = W, so that when W + W > N any W replicas include one that holds every write
     * acknowledged before this one (the request's own R may be 1, or more than the replicas alive); fewer when
     * substitutes stood in for owners that are down, so that the read asks every live owner instead of failing for
     * want of W of them.
     */
    private Consistency secondRoundRead(PendingWrite write) {
        Consistency asked = write.secondRound();
        int readFrom = asked.w();
        if (write.substituteCounted) {
            int liveOwners = 0;
            for (NodeId owner : write.owners) {
                liveOwners += liveness.isAlive(owner) ? 1 : 0;
            }
            readFrom = Math.max(1, Math.min(asked.w(), liveOwners));
        }
        return new Consistency(asked.n(), readFrom, asked.w());
    }

    /** @return the client's deadline, or a retry interval from now when W came just before it */
    private long secondRoundDeadline(PendingWrite write) {
        return Math.max(write.hintDueNanos, context.clock().monotonicNanos() + config.retryIntervalNanos());
    }

    /** @return true when both are deletes, or values of the same bytes */
    private static boolean sameContent(Versioned a, Versioned b) {
        return a.isTombstone() ? b.isTombstone() : !b.isTombstone() && a.value().equals(b.value());
    }

    private void onForwardReply(PendingForward forward, Message.CoordinateReply answer) {
        finish(forward);
        if (answer.error() == ErrorCode.DISK_FULL && answer.nothingWritten()) {
            onForwardRefusedDiskFull(forward, answer.message());
        } else if (answer.error() == ErrorCode.UNAVAILABLE && answer.nothingWritten()
            && nextReplica(forward.replicas, forward.index) >= 0) {
            // not a replica in its ring, or too busy: nothing was written there, so the next replica may coordinate
            metrics.forwardsRedirected.incrementRelease();
            forward(forward.token, forward.key, forward.value, forward.expiry, forward.causalContext, forward.consistency,
                forward.replicas, nextReplica(forward.replicas, forward.index), forward.diskFull, forward.callback);
        } else if (answer.error() == null && answer.version() == null) {
            if (forward.expiry.onlyIfLive()) {
                // the replica found the value gone since it was read: nothing was written
                forward.callback.onSuccess(null, false);
            } else {
                metrics.writesFailed.incrementRelease();
                forward.callback.onFailure(ErrorCode.STORAGE_FAILURE, "a replica answered the write without the"
                    + " version it wrote; it may or may not have been written");
            }
        } else if (answer.error() == null) {
            receive(answer.version().timestamp());
            metrics.writesAcknowledged.incrementRelease();
            forward.callback.onSuccess(answer.version(), answer.supersededLive());
        } else {
            metrics.writesFailed.incrementRelease();
            forward.callback.onFailure(answer.error(), answer.message());
        }
    }

    /**
     * The replica asked wrote nothing for lack of space: the next live replica of the key is asked (a new request),
     * and only when every one refused for a full disk does the client get {@code DISK_FULL}, naming them all.
     */
    private void onForwardRefusedDiskFull(PendingForward forward, String message) {
        String refusals = forward.diskFull.isEmpty() ? message : forward.diskFull + "; " + message;
        int next = nextReplica(forward.replicas, forward.index);
        if (next >= 0) {
            metrics.diskFullHandOvers.incrementRelease();
            forward(forward.token, forward.key, forward.value, forward.expiry, forward.causalContext, forward.consistency,
                forward.replicas, next, refusals, forward.callback);
            return;
        }
        metrics.writesFailed.incrementRelease();
        forward.callback.onFailure(ErrorCode.DISK_FULL, "every live replica of the key refused the write for a full"
            + " disk (" + refusals + ")");
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
        List<String> why = new ArrayList<>(3);
        if (write.diskFull != null) {
            why.add(write.diskFull.toString());
        }
        if (write.hintsRefused > 0) {
            // a substitute that kept no hint logs nothing: its reasons are counters
            why.add(write.hintsRefused + (write.hintsRefused == 1 ? " substitute" : " substitutes") + " kept no hint"
                + " (past the hint window, at a hint cap, or for a replica its ring no longer holds: see the"
                + " hints_dropped_* counters)");
        }
        if (write.failures > write.diskFullCount + write.hintsRefused || why.isEmpty()) {
            why.add((why.isEmpty() ? "" : "the others failed otherwise: ") + "see their logs");
        }
        boolean diskFull = write.diskFull != null && write.diskFullCount == write.failures;
        failWrite(write, diskFull ? ErrorCode.DISK_FULL : ErrorCode.STORAGE_FAILURE,
            message + " (" + String.join("; ", why) + ")");
    }

    private void failWrite(PendingWrite write, ErrorCode code, String message) {
        write.done = true;
        if (!write.clientAnswered) {
            metrics.writesFailed.incrementRelease();
        }
        write.callback.onFailure(code, message);
    }

    /** The callback of a write whose client already heard TIMEOUT: its outcome goes nowhere. */
    private static final PutCallback SILENT = new PutCallback() {
        @Override
        public void onSuccess(Version written) {
        }

        @Override
        public void onFailure(ErrorCode code, String message) {
        }
    };

    /** @return {@code targets} followed by the members of {@code views} not among them */
    private static NodeId[] withMembers(NodeId[] targets, List<List<NodeId>> views) {
        List<NodeId> all = new ArrayList<>(List.of(targets));
        for (List<NodeId> view : views) {
            for (NodeId node : view) {
                if (!all.contains(node)) {
                    all.add(node);
                }
            }
        }
        return all.toArray(NodeId[]::new);
    }

    /** @param versions the replica's versions, or null when it could not read them */
    private void onReadReply(PendingRead read, NodeId replica, SiblingSet versions) {
        int index = read.indexOf(replica);
        boolean owner = index >= 0 && index < read.ownerTargets;
        if (versions == null) {
            if (owner) {
                read.failures++;
            }
            if (read.views != null) {
                read.views.failed(index);
            }
        } else {
            read.byReplica.put(replica, versions);
            if (owner) {
                read.ownerReplies++;
            }
            if (read.views != null) {
                read.views.answered(index);
            }
        }
        read.awaited.remove(replica);
        if (!read.done && readSatisfied(read)) {
            if (read.awaited.isEmpty()) {
                answerRead(read);
            } else if (!read.awaitingPastR) {
                // a replica waited for beyond R gets a retry interval more, not the whole deadline: one that crashed
                // or was cut off after its acknowledgement, not yet judged down, would hold the second round up to it
                read.awaitingPastR = true;
                context.timers().schedule(config.retryIntervalNanos(), id -> {
                    if (!read.done && byCorrelation.get(read.correlationId) == read) {
                        answerRead(read);
                    }
                });
            }
        } else if (!read.done && (read.failures > read.ownerTargets - read.required
            || read.views != null && read.views.impossible())) {
            read.done = true;
            metrics.readsFailed.incrementRelease();
            finish(read);
            read.callback.onFailure(ErrorCode.STORAGE_FAILURE, read.failures + " replicas could not read the key");
            return;
        }
        if (read.done && read.allAnswered()) {
            finish(read);
            repair(read);
        }
    }

    /** @return true when R replicas answered (and, while the ring changes, a quorum of each other view) */
    private static boolean readSatisfied(PendingRead read) {
        return read.ownerReplies >= read.required && (read.views == null || read.views.satisfied());
    }

    private void answerRead(PendingRead read) {
        read.done = true;
        metrics.readsSucceeded.incrementRelease();
        // a value past its expiry reads as absent, by this node's clock; the context still covers it
        read.callback.onSuccess(resolveAll(read).visibleAt(context.clock().wallClockMillis()));
    }

    private SiblingSet resolveAll(PendingRead read) {
        List<Versioned> all = new ArrayList<>();
        read.byReplica.values().forEach(set -> all.addAll(set.versions()));
        return resolver.resolve(io.ringkv.replication.internal.ExpiredCopies.collapse(all));
    }

    /**
     * Sends each replica that answered and lacks a version of the resolved set the whole set, in one message: a
     * replica that got only part of it could hold a node's later dot without its earlier ones, and a context read
     * from it would then cover a write its client never saw.
     */
    private void repair(PendingRead read) {
        SiblingSet resolved = resolveAll(read);
        // a replica that holds nothing need not take tombstones, or values that expired, from before the grace (the
        // rule of a repair's merge): it may have purged them, and would purge them again and take them back at
        // every read while another replica still holds them
        boolean forgotten = ReplicaTasks.allTombstonesBefore(resolved.versions(),
            context.clock().wallClockMillis() - config.tombstoneGraceMillis());
        for (Map.Entry<NodeId, SiblingSet> reply : read.byReplica.entrySet()) {
            if (forgotten && reply.getValue().isEmpty()) {
                continue;
            }
            for (Versioned versioned : resolved.versions()) {
                if (!reply.getValue().contains(versioned)) {
                    sendRepair(reply.getKey(), read, resolved);
                    break;
                }
            }
        }
    }

    private void sendRepair(NodeId replica, PendingRead read, SiblingSet resolved) {
        metrics.readRepairsSent.incrementRelease();
        if (replica.equals(context.self())) {
            local.apply(read.token, read.key, resolved.versions(), outcome -> {
            });
            return;
        }
        int length;
        try {
            length = codec.encodeWrite(0, read.token, read.key, resolved.versions());
        } catch (KvException tooLarge) {
            // the replies' union of versions can exceed what one replica may hold; the replica would refuse it
            metrics.oversizeRefusals.incrementRelease();
            return;
        }
        context.transport().send(replica, codec.sendBuffer(), 0, length);
    }

    /**
     * Sends the write to its targets that have not answered: owners get the key's versions, substitutes the same
     * versions as a hint for the owner they stand in for.
     *
     * @param aliveOnly skip targets the failure detector judges DOWN
     * @return how many were sent
     */
    private int sendWrite(PendingWrite write, boolean aliveOnly) {
        int sent = 0;
        int length = codec.encodeWrite(write.correlationId, write.token, write.key, write.state);
        for (int i = 0; i < write.targets.length; i++) {
            if (write.hintFor[i] == null && sendable(write, i, aliveOnly)
                && context.transport().send(write.targets[i], codec.sendBuffer(), 0, length) == SendResult.SENT) {
                sent++;
            }
        }
        long createdMillis = context.clock().wallClockMillis();
        for (int i = 0; i < write.targets.length; i++) {
            if (write.hintFor[i] != null && sendable(write, i, aliveOnly)) {
                hints.countSubstituteWrite();
                int hinted = codec.encodeHintedWrite(write.correlationId, write.token, write.key, write.state,
                    write.hintFor[i], createdMillis);
                if (context.transport().send(write.targets[i], codec.sendBuffer(), 0, hinted) == SendResult.SENT) {
                    sent++;
                }
            }
        }
        return sent;
    }

    private boolean sendable(PendingWrite write, int i, boolean aliveOnly) {
        return !write.answered[i] && !write.targets[i].equals(context.self())
            && (!aliveOnly || liveness.isAlive(write.targets[i]));
    }

    /** Keeps a hint here for every owner of the write that neither stored it nor has a substitute that did. */
    private void hintUnacknowledged(PendingWrite write) {
        if (write.hinted) {
            return;
        }
        write.hinted = true;
        for (NodeId owner : write.owners) {
            if (!write.covered(owner)) {
                hintLocally(write, owner, () -> {
                });
            }
        }
    }

    /** Keeps a hint for {@code owner} on this node; {@code done} runs once it is durable or was refused. */
    private void hintLocally(PendingWrite write, NodeId owner, Runnable done) {
        if (owner.equals(context.self()) || !write.locallyHinted.add(owner)) {
            done.run();
            return;
        }
        hints.store(owner, write.token, write.key, write.state, context.clock().wallClockMillis(),
            outcome -> done.run());
    }

    @FunctionalInterface
    private interface FailureSink {
        void fail(ErrorCode code, String message);
    }
}
