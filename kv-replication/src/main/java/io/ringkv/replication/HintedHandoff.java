package io.ringkv.replication;

import io.ringkv.api.Counter;
import io.ringkv.api.CounterKind;
import io.ringkv.api.CounterSet;
import io.ringkv.api.ErrorCode;
import io.ringkv.api.Key;
import io.ringkv.api.NodeContext;
import io.ringkv.api.NodeId;
import io.ringkv.api.TimerHandler;
import io.ringkv.api.Versioned;
import io.ringkv.replication.internal.Message;
import io.ringkv.replication.internal.MessageCodec;
import io.ringkv.replication.internal.WriteOutcome;
import io.ringkv.ring.PreferenceList;
import io.ringkv.ring.Ring;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageStage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Hinted handoff, on the agent thread: keeps writes for replicas that did not take them (down, or silent past the
 * write timeout) as durable hints on this node's hint store, and hands them over when the replica is back.
 *
 * <ul>
 *   <li><b>Durable first.</b> A hint is written through the hint storage stage and counts (toward W, or as kept)
 *       only after a force covers it. It is refused, and counted, when its replica has been DOWN longer than the hint
 *       window (it needs anti-entropy) or a byte cap (per replica, in total) would be passed: never a full disk.</li>
 *   <li><b>Delivery.</b> Every delivery interval, for each replica the failure detector believes alive that has
 *       hints here, the holder reads its hints in order and sends each as an ordinary replica write, at most
 *       {@code maxInFlight} unacknowledged at once and no faster than the delivery rate. A hint is deleted only
 *       after the replica acknowledged it, which it does after its own force; one that is not acknowledged in a
 *       request timeout is sent again. Replays are idempotent: the replica resolves the versions into what it holds,
 *       and the same versions twice change nothing.</li>
 *   <li><b>Interruption.</b> When the replica goes DOWN again, or either side restarts, delivery starts over from
 *       the oldest hint still on the store: nothing acknowledged is kept, nothing unacknowledged is lost.</li>
 *   <li><b>The window across a restart.</b> With a replica's first hint while it is DOWN, the holder writes a
 *       down mark beside its hints, and deletes it once the replica is heard alive or leaves the ring; a holder that
 *       restarts dates the window of a replica still down from the mark, not from its own start.</li>
 *   <li><b>A replica that left.</b> A hint whose replica is no longer on the ring goes to the key's current replicas
 *       instead, and is deleted once each of those believed alive acknowledged it.</li>
 * </ul>
 * Hint sequences are {@code generation << 24} plus a counter, so they grow across restarts and order the store.
 */
public final class HintedHandoff implements TimerHandler {
    /** Delivery correlation ids have this bit set, so acknowledgements find their way here, not to a coordinator. */
    static final long CORRELATION_FLAG = Long.MIN_VALUE;
    private static final int SCAN_BATCH = 64;
    private static final long SCAN_BYTES = 1L << 20;
    /** Replicas whose pending hints get a gauge of their own in the registry; the rest show in the totals. */
    private static final int MAX_TARGET_GAUGES = 64;

    private final NodeContext context;
    private final StorageStage stage;
    private final HintConfig config;
    private final ReplicationConfig replicationConfig;
    /** This node is leaving: hints for DOWN owners go to another live node instead of waiting here. */
    private boolean handingOff;
    private final LivenessView liveness;
    private final MessageCodec codec;
    private final Replica local;
    private final CounterSet<HintCounter> counters;
    private final Map<NodeId, Target> targets = new TreeMap<>();
    /**
     * When this node first saw each ring member DOWN (monotonic), or since when an earlier run's down mark says it
     * was; absent while alive.
     */
    private final Map<NodeId, Long> downSince = new HashMap<>();
    /**
     * The run (gossip generation) of each replica timed in {@link #downSince}: a later run known here, or a heartbeat
     * of this one made after the time timed from and before this node started ({@link LivenessView#upAfter}), ends
     * that absence (the replica was up meanwhile, unseen by this node) and starts a new one.
     */
    private final Map<NodeId, Long> downGenerations = new HashMap<>();
    /**
     * The replicas that may have a down mark on the hint store (written, or whose write or delete failed): one is
     * written with a replica's first hint while it is DOWN, and deleted once it is heard alive or leaves the ring.
     */
    private final java.util.Set<NodeId> marked = new java.util.HashSet<>();
    /**
     * Of those, the ones whose mark surely dates the absence now: written in it, or restored for it. Any other mark
     * may be of an earlier absence, and is written again with the next hint.
     */
    private final java.util.Set<NodeId> markedNow = new java.util.HashSet<>();
    /**
     * Since when, and in which of its runs, earlier runs marked each replica down, until this run first judges it: a
     * restart of this node then does not start the hint window again for a replica down all along.
     */
    private final Map<NodeId, EarlierMark> earlierMarks = new HashMap<>();
    /** The replicas judged alive at some time in this run: an earlier run's mark of one of them is out of date. */
    private final java.util.Set<NodeId> aliveInThisRun = new java.util.HashSet<>();
    /**
     * Refusals in a row (not for a full disk), over at least {@link #REFUSED_FOR_NANOS}, after which a hint is given
     * up for repair to bring: a refusal of another kind may be passing (a full storage stage, a failing flush) or
     * for good (the key at its sibling limit on the replica).
     */
    static final int MAX_REFUSALS = 10;
    /** @see #MAX_REFUSALS */
    static final long REFUSED_FOR_NANOS = 10L * 60 * 1_000_000_000L;
    /**
     * Hinted writes remembered at most (a few MiB): past it a hinted write is kept untracked, and a repeat of it may
     * store a second hint, which changes nothing at the replica.
     */
    static final int RECEIVED_REMEMBERED = 65_536;
    /** Times a hint the owner took is sent again to a silent pending replica before it is set aside. */
    static final int PENDING_RESENDS = 3;
    /** Request timeouts between sends to a silent pending replica once its hint gave its slot back. */
    static final int PENDING_SLOW_RESENDS = 10;
    private final Map<Long, Delivery> deliveries = new HashMap<>();
    /**
     * Hinted writes taken from other nodes, by (sender, correlation id), remembered for as long as a sender may
     * resend one without an answer: a coordinator through its catch-up window, a leaving node handing its hints off
     * every request timeout.
     */
    private final ForwardedWrites<WriteOutcome> received;
    private final long sequenceBase;
    /**
     * When this run started (monotonic): a replica's heartbeat made since then would have reached this node, had the
     * replica been reachable (unless this node was paused, or heard no one yet); only one made before tells of it
     * coming back unseen ({@link LivenessView#upAfter}).
     */
    private final long startedNanos;
    private long sequence;
    private long nextCorrelation;
    private long totalBytes;
    private int targetGauges;
    private Ring ring;
    /** The ring once the nodes joining or leaving now are done: {@link #ring} itself while nothing moves. */
    private Ring future;
    private boolean loaded;
    /** The summary of earlier runs' hints is being read. */
    private boolean summarizing;
    private boolean started;
    /**
     * Hints delivered (or dropped) and already taken off their owner's count whose delete has not succeeded yet, by
     * sequence, to their owner: a scan that finds one again skips it (delivering it again would take it off the
     * count twice), and a delete that failed or was refused is tried again at the next interval.
     */
    private final Map<Long, NodeId> deleting = new HashMap<>();
    /** Corrupt records of earlier runs the summary found: never counted (few; kept for the run). */
    private final java.util.Set<Long> uncounted = new java.util.HashSet<>();
    /** Deletes to try again at the next interval (a subset of {@link #deleting}). */
    private final Map<Long, NodeId> deletesToRetry = new TreeMap<>();
    /**
     * The sequences of the hints in memory for delivery (queued, in flight, set aside, parked), which scans skip: a
     * scan from the start may find one again while it is held, and two deliveries of a hint would take it off the
     * count twice.
     */
    private final java.util.Set<Long> held = new java.util.HashSet<>();
    /** The hints refused lately (not for a full disk), by sequence: how often in a row, and since when. */
    private final Map<Long, Refusals> refusals = new HashMap<>();

    HintedHandoff(NodeContext context, StorageStage stage, HintConfig config, ReplicationConfig replicationConfig,
                  long generation, LivenessView liveness, Ring ring, MessageCodec codec, Replica local) {
        this.context = context;
        this.stage = stage;
        this.config = config;
        this.replicationConfig = replicationConfig;
        this.liveness = liveness;
        this.codec = codec;
        this.local = local;
        this.ring = ring;
        this.future = ring;
        this.sequenceBase = generation << Replica.SEQUENCE_BITS;
        this.startedNanos = context.clock().monotonicNanos();
        // a random start, as the coordinator's: a late acknowledgement meant for this node's previous incarnation
        // must not match a delivery of this one, whose hint it would delete unseen by the replica
        this.nextCorrelation = (context.random().nextLong() >>> 2) + 1;
        this.counters = context.counters().register(HintCounter.class);
        this.received = new ForwardedWrites<>(RECEIVED_REMEMBERED,
            replicationConfig.catchUpWindowNanos() + Coordinator.forwardWindowNanos(replicationConfig));
    }

    /** Reads what the hint store kept from earlier runs, then delivers every delivery interval. */
    void start() {
        if (started) {
            return;
        }
        started = true;
        summarize();
        context.timers().schedule(config.deliveryIntervalNanos(), this);
    }

    /**
     * Counts the hints earlier runs left, once: a read that fails or is refused is tried again at the next interval
     * (nothing is delivered before, and a count left at zero would strand those hints for good, and let a leaving
     * node think it holds none).
     */
    private void summarize() {
        summarizing = true;
        boolean queued = stage.read(0, engine -> HintTasks.summarize(engine, HintTasks.engineLimits(
            replicationConfig), sequenceBase), (summaries, failure) -> {
                summarizing = false;
                if (failure != null) {
                    counters.get(HintCounter.STORE_FAILURES).incrementRelease();
                    return;
                }
                loaded = true;
                summaries.forEach((owner, summary) -> {
                    if (summary.downSinceMillis() != Long.MIN_VALUE) {
                        restoreMark(owner, summary.downSinceMillis(), summary.downGeneration());
                    }
                    if (!summary.hasHints()) {
                        return;
                    }
                    Target target = target(owner);
                    target.count += summary.count();
                    target.bytes += summary.bytes();
                    totalBytes += summary.bytes();
                    summary.corrupt().forEach(sequence -> {
                        // not counted above: a scan that meets it before its delete lands takes nothing off
                        uncounted.add(sequence);
                        dropCorrupt(owner, sequence);
                    });
                    publish(target);
                });
            });
        if (!queued) {
            summarizing = false;
            counters.get(HintCounter.STORE_FAILURES).incrementRelease();
        }
    }

    /**
     * An earlier run marked {@code owner} down since {@code sinceMillis}: a window this run started for it already
     * (judged DOWN before the summary was read) is moved back to then, or this run's first judgment starts there. A
     * replica heard alive since, off the ring, or up since by gossip (a later run of it, or a heartbeat made after
     * the mark's time and before this run: it was up while this node was not), ended that absence: its mark goes.
     */
    private void restoreMark(NodeId owner, long sinceMillis, long generation) {
        marked.add(owner);
        long markedAt = downAt(sinceMillis, context.clock().monotonicNanos());
        if (!ring.contains(owner) || liveness.isAlive(owner) || aliveInThisRun.contains(owner)
            || upAfter(owner, generation, markedAt)) {
            clearMark(owner);
            return;
        }
        markedNow.add(owner);
        Long since = downSince.get(owner);
        if (since == null) {
            earlierMarks.put(owner, new EarlierMark(sinceMillis, generation));
        } else {
            downSince.put(owner, Math.min(since, markedAt));
            // timed from the mark now: by the mark's run too, unless a later one was known at the first judgment
            if (generation != 0) {
                downGenerations.merge(owner, generation, Math::max);
            }
        }
    }

    /**
     * @return whether {@code owner}, in its run {@code generation} (0: unknown) when down since {@code sinceNanos},
     *     is known to have been up after: a later run of it, or a heartbeat made after then while this node was not
     *     running (a window this run timed from its own judgment only learns of a later run)
     */
    private boolean upAfter(NodeId owner, long generation, long sinceNanos) {
        return liveness.upAfter(owner, generation, sinceNanos, startedNanos);
    }

    /**
     * @return when {@code owner}, judged DOWN {@code now}, counts as down since for its hint window: since its mark of
     *     an earlier run, unless gossip has shown it up since (a later run of it, or a heartbeat made after the mark's
     *     time and before this run, whose own absence then starts now, and is marked afresh)
     */
    private long firstJudgedDown(NodeId owner, long now) {
        EarlierMark mark = earlierMarks.remove(owner);
        long markedAt = mark == null ? now : downAt(mark.sinceMillis(), now);
        if (mark != null && upAfter(owner, mark.generation(), markedAt)) {
            markedNow.remove(owner);
            mark = null;
            markedAt = now;
        }
        downGenerations.put(owner, mark != null && mark.generation() != 0 ? mark.generation()
            : liveness.generation(owner));
        return markedAt;
    }

    /**
     * @return since when {@code owner}, judged DOWN {@code now}, counts as down: as timed so far, or from {@code now}
     *     when gossip showed it up after the time timed from (a later run of it than the one timed, or a heartbeat made
     *     after it and before this run: that absence ended unseen), whose mark is written anew
     */
    private long downSince(NodeId owner, long now) {
        long since = downSince.computeIfAbsent(owner, o -> firstJudgedDown(o, now));
        Long timed = downGenerations.get(owner);
        if (timed != null && upAfter(owner, timed, since)) {
            since = now;
            downSince.put(owner, now);
            downGenerations.put(owner, liveness.generation(owner));
            markedNow.remove(owner);
        }
        return since;
    }

    /**
     * Writes {@code owner}'s down mark (down since {@code sinceNanos}, monotonic) beside the hint about to be stored,
     * unless it has one or the summary of earlier runs (which may hold an older one) is not read yet.
     */
    private void markDown(NodeId owner, long sinceNanos, long now) {
        if (!loaded || !markedNow.add(owner)) {
            return;
        }
        // a write that fails may still have reached the disk: the mark counts as there until a delete succeeds
        marked.add(owner);
        long sinceMillis = context.clock().wallClockMillis() - (now - sinceNanos) / 1_000_000;
        // a failed write is written again with the next hint
        // the run the window is timed by (a mark rewritten must not pair its time with another run)
        long generation = downGenerations.getOrDefault(owner, liveness.generation(owner));
        writeStore(owner, engine -> HintTasks.storeDownMark(engine, owner, sinceMillis, generation), () -> { },
            () -> markedNow.remove(owner));
    }

    /**
     * Deletes {@code owner}'s down mark. One whose delete failed is deleted again at the next judgment that it is
     * alive, or overwritten by the next hint's mark should it be down again first.
     */
    private void clearMark(NodeId owner) {
        markedNow.remove(owner);
        if (!marked.remove(owner)) {
            return;
        }
        writeStore(owner, engine -> HintTasks.deleteDownMark(engine, owner), () -> { }, () -> marked.add(owner));
    }

    /**
     * @return the monotonic time as long ago as wall-clock {@code millis} is (never later than {@code now}, and no
     *     earlier than one past the window: enough to refuse, without overflow)
     */
    private long downAt(long millis, long now) {
        long agoMillis = Math.max(0, context.clock().wallClockMillis() - millis);
        long capMillis = config.windowNanos() / 1_000_000 + 1;
        return now - Math.min(agoMillis, capMillis) * 1_000_000;
    }

    void updateRing(Ring newRing) {
        updateRing(newRing, newRing);
    }

    /**
     * @param newFuture the ring once joining nodes own their tokens and leaving ones are gone: a hint goes to the
     *     key's pending replicas in it too, so that a node taking the key over (or a leaving owner's successor) gets
     *     a write the owner may have streamed past already
     */
    void updateRing(Ring newRing, Ring newFuture) {
        this.ring = newRing;
        this.future = newFuture;
        // a node off the ring is no longer timed: should its id come back and go down, its window starts then, not
        // at a down time from before it left
        downSince.keySet().removeIf(id -> !newRing.contains(id));
        downGenerations.keySet().removeIf(id -> !newRing.contains(id));
        earlierMarks.keySet().removeIf(id -> !newRing.contains(id));
        for (NodeId gone : marked.stream().filter(id -> !newRing.contains(id)).toList()) {
            clearMark(gone);
        }
    }

    /** @return the hint settings */
    HintConfig config() {
        return config;
    }

    /**
     * Keeps {@code versions} of a key as a durable hint for {@code owner}.
     *
     * @param done receives {@code STORED} once a force covers the hint; {@code HINT_REFUSED} past the window or a
     *     cap; {@code DISK_FULL} or {@code FAILED} when the hint store could not write it (all counted)
     */
    void store(NodeId owner, long token, Key key, List<Versioned> versions, long createdMillis,
               Consumer<WriteOutcome> done) {
        long now = context.clock().monotonicNanos();
        if (!liveness.isAlive(owner)) {
            long since = downSince(owner, now);
            // marked even when past the window, so that a restart does not open the window again
            markDown(owner, since, now);
            if (now - since > config.windowNanos()) {
                counters.get(HintCounter.DROPPED_WINDOW).incrementRelease();
                done.accept(WriteOutcome.HINT_REFUSED);
                return;
            }
        }
        Target target = target(owner);
        int size = HintTasks.size(key, versions);
        if (target.bytes + target.reservedBytes + size > config.maxBytesPerTarget()
            || totalBytes + size > config.maxBytesTotal()) {
            counters.get(HintCounter.DROPPED_CAP).incrementRelease();
            done.accept(WriteOutcome.HINT_REFUSED);
            return;
        }
        long hintSequence = sequenceBase + ++sequence;
        target.reservedBytes += size;
        totalBytes += size;
        boolean queued = stage.write(HintTasks.ownerToken(owner),
            engine -> HintTasks.store(engine, owner, hintSequence, createdMillis, token, key, versions),
            (hint, failure) -> {
                target.reservedBytes -= size;
                if (failure != null) {
                    totalBytes -= size;
                    counters.get(HintCounter.STORE_FAILURES).incrementRelease();
                    if (failure.code() != ErrorCode.DISK_FULL) {
                        // the record may have been applied before its force failed, and a later force may keep it:
                        // deleted (and skipped by scans until then), so that it is never delivered and taken off a
                        // count it was never added to (DISK_FULL says nothing was written)
                        delete(owner, hintSequence);
                    }
                    done.accept(failure.code() == ErrorCode.DISK_FULL ? WriteOutcome.DISK_FULL : WriteOutcome.FAILED);
                    return;
                }
                target.count++;
                target.bytes += hint.bytes();
                totalBytes += hint.bytes() - size;
                target.more = true;
                counters.get(HintCounter.STORED).incrementRelease();
                publish(target);
                done.accept(WriteOutcome.STORED);
            });
        if (!queued) {
            target.reservedBytes -= size;
            totalBytes -= size;
            counters.get(HintCounter.STORE_FAILURES).incrementRelease();
            done.accept(WriteOutcome.FAILED);
        }
    }

    /**
     * A substitute's side of sloppy quorum: keeps a coordinator's write for its down replica, unless the replica is on
     * neither ring this node knows ({@code HINT_REFUSED}, counted; the write loses that acknowledgement toward W, and
     * the coordinator keeps the hint itself). A retransmission of a
     * hinted write taken lately (its answer lost, or sent while the first copy was being forced) stores no second
     * hint: it gets the first one's answer, or none while that is still being stored (the first copy's answer goes
     * out when it is).
     */
    void onHintedWrite(NodeId sender, Message.HintedWrite write, Consumer<WriteOutcome> done) {
        long now = context.clock().monotonicNanos();
        ForwardedWrites.Id id = new ForwardedWrites.Id(sender, write.correlationId());
        ForwardedWrites.Begin begin = received.begin(id, now);
        if (begin == ForwardedWrites.Begin.REPEAT) {
            counters.get(HintCounter.RECEIVED_REPEATS).incrementRelease();
            WriteOutcome answer = received.answer(id);
            if (answer != null) {
                done.accept(answer);
            }
            return;
        }
        counters.get(HintCounter.RECEIVED).incrementRelease();
        // when too many are remembered, the write is kept all the same, untracked: a repeat of it may then store a
        // second hint, which delivers the same versions twice and changes nothing at the replica
        Consumer<WriteOutcome> answer = begin == ForwardedWrites.Begin.FULL ? done : outcome -> {
            received.finish(id, outcome, context.clock().monotonicNanos());
            done.accept(outcome);
        };
        if (write.owner().equals(context.self())) {
            // the coordinator thought this node down: it is the replica, so it takes the write itself
            local.apply(write.token(), write.key(), write.versions(), answer);
            return;
        }
        if (!ring.contains(write.owner()) && !future.contains(write.owner())) {
            // a coordinator hints only for a replica of its ring: an owner no ring here knows would be given a
            // target, a down mark and a window that nothing ever clears, one more for every id a sender makes up.
            // Mostly a coordinator whose ring still holds a node removed here: it keeps the hint itself
            counters.get(HintCounter.DROPPED_UNKNOWN_OWNER).incrementRelease();
            answer.accept(WriteOutcome.HINT_REFUSED);
            return;
        }
        // a hint's age decides when it is too old to deliver (the tombstone grace): a time ahead of this node's clock
        // (a sender's skewed clock, or one made up) would keep it deliverable for as long as it is ahead
        long createdMillis = Math.min(write.createdMillis(), context.clock().wallClockMillis());
        store(write.owner(), write.token(), write.key(), write.versions(), createdMillis, answer);
    }

    /** Counts a write a coordinator sent to a substitute. */
    void countSubstituteWrite() {
        counters.get(HintCounter.SUBSTITUTE_WRITES).incrementRelease();
    }

    /** @return whether {@code correlationId} is one of this node's hint deliveries */
    static boolean isDelivery(long correlationId) {
        return (correlationId & CORRELATION_FLAG) != 0;
    }

    /** A replica acknowledged (or refused) a delivered hint. */
    void onAck(NodeId sender, Message.WriteAck ack) {
        onAck(ack.correlationId(), sender, ack.outcome());
    }

    private void onAck(long correlationId, NodeId sender, WriteOutcome outcome) {
        Delivery delivery = deliveries.get(correlationId);
        if (delivery == null || !delivery.markAnswered(sender)) {
            return;
        }
        Target target = delivery.target;
        if (!outcome.ok()) {
            counters.get(HintCounter.DELIVERY_REFUSALS).incrementRelease();
            deliveries.remove(correlationId);
            releaseSlot(delivery);
            endAside(delivery);
            HintTasks.Hint hint = delivery.hint;
            long now = context.clock().monotonicNanos();
            if (outcome == WriteOutcome.DISK_FULL) {
                // a full disk is waited out: the refusals in a row of this hint start again
                refusals.remove(hint.sequence());
                if (sender.equals(hint.owner())) {
                    // the replica takes no write now: every hint for it waits an interval
                    target.queued.addFirst(hint);
                    target.pausedUntilNanos = now + config.deliveryIntervalNanos();
                } else {
                    // a pending replica's disk is full: this hint alone waits
                    park(target, hint, now + config.deliveryIntervalNanos());
                    deliver(target, now);
                }
                return;
            }
            Refusals refused = refusals.computeIfAbsent(hint.sequence(), sequence -> new Refusals(target.owner, now));
            refused.count++;
            if (refused.count >= MAX_REFUSALS && now - refused.sinceNanos >= REFUSED_FOR_NANOS) {
                // refused for good, most likely (the key at its sibling limit there, a write too large for the
                // replica's limits), not for a while (a full storage stage, a failing flush): repair brings it
                counters.get(HintCounter.DROPPED_REFUSED).incrementRelease();
                takeOff(target, hint);
                deliver(target, now);
                return;
            }
            // this hint is tried again an interval from now; the replica's other hints go on meanwhile
            park(target, hint, now + config.deliveryIntervalNanos());
            deliver(target, now);
            return;
        }
        if (!delivery.allAnswered()) {
            return;
        }
        delivered(correlationId, delivery);
    }

    /** The hint reached who needed it: counted, deleted, and the next ones sent. */
    private void delivered(long correlationId, Delivery delivery) {
        Target target = delivery.target;
        deliveries.remove(correlationId);
        releaseSlot(delivery);
        endAside(delivery);
        HintTasks.Hint hint = delivery.hint;
        counters.get(HintCounter.DELIVERED).incrementRelease();
        counters.get(HintCounter.DELIVERED_BYTES).addRelease(hint.bytes());
        takeOff(target, hint);
        deliver(target, context.clock().monotonicNanos());
    }

    @Override
    public void onTimer(long timerId) {
        long now = context.clock().monotonicNanos();
        for (io.ringkv.api.Node node : ring.nodes()) {
            if (liveness.isAlive(node.id())) {
                downSince.remove(node.id());
                downGenerations.remove(node.id());
                earlierMarks.remove(node.id());
                aliveInThisRun.add(node.id());
                if (marked.contains(node.id())) {
                    clearMark(node.id());
                }
            } else {
                long since = downSince(node.id(), now);
                Target target = targets.get(node.id());
                if (target != null && target.count > 0) {
                    // hints stored before the summary was read wrote no mark
                    markDown(node.id(), since, now);
                } else if (loaded && marked.contains(node.id()) && !markedNow.contains(node.id())) {
                    // a mark of an absence that ended unseen (a later run of the replica is known), and no hint
                    // to write a new one beside: it goes, lest a restart of this node trust it
                    clearMark(node.id());
                }
            }
        }
        if (!loaded && !summarizing) {
            summarize();
        }
        retryDeletes();
        resendExpired(now);
        for (Target target : targets.values()) {
            deliver(target, now);
        }
        context.timers().schedule(config.deliveryIntervalNanos(), this);
    }

    /** @return hints held, by replica, where not zero (for tests and the operator's view) */
    public Map<NodeId, Integer> pendingByTarget() {
        Map<NodeId, Integer> pending = new TreeMap<>();
        targets.forEach((owner, target) -> {
            if (target.count != 0) {
                pending.put(owner, target.count);
            }
        });
        return pending;
    }

    /** @return one of hinted handoff's counters */
    public long counter(HintCounter counter) {
        return counters.value(counter);
    }

    /** @return whether the hints kept by earlier runs have been counted */
    public boolean loaded() {
        return loaded;
    }

    private void resendExpired(long now) {
        // a copy: a local replica that refuses at once answers while this loop runs
        for (Map.Entry<Long, Delivery> entry : List.copyOf(deliveries.entrySet())) {
            Delivery delivery = entry.getValue();
            if (deliveries.get(entry.getKey()) != delivery) {
                continue;
            }
            if (!stillAddressed(delivery)) {
                // the owner left the ring, or a replica it was redirected to is DOWN: its answer may never come, so
                // the hint goes back in line and is sent to whoever should have it now
                deliveries.remove(entry.getKey());
                releaseSlot(delivery);
                endAside(delivery);
                delivery.target.queued.addFirst(delivery.hint);
                continue;
            }
            if (delivery.aside && asideDone(entry.getKey(), delivery)) {
                continue;
            }
            long timeout = replicationConfig.requestTimeoutNanos();
            if (now - delivery.sentNanos >= (delivery.aside ? PENDING_SLOW_RESENDS * timeout : timeout)) {
                if (!delivery.aside && delivery.resends >= PENDING_RESENDS && !ring.isEmpty()
                    && delivery.someReplicaHoldsIt(ring.preferenceList(delivery.hint.token()))) {
                    // only replicas believed alive yet not answering are left (pending replicas, or current ones a
                    // redirected hint goes to): the hint gives its delivery slot back to the owner's other hints,
                    // and is sent to them now and then until they answer or are no longer among its recipients
                    // (asideDone); still counted
                    releaseSlot(delivery);
                    delivery.aside = true;
                    delivery.target.aside++;
                    deliver(delivery.target, now);
                    continue;
                }
                counters.get(HintCounter.DELIVERY_RETRIES).incrementRelease();
                delivery.sentNanos = now;
                delivery.resends++;
                send(entry.getKey(), delivery);
            }
        }
    }

    /**
     * @return whether every recipient yet to answer is still the right one (an owner on the ring, or alive), and no
     *     recipient is missing (a replica the key gained in a move that began after the hint was sent)
     */
    private boolean stillAddressed(Delivery delivery) {
        if (!List.of(delivery.recipients).containsAll(List.of(recipients(delivery.hint)))) {
            return false;
        }
        for (int i = 0; i < delivery.recipients.length; i++) {
            NodeId recipient = delivery.recipients[i];
            if (!delivery.answered[i] && (recipient.equals(delivery.hint.owner()) ? !replicates(delivery.hint)
                : !liveness.isAlive(recipient))) {
                return false;
            }
        }
        return true;
    }

    private void deliver(Target target, long now) {
        // not before the hints of earlier runs are counted: a delivery would otherwise decrement a count that does
        // not hold it yet
        if (!loaded || target.count <= 0 && target.queued.isEmpty()) {
            return;
        }
        unpark(target, now);
        boolean onRing = ring.contains(target.owner);
        if (onRing && !liveness.isAlive(target.owner) && !handingOff) {
            abandon(target);
            return;
        }
        refill(target, now);
        long expiredBefore = expiredBeforeMillis();
        while (target.inFlight < config.maxInFlight() && target.allowance > 0 && now >= target.pausedUntilNanos) {
            HintTasks.Hint hint = target.queued.pollFirst();
            if (hint != null && deleting.containsKey(hint.sequence())) {
                continue; // delivered already (a copy): only its delete is left
            }
            if (hint != null && hint.createdMillis() < expiredBefore) {
                // aged past the grace while it waited in line (refused, or its replica down): never delivered
                dropExpired(target, hint);
                continue;
            }
            if (hint == null) {
                if (!target.reading) {
                    if (!target.more && target.inFlight == 0
                        && target.count > target.parked.size() + target.aside && now >= target.rescanNotBeforeNanos) {
                        // counted hints the scan no longer finds after its cursor: read the store from the start,
                        // at most once an interval (a count no scan can meet, a corrupt record's, say, would
                        // otherwise read the store over and over with no time passing)
                        target.cursor = Long.MIN_VALUE;
                        target.more = true;
                        target.rescanNotBeforeNanos = now + config.deliveryIntervalNanos();
                    }
                    if (target.more) {
                        scan(target);
                    }
                }
                return;
            }
            NodeId[] recipients = recipients(hint);
            if (recipients.length == 0) {
                target.queued.addFirst(hint);
                return;
            }
            boolean replicated = replicates(hint);
            if (!replicated) {
                counters.get(HintCounter.REDIRECTED).incrementRelease();
            }
            target.allowance -= hint.bytes();
            long correlationId = CORRELATION_FLAG | nextCorrelation++;
            Delivery delivery = new Delivery(target, hint, recipients, now);
            // recipients() names a keeper only for an owner that replicates the key and is DOWN while this node
            // hands its hints off; a redirected hint goes as a write to every current replica, never as a hint
            delivery.toKeeper = handingOff && replicated && !recipients[0].equals(hint.owner());
            deliveries.put(correlationId, delivery);
            target.inFlight++;
            send(correlationId, delivery);
        }
    }

    /**
     * @return the owner while it is a replica of the key, first, with the key's pending replicas believed alive while
     *     nodes join or leave (or, while this node hands its hints off, another live node to keep the hint for a DOWN
     *     owner); else (it left the ring, or is back on it with other tokens) the key's current replicas believed
     *     alive
     */
    private NodeId[] recipients(HintTasks.Hint hint) {
        if (replicates(hint)) {
            if (handingOff && !liveness.isAlive(hint.owner())) {
                NodeId keeper = keeper(hint.owner());
                return keeper == null ? new NodeId[0] : new NodeId[] {keeper};
            }
            if (future == ring || future.isEmpty()) {
                return new NodeId[] {hint.owner()};
            }
            // as the coordinator sends a write to them: an owner that leaves may have streamed the key's range to
            // its successor already, and one that loses the key to a joiner may be past it in the joiner's stream
            List<NodeId> recipients = new ArrayList<>(List.of(hint.owner()));
            addPendingReplicas(hint.token(), recipients);
            return recipients.toArray(NodeId[]::new);
        }
        if (ring.isEmpty()) {
            return new NodeId[0];
        }
        PreferenceList replicas = ring.preferenceList(hint.token());
        List<NodeId> alive = new ArrayList<>();
        for (int i = 0; i < replicas.size(); i++) {
            if (liveness.isAlive(replicas.get(i).id())) {
                alive.add(replicas.get(i).id());
            }
        }
        if (!alive.isEmpty() && future != ring && !future.isEmpty()) {
            // and the key's pending replicas, as a write goes to them: a joiner may be past the key in its stream
            addPendingReplicas(hint.token(), alive);
        }
        return alive.toArray(NodeId[]::new);
    }

    /** Adds to {@code recipients} the live replicas {@code token} gains in the ring after the moves. */
    private void addPendingReplicas(long token, List<NodeId> recipients) {
        for (NodeId node : Ring.pendingReplicas(ring, future, token, Integer.MAX_VALUE)) {
            if (!recipients.contains(node) && liveness.isAlive(node)) {
                recipients.add(node);
            }
        }
    }

    /** @return whether the hint's owner is on the ring and a replica of its key */
    private boolean replicates(HintTasks.Hint hint) {
        return ring.replicates(hint.owner(), hint.token());
    }

    /**
     * @return a live node of the ring after the moves, neither this one nor {@code owner}, to keep a hint for it,
     *     a member now first; null if none. A node that is leaving too is not in that ring: handed hints after its
     *     own hand-off, it would leave with them. A joiner is in it, but may never finish (and be removed and wiped)
     */
    private NodeId keeper(NodeId owner) {
        Ring after = future.isEmpty() ? ring : future;
        NodeId joining = null;
        for (io.ringkv.api.Node node : after.nodes()) {
            NodeId id = node.id();
            if (!id.equals(context.self()) && !id.equals(owner) && liveness.isAlive(id)) {
                if (ring.contains(id)) {
                    return id;
                }
                joining = joining == null ? id : joining;
            }
        }
        return joining;
    }

    /**
     * Hands every hint this node holds over before it leaves the cluster: hints for live owners are delivered as
     * always, hints for DOWN owners go to another live node, which keeps them for the owner. Agent thread.
     */
    public void handOff() {
        handingOff = true;
        for (Target target : targets.values()) {
            deliver(target, context.clock().monotonicNanos());
        }
    }

    /** @return hints this node holds, for every owner (the {@code hints_pending} gauge) */
    public long pending() {
        long total = 0;
        for (Target target : targets.values()) {
            total += target.count;
        }
        return total;
    }

    /**
     * @return the hints a leaving node still has to hand over: {@link #pending()}, and at least one while the hints
     *     earlier runs left are not counted yet (a leave must not take the count of zero for "none")
     */
    public long toHandOver() {
        return loaded ? pending() : Math.max(1, pending());
    }

    private void send(long correlationId, Delivery delivery) {
        HintTasks.Hint hint = delivery.hint;
        if (delivery.toKeeper) {
            // kept by another node for the DOWN owner: sent as a hint, with its original creation time
            counters.get(HintCounter.DELIVERY_SENDS).incrementRelease();
            int hinted = codec.encodeHintedWrite(correlationId, hint.token(), hint.key(), hint.versions(),
                hint.owner(), hint.createdMillis());
            context.transport().send(delivery.recipients[0], codec.sendBuffer(), 0, hinted);
            return;
        }
        int length = -1;
        for (int i = 0; i < delivery.recipients.length; i++) {
            if (delivery.answered[i]) {
                continue;
            }
            NodeId recipient = delivery.recipients[i];
            counters.get(HintCounter.DELIVERY_SENDS).incrementRelease();
            if (recipient.equals(context.self())) {
                local.apply(hint.token(), hint.key(), hint.versions(),
                    outcome -> onAck(correlationId, context.self(), outcome));
                continue;
            }
            if (length < 0) {
                length = codec.encodeWrite(correlationId, hint.token(), hint.key(), hint.versions());
            }
            context.transport().send(recipient, codec.sendBuffer(), 0, length);
        }
    }

    private void scan(Target target) {
        target.reading = true;
        int epoch = target.epoch;
        long after = target.cursor;
        NodeId owner = target.owner;
        boolean queued = stage.read(HintTasks.ownerToken(owner), engine -> HintTasks.next(engine, owner, after,
            SCAN_BATCH, SCAN_BYTES, HintTasks.engineLimits(replicationConfig)), (batch, failure) -> {
                if (epoch != target.epoch) {
                    return;
                }
                target.reading = false;
                if (failure != null) {
                    counters.get(HintCounter.STORE_FAILURES).incrementRelease();
                    target.pausedUntilNanos = context.clock().monotonicNanos() + config.deliveryIntervalNanos();
                    return;
                }
                for (HintTasks.Corrupt corrupt : batch.corrupt()) {
                    target.cursor = Math.max(target.cursor, corrupt.sequence());
                    // one held decoded its record before: that copy is delivered and taken off the count
                    if (!deleting.containsKey(corrupt.sequence()) && !held.contains(corrupt.sequence())) {
                        if (!uncounted.contains(corrupt.sequence())) {
                            // counted when it was stored, or by the summary when it still read: a count left one
                            // high would hold a leaving node for the whole hand-off time, for a hint never delivered
                            takeOffCorrupt(target, corrupt);
                        }
                        dropCorrupt(owner, corrupt.sequence());
                    }
                }
                long expiredBefore = expiredBeforeMillis();
                for (HintTasks.Hint hint : batch.hints()) {
                    target.cursor = Math.max(target.cursor, hint.sequence());
                    if (deleting.containsKey(hint.sequence())) {
                        continue; // delivered or dropped already: only its delete is still to succeed
                    }
                    if (held.contains(hint.sequence())) {
                        continue; // queued, in flight or set aside already
                    }
                    if (hint.createdMillis() < expiredBefore) {
                        dropExpired(target, hint);
                    } else {
                        target.queued.addLast(hint);
                        held.add(hint.sequence());
                    }
                }
                target.more = batch.more();
                deliver(target, context.clock().monotonicNanos());
            });
        if (!queued) {
            target.reading = false;
        }
    }

    /** The replica went DOWN: forget what was read and sent; delivery starts over from the store when it returns. */
    private void abandon(Target target) {
        if (target.inFlight == 0 && target.queued.isEmpty() && !target.reading && target.aside == 0
            && target.parked.isEmpty()) {
            return;
        }
        Iterator<Delivery> pending = deliveries.values().iterator();
        while (pending.hasNext()) {
            Delivery delivery = pending.next();
            if (delivery.target == target) {
                pending.remove();
                endAside(delivery);
                held.remove(delivery.hint.sequence());
            }
        }
        target.inFlight = 0;
        for (HintTasks.Hint hint : target.queued) {
            held.remove(hint.sequence());
        }
        target.queued.clear();
        for (Parked aside : target.parked) {
            held.remove(aside.hint().sequence());
        }
        target.parked.clear();
        // the replica went down: its refusals before are no guide to what it answers when it is back
        refusals.values().removeIf(refused -> refused.owner.equals(target.owner));
        target.reading = false;
        target.epoch++;
        target.cursor = Long.MIN_VALUE;
        target.more = true;
    }

    private void refill(Target target, long now) {
        long rate = config.deliveryBytesPerSecond();
        if (target.refilledNanos == 0) {
            target.allowance = rate;
        } else {
            double earned = (now - target.refilledNanos) / 1e9 * rate;
            target.allowance = Math.min(rate, target.allowance + earned);
        }
        target.refilledNanos = now;
    }

    /**
     * Deletes a hint already taken off its owner's count, trying again at every interval until it succeeds (until
     * then, scans skip it). A restart forgets the retries: the hint is then counted and delivered again, which
     * changes nothing at the replica.
     */
    private void delete(NodeId owner, long hintSequence) {
        deleting.put(hintSequence, owner);
        deletesToRetry.remove(hintSequence);
        writeStore(owner, engine -> HintTasks.delete(engine, owner, hintSequence),
            () -> deleting.remove(hintSequence), () -> deletesToRetry.put(hintSequence, owner));
    }

    /**
     * Runs {@code work} on the hint store at {@code owner}'s token, through the hint stage: {@code done} once it is
     * durable, {@code failed} (counted) when it failed or the stage took no more.
     */
    private void writeStore(NodeId owner, Consumer<StorageEngine> work, Runnable done,
                            Runnable failed) {
        boolean queued = stage.write(HintTasks.ownerToken(owner), engine -> {
            work.accept(engine);
            return Boolean.TRUE;
        }, (result, failure) -> {
            if (failure == null) {
                done.run();
            } else {
                counters.get(HintCounter.STORE_FAILURES).incrementRelease();
                failed.run();
            }
        });
        if (!queued) {
            counters.get(HintCounter.STORE_FAILURES).incrementRelease();
            failed.run();
        }
    }

    private void retryDeletes() {
        for (Map.Entry<Long, NodeId> retry : List.copyOf(deletesToRetry.entrySet())) {
            delete(retry.getValue(), retry.getKey());
        }
    }

    /**
     * A hint older than the tombstone grace is never delivered: the delete that followed its write may have been
     * purged everywhere since, and the hint would bring the deleted value back (Cassandra caps a hint's life at
     * {@code gc_grace_seconds} for the same reason). Repair, not the hint, brings the replica up to date then.
     */
    private void dropExpired(Target target, HintTasks.Hint hint) {
        counters.get(HintCounter.DROPPED_EXPIRED).incrementRelease();
        takeOff(target, hint);
    }

    /**
     * Ends a delivery set aside for a silent pending replica when it is no longer needed: the hint aged past the
     * grace (dropped: it must not bring back a purged delete), or the move is over and no silent recipient is one the
     * hint goes to now (delivered: its replica took it).
     *
     * @return whether it ended
     */
    private boolean asideDone(long correlationId, Delivery delivery) {
        long expiredBefore = expiredBeforeMillis();
        if (delivery.hint.createdMillis() < expiredBefore) {
            deliveries.remove(correlationId);
            endAside(delivery);
            dropExpired(delivery.target, delivery.hint);
            return true;
        }
        List<NodeId> wanted = List.of(recipients(delivery.hint));
        for (int i = 0; i < delivery.recipients.length; i++) {
            if (!delivery.answered[i] && wanted.contains(delivery.recipients[i])) {
                return false;
            }
        }
        delivered(correlationId, delivery);
        return true;
    }

    /** A delivery ends, or stops holding one of its replica's in-flight slots; once. */
    private void releaseSlot(Delivery delivery) {
        if (!delivery.slotReleased) {
            delivery.target.inFlight--;
            delivery.slotReleased = true;
        }
    }

    /** A delivery set aside for a silent pending replica ended (answered, refused, or sent back in line). */
    private void endAside(Delivery delivery) {
        if (delivery.aside) {
            delivery.aside = false;
            delivery.target.aside--;
        }
    }

    /** Sets {@code hint} aside until {@code notBeforeNanos}: it stays held (scans skip it) and counted. */
    private void park(Target target, HintTasks.Hint hint, long notBeforeNanos) {
        target.parked.addLast(new Parked(hint, notBeforeNanos));
    }

    /** Puts the hints set aside whose time has come back at the head of the line. */
    private void unpark(Target target, long now) {
        for (Iterator<Parked> aside = target.parked.iterator(); aside.hasNext(); ) {
            Parked parked = aside.next();
            if (parked.notBeforeNanos() <= now) {
                aside.remove();
                target.queued.addFirst(parked.hint());
            }
        }
    }

    /**
     * @return the wall-clock time before which a hint is never delivered: older than the tombstone grace, it might
     *     bring back a delete purged everywhere since
     */
    private long expiredBeforeMillis() {
        return context.clock().wallClockMillis() - replicationConfig.tombstoneGraceMillis();
    }

    /** A hint delivered or given up: off its replica's count, and deleted. */
    private void takeOff(Target target, HintTasks.Hint hint) {
        held.remove(hint.sequence());
        refusals.remove(hint.sequence());
        uncount(target, hint.bytes());
        delete(hint.owner(), hint.sequence());
    }

    private void takeOffCorrupt(Target target, HintTasks.Corrupt corrupt) {
        // what the record still tells of its size may be more than was counted for it
        uncount(target, Math.min(corrupt.bytes(), target.bytes));
    }

    /** Takes one hint of {@code bytes} off its replica's count and the node's total. */
    private void uncount(Target target, long bytes) {
        target.count--;
        target.bytes -= bytes;
        totalBytes -= bytes;
        publish(target);
    }

    private void dropCorrupt(NodeId owner, long hintSequence) {
        counters.get(HintCounter.CORRUPT).incrementRelease();
        delete(owner, hintSequence);
    }

    private Target target(NodeId owner) {
        Target target = targets.get(owner);
        if (target == null) {
            target = new Target(owner, gauge(owner));
            targets.put(owner, target);
        }
        return target;
    }

    /**
     * @return the name of the gauge of hints held for {@code owner} ({@code hints_pending_<id>}, the id lower-cased
     *     with every character other than a letter, digit or underscore as an underscore)
     */
    public static String gaugeName(NodeId owner) {
        return "hints_pending_" + owner.value().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    }

    /** @return a gauge of {@code owner}'s pending hints, or null past the gauge limit or for a clashing name */
    private Counter gauge(NodeId owner) {
        if (targetGauges >= MAX_TARGET_GAUGES) {
            return null;
        }
        String name = gaugeName(owner);
        try {
            Counter counter = context.counters().register(name, "hints this node holds for " + owner.value(),
                CounterKind.GAUGE, "hints");
            targetGauges++;
            return counter;
        } catch (IllegalArgumentException | IllegalStateException e) {
            return null;
        }
    }

    private void publish(Target target) {
        counters.get(HintCounter.PENDING).setRelease(pending());
        counters.get(HintCounter.PENDING_BYTES).setRelease(totalBytes);
        if (target.gauge != null) {
            target.gauge.setRelease(target.count);
        }
    }

    /** What this node holds and is delivering for one replica. */
    private static final class Target {
        final NodeId owner;
        final Counter gauge;
        /** Hints on the store, written and not yet acknowledged by the replica. */
        int count;
        long bytes;
        /** Hints being written. */
        long reservedBytes;
        /** The last sequence read from the store for delivery. */
        long cursor = Long.MIN_VALUE;
        /** Whether the store may hold hints after the cursor. */
        boolean more = true;
        boolean reading;
        /** Bumped when delivery starts over, so that a scan answered afterwards is ignored. */
        int epoch;
        final ArrayDeque<HintTasks.Hint> queued = new ArrayDeque<>();
        /** Hints set aside until a time: refused by the replica. */
        final ArrayDeque<Parked> parked = new ArrayDeque<>();
        /** Deliveries set aside for a silent pending replica (their hints are neither queued nor in a slot). */
        int aside;
        /** The earliest time of the next scan from the start of the store. */
        long rescanNotBeforeNanos;
        int inFlight;
        double allowance;
        long refilledNanos;
        long pausedUntilNanos;

        Target(NodeId owner, Counter gauge) {
            this.owner = owner;
            this.gauge = gauge;
        }
    }

    /** A hint set aside, and when it may be tried again. */
    private record Parked(HintTasks.Hint hint, long notBeforeNanos) {
    }

    /** A hint's refusals in a row: how many, since when, and for which replica. */
    private static final class Refusals {
        final NodeId owner;
        final long sinceNanos;
        int count;

        Refusals(NodeId owner, long sinceNanos) {
            this.owner = owner;
            this.sinceNanos = sinceNanos;
        }
    }

    /** One hint sent and not yet acknowledged by every recipient. */
    private static final class Delivery {
        final Target target;
        final HintTasks.Hint hint;
        final NodeId[] recipients;
        final boolean[] answered;
        long sentNanos;
        /** Times sent again for want of an answer. */
        int resends;
        /** No longer holds one of its replica's in-flight slots (it ended, or was set aside). */
        boolean slotReleased;
        /** Set aside: only a silent pending replica is left to answer, and it is sent to now and then. */
        boolean aside;
        /** Sent, as a hint, to another node that keeps it for the DOWN owner (this node hands its hints off). */
        boolean toKeeper;

        Delivery(Target target, HintTasks.Hint hint, NodeId[] recipients, long sentNanos) {
            this.target = target;
            this.hint = hint;
            this.recipients = recipients;
            this.answered = new boolean[recipients.length];
            this.sentNanos = sentNanos;
        }

        boolean markAnswered(NodeId sender) {
            for (int i = 0; i < recipients.length; i++) {
                if (recipients[i].equals(sender) && !answered[i]) {
                    answered[i] = true;
                    return true;
                }
            }
            return false;
        }

        boolean allAnswered() {
            for (boolean each : answered) {
                if (!each) {
                    return false;
                }
            }
            return true;
        }

        /**
         * @param replicas the key's current replicas
         * @return whether a replica of the key holds the hint's write now: its owner answered (it is the first
         *     recipient when it is one), or, for a hint redirected to the key's current replicas (its owner not among
         *     them, and no keeper), one of them did (a pending replica's answer alone does not count)
         */
        boolean someReplicaHoldsIt(PreferenceList replicas) {
            if (recipients.length == 0 || toKeeper) {
                return false;
            }
            if (recipients[0].equals(hint.owner())) {
                return answered[0];
            }
            // a redirected hint's recipients: the key's current replicas, then its pending ones
            for (int i = 0; i < recipients.length; i++) {
                if (answered[i] && replicas.contains(recipients[i])) {
                    return true;
                }
            }
            return false;
        }
    }

    /** An earlier run's down mark of a replica: since when (wall clock), and its run then (0 when unknown). */
    private record EarlierMark(long sinceMillis, long generation) {
    }
}
