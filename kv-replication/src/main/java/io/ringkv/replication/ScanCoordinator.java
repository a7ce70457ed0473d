package io.ringkv.replication;

import io.ringkv.api.CounterSet;
import io.ringkv.api.ErrorCode;
import io.ringkv.api.Key;
import io.ringkv.api.NodeContext;
import io.ringkv.api.NodeId;
import io.ringkv.api.TimerHandler;
import io.ringkv.replication.internal.Message;
import io.ringkv.replication.internal.MessageCodec;
import io.ringkv.ring.Ring;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.agrona.collections.Long2ObjectHashMap;

/**
 * SCAN over the whole cluster, both sides of it. As coordinator it walks the token space from the cursor's
 * position range by range (the ring's ranges), asking ONE replica of each range for the live keys after the
 * position, and retries another replica of the range when the one asked does not answer in time or fails: a scan
 * needs one live replica per range (R = 1), and survives a node failure. As replica it reads a page of its keys on
 * its storage stage, never on the agent thread.
 *
 * <p>Guarantee (Redis' SCAN guarantee, per replica asked): a key that a replica of its range holds live for the
 * whole scan is returned at least once, because positions only move forward in (token, key) order and a page
 * resumes exactly after the last record its replica visited. A key written with W = N (or repaired onto every
 * replica) before the scan started and not deleted is so held by every replica. No server-side state survives a
 * call: the {@link ScanCursor} carries the position. Agent thread only.
 */
public final class ScanCoordinator implements TimerHandler {
    /** The most keys one call asks for (SCAN's COUNT). */
    public static final int MAX_COUNT = MessageCodec.MAX_SCAN_KEYS;
    /** Pages asked of replicas per call at most: a call over many empty ranges still answers promptly. */
    static final int MAX_PAGES_PER_CALL = 64;
    /**
     * Scans in flight at most; beyond it a call is refused with {@code UNAVAILABLE}. Each holds up to COUNT keys until
     * it answers, and the keys of its last token beyond them (up to {@link #MAX_COUNT} more), so this bounds the heap
     * scans take (128 × 2,000 keys of 1 KiB: 256 MiB at worst, a bound keys sharing tokens never come near).
     */
    static final int MAX_IN_FLIGHT = 128;
    /** Asks of one range's page before the call fails: each replica twice. */
    private static final int ROUNDS = 2;

    private final NodeContext context;
    private final Supplier<Ring> ring;
    private final LivenessView liveness;
    private final Replica local;
    private final MessageCodec codec;
    private final CounterSet<ScanCounter> counters;
    private final long retryNanos;
    private final io.ringkv.api.Limits limits;
    /** Every ask of a call in flight, the timed-out ones included: a slow replica's page still counts. */
    private final Long2ObjectHashMap<Ask> byCorrelation = new Long2ObjectHashMap<>();
    private final Long2ObjectHashMap<PendingScan> byTimer = new Long2ObjectHashMap<>();
    private long nextCorrelation = 1;
    private int inFlight;

    /**
     * One page asked of a replica, and whom. A page that comes after its ask timed out (the replica's storage was
     * slow: a page answers after every earlier write's force) is still taken, whichever replica was asked since: a
     * call's asks stay open only while it stands where they asked from ({@link #forgetAsks} closes them all as it
     * moves on or ends).
     */
    private record Ask(PendingScan scan, NodeId target) {
    }

    /** One call in flight: where it stands, what it found, whom it asks. */
    private static final class PendingScan {
        final int count;
        final ScanCallback callback;
        final List<Key> keys = new ArrayList<>();
        long token;
        Key afterKey;
        long end;
        NodeId[] replicas;
        int attempt;
        int pages;
        long correlationId;
        long timerId = -1;
        /** The correlation ids of its asks still unanswered. */
        final org.agrona.collections.LongArrayList asks = new org.agrona.collections.LongArrayList();
        /** The most keys the replica asked now may return. */
        int asked;
        /**
         * True once the call has its keys but stands within a token: it then reads the rest of that token's keys, so
         * that its cursor names a token alone (a 64-bit number), however many keys share the token.
         */
        boolean finishingToken;

        PendingScan(ScanCursor from, int count, ScanCallback callback) {
            this.token = from.token();
            this.afterKey = from.afterKey();
            this.count = count;
            this.callback = callback;
        }
    }

    /**
     * @param ring the ring requests are routed by now (read at each page)
     * @param liveness which replicas to ask first
     * @param local this node's replica, asked directly when it replicates the range
     * @param config the cluster's settings: its retry interval is how long to wait for a replica's page before
     *     asking another; its key limits bound cursors
     */
    ScanCoordinator(NodeContext context, Supplier<Ring> ring, LivenessView liveness, Replica local,
                    MessageCodec codec, CounterSet<ScanCounter> counters, ReplicationConfig config) {
        this.context = context;
        this.ring = ring;
        this.liveness = liveness;
        this.local = local;
        this.codec = codec;
        this.counters = counters;
        this.retryNanos = config.retryIntervalNanos();
        this.limits = config.limits();
    }

    /**
     * Finds up to {@code count} live keys after {@code from}, in (token, key) order, across as many ranges as it
     * takes (at most {@value #MAX_PAGES_PER_CALL} pages): the page may hold fewer keys, or none, before the end.
     *
     * @param count 1 to {@link #MAX_COUNT}
     * @param callback answered once: the page, or {@code TIMEOUT} when no replica of a range answered (the same
     *     cursor may be tried again), {@code UNAVAILABLE} when the ring is empty or too many scans are in flight,
     *     {@code INVALID_ARGUMENT} for a count out of range
     */
    public void scan(ScanCursor from, int count, ScanCallback callback) {
        if (count < 1 || count > MAX_COUNT) {
            counters.get(ScanCounter.SCANS_FAILED).incrementRelease();
            callback.onFailure(ErrorCode.INVALID_ARGUMENT, "COUNT must be 1 to " + MAX_COUNT + ", was " + count);
            return;
        }
        if (inFlight >= MAX_IN_FLIGHT) {
            counters.get(ScanCounter.SCANS_FAILED).incrementRelease();
            callback.onFailure(ErrorCode.UNAVAILABLE, "node is overloaded: " + MAX_IN_FLIGHT
                + " scans are in flight; retry later");
            return;
        }
        inFlight++;
        askRange(new PendingScan(from, count, callback));
    }

    /** @return the key limits cursors are parsed with ({@link ScanCursor#parse}); immutable, any thread */
    public io.ringkv.api.Limits limits() {
        return limits;
    }

    /**
     * Reads the keys of the call's token after its position (the call has its keys, and stands within the token):
     * its last page then ends between tokens.
     */
    private void askRestOfToken(PendingScan scan) {
        Ring current = ring.get();
        if (current.isEmpty()) {
            fail(scan, ErrorCode.UNAVAILABLE, "the ring has no nodes");
            return;
        }
        scan.finishingToken = true;
        scan.end = scan.token;
        scan.replicas = candidates(current, current.tokenIndexFor(scan.token));
        scan.attempt = 0;
        ask(scan);
    }

    /** A replica's page arrived from a peer. */
    void onReply(NodeId sender, Message.ScanReply reply) {
        Ask ask = byCorrelation.get(reply.correlationId());
        if (ask == null || !sender.equals(ask.target())) {
            counters.get(ScanCounter.LATE_REPLIES).incrementRelease();
            return;
        }
        onAnswer(reply.correlationId(), ask, reply.ok() ? new ScanTasks.Page(reply.keys(), reply.exhausted(),
            reply.lastToken(), reply.lastKey()) : null);
    }

    /**
     * A replica answered an ask: a page for where the call stands is taken even when the ask timed out meanwhile;
     * a failure counts only from the replica asked last (an earlier one was given up already).
     */
    private void onAnswer(long correlationId, Ask ask, ScanTasks.Page page) {
        PendingScan scan = ask.scan();
        byCorrelation.remove(correlationId);
        scan.asks.removeLong(correlationId);
        if (page == null || !plausible(scan, page)) {
            // another replica is asked when this was the one asked last; an earlier one was replaced already
            if (correlationId == scan.correlationId) {
                cancelTimer(scan);
                retry(scan);
            }
            return;
        }
        onPage(scan, page);
    }

    /**
     * A coordinator asks this replica for a page: read on the storage stage, then answered. Refused (the coordinator
     * asks another replica) when this node is not a replica of the range in its own ring: the asker's ring may be
     * older, and this node may no longer hold, or not yet hold, the range's keys.
     */
    void onRequest(NodeId sender, Message.ScanRequest request) {
        if (!isReplicaOf(request.token())) {
            counters.get(ScanCounter.REFUSED_NOT_REPLICA).incrementRelease();
            int length = codec.encodeScanReply(request.correlationId(), false, List.of(), true, 0, null);
            context.transport().send(sender, codec.sendBuffer(), 0, length);
            return;
        }
        servePage(request.token(), request.afterKey(), request.endToken(), request.maxKeys(), page -> {
            int length = page == null
                ? codec.encodeScanReply(request.correlationId(), false, List.of(), true, 0, null)
                : codec.encodeScanReply(request.correlationId(), true, page.keys(), page.exhausted(),
                    page.lastToken(), page.lastKey());
            context.transport().send(sender, codec.sendBuffer(), 0, length);
        });
    }

    @Override
    public void onTimer(long timerId) {
        PendingScan scan = byTimer.remove(timerId);
        if (scan == null) {
            return;
        }
        scan.timerId = -1;
        // the ask stays open: its page is still taken if it comes before another replica's
        retry(scan);
    }

    private void servePage(long token, Key afterKey, long endToken, int maxKeys,
                           java.util.function.Consumer<ScanTasks.Page> done) {
        local.scan(token, afterKey, endToken, maxKeys, codec.scanReplyKeyBudget(), context.clock().wallClockMillis(),
            page -> {
                counters.get(page == null ? ScanCounter.SERVE_FAILURES : ScanCounter.PAGES_SERVED).incrementRelease();
                done.accept(page);
            });
    }

    private void askRange(PendingScan scan) {
        Ring current = ring.get();
        if (current.isEmpty()) {
            fail(scan, ErrorCode.UNAVAILABLE, "the ring has no nodes");
            return;
        }
        int index = current.tokenIndexFor(scan.token);
        // the range that wraps past Long.MAX_VALUE is walked in two parts: up to MAX now, from MIN at the start
        scan.end = index == 0 && scan.token > current.token(0) ? Long.MAX_VALUE : current.token(index);
        scan.replicas = candidates(current, index);
        scan.attempt = 0;
        ask(scan);
    }

    private boolean isReplicaOf(long token) {
        Ring current = ring.get();
        if (current.isEmpty()) {
            return false;
        }
        int index = current.tokenIndexFor(token);
        for (int i = 0; i < current.replicaCount(); i++) {
            if (current.node(current.replicaNodeIndex(index, i)).id().equals(context.self())) {
                return true;
            }
        }
        return false;
    }

    /** @return the range's replicas to ask in turn: this node first when it is one, live ones before the others */
    private NodeId[] candidates(Ring current, int tokenIndex) {
        int replicas = current.replicaCount();
        List<NodeId> live = new ArrayList<>(replicas);
        List<NodeId> others = new ArrayList<>(replicas);
        for (int i = 0; i < replicas; i++) {
            NodeId id = current.node(current.replicaNodeIndex(tokenIndex, i)).id();
            if (!liveness.isAlive(id)) {
                others.add(id);
            } else if (id.equals(context.self())) {
                live.addFirst(id);
            } else {
                live.add(id);
            }
        }
        live.addAll(others);
        return live.toArray(NodeId[]::new);
    }

    private void ask(PendingScan scan) {
        NodeId target = scan.replicas[scan.attempt % scan.replicas.length];
        long correlationId = nextCorrelation++;
        scan.correlationId = correlationId;
        // keys sharing one token are rare (64-bit tokens), and never cut apart when they fit one page
        int maxKeys = scan.finishingToken ? MAX_COUNT : scan.count - scan.keys.size();
        scan.asked = maxKeys;
        Ask ask = new Ask(scan, target);
        byCorrelation.put(correlationId, ask);
        scan.asks.addLong(correlationId);
        scan.timerId = context.timers().schedule(retryNanos, this);
        byTimer.put(scan.timerId, scan);
        counters.get(ScanCounter.REPLICA_ASKS).incrementRelease();
        if (target.equals(context.self())) {
            servePage(scan.token, scan.afterKey, scan.end, maxKeys, page -> {
                // the ask may have timed out meanwhile, and another replica been asked, or the call ended
                if (byCorrelation.get(correlationId) == ask) {
                    onAnswer(correlationId, ask, page);
                }
            });
        } else {
            int length = codec.encodeScanRequest(correlationId, scan.token, scan.afterKey, scan.end, maxKeys);
            context.transport().send(target, codec.sendBuffer(), 0, length);
        }
    }

    /** @param page a plausible page for where the call stands */
    private void onPage(PendingScan scan, ScanTasks.Page page) {
        forgetAsks(scan);
        scan.keys.addAll(page.keys());
        scan.pages++;
        if (page.exhausted()) {
            if (scan.end == Long.MAX_VALUE) {
                finish(scan, ScanCursor.START);
                return;
            }
            scan.token = scan.end + 1;
            scan.afterKey = null;
        } else {
            scan.token = page.lastToken();
            scan.afterKey = page.lastKey();
        }
        if (scan.finishingToken) {
            // the token's keys fit one page: the position is the next token (else, rarely, within this one)
            finish(scan, new ScanCursor(scan.token, scan.afterKey));
        } else if (scan.keys.size() >= scan.count || scan.pages >= MAX_PAGES_PER_CALL) {
            if (scan.afterKey != null) {
                askRestOfToken(scan);
            } else {
                finish(scan, new ScanCursor(scan.token, null));
            }
        } else {
            askRange(scan);
        }
    }

    /**
     * A page that would overfill the call, or move the position backwards, past the range or nowhere, is refused
     * (another replica is asked): a peer's bad answer never loses keys nor loops a scan.
     */
    private static boolean plausible(PendingScan scan, ScanTasks.Page page) {
        if (page.keys().size() > scan.asked) {
            return false;
        }
        if (page.exhausted()) {
            return true;
        }
        if (page.lastKey() == null || page.lastToken() < scan.token || page.lastToken() > scan.end) {
            return false;
        }
        return page.lastToken() > scan.token || scan.afterKey == null || page.lastKey().compareTo(scan.afterKey) > 0;
    }

    /** Closes every ask of the call and its timer: later pages for them are late. */
    private void forgetAsks(PendingScan scan) {
        for (int i = 0; i < scan.asks.size(); i++) {
            byCorrelation.remove(scan.asks.getLong(i));
        }
        scan.asks.clear();
        cancelTimer(scan);
    }

    private void cancelTimer(PendingScan scan) {
        if (scan.timerId != -1) {
            byTimer.remove(scan.timerId);
            context.timers().cancel(scan.timerId);
            scan.timerId = -1;
        }
    }

    private void retry(PendingScan scan) {
        scan.attempt++;
        if (scan.attempt >= scan.replicas.length * ROUNDS) {
            forgetAsks(scan);
            fail(scan, ErrorCode.TIMEOUT, "no replica of the token range up to " + scan.end
                + " answered the scan in time; retry with the same cursor");
            return;
        }
        counters.get(ScanCounter.RETRIES).incrementRelease();
        ask(scan);
    }

    private void finish(PendingScan scan, ScanCursor next) {
        inFlight--;
        counters.get(ScanCounter.SCANS_ANSWERED).incrementRelease();
        scan.callback.onSuccess(new ScanPage(scan.keys, next));
    }

    private void fail(PendingScan scan, ErrorCode code, String message) {
        inFlight--;
        counters.get(ScanCounter.SCANS_FAILED).incrementRelease();
        scan.callback.onFailure(code, message);
    }
}
