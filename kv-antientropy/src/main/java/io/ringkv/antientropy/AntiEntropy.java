package io.ringkv.antientropy;

import io.ringkv.antientropy.internal.RepairCodec;
import io.ringkv.antientropy.internal.RepairMessage;
import io.ringkv.api.CounterSet;
import io.ringkv.api.Key;
import io.ringkv.api.KvException;
import io.ringkv.api.Limits;
import io.ringkv.api.NodeContext;
import io.ringkv.api.NodeId;
import io.ringkv.api.TimerHandler;
import io.ringkv.ring.TokenRange;
import io.ringkv.storage.StorageRecord;
import io.ringkv.storage.StorageStage;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.agrona.DirectBuffer;

/**
 * Anti-entropy between replicas, on the agent thread: a <em>session</em> compares one token range this node holds
 * with one peer that holds it too, and leaves both with the union of what they held, merged.
 *
 * <ol>
 *   <li>Both sides take the range's hash tree ({@link RangeTree}, leaves of record hashes) from their
 *       {@link LiveTrees}, kept up to date as writes land, when it is ready for exactly this range; otherwise they
 *       build it from a token-ordered scan on their storage stage (counted: {@code repair_trees_from_live},
 *       {@code repair_trees_scanned}). The peer sends its leaf hashes (8 bytes a leaf, 4,096 leaves a message).</li>
 *   <li>For each leaf that differs, both sides list the leaf's (key, hash) pairs; the peer's travel in chunks. The
 *       listing corrects the live tree's hash of that leaf when it had drifted from what the scan found.</li>
 *   <li>Keys this node holds differently or the peer lacks are sent as records; keys the peer holds that this node
 *       lacks or holds differently are asked for. The receiver of a record merges it with the resolver
 *       ({@link RecordMerger}) and acknowledges once it is durable; a record unacknowledged after the retry interval
 *       is sent again (merging twice changes nothing).</li>
 * </ol>
 * Bytes moved track the difference: the tree is 8 KiB per range at the default 1,024 leaves, a differing leaf's
 * digest is 16 bytes plus the key per key of that leaf, and only differing keys' records move. Every request is
 * sent again until answered; a session with no progress for the session timeout fails (counted). A peer serves at
 * most {@code maxResponderSessions} at once and answers more with BUSY (a session its initiator ended, whose
 * records only wait for a lost acknowledgement, takes no slot), as it does while its storage stage is full. It
 * remembers the sessions it refused, in the order they first asked ({@value #WAITERS_KEPT} at most, and no more of
 * one peer than it has slots), and a slot that frees goes at once to the one that has waited longest and still asks
 * (within {@value #WAITER_STALE_RETRIES} retry intervals), not to whichever request comes next: an initiator that
 * ends a session and opens the next one at once does not take back the slot its end freed from sessions that asked
 * before. An initiator answered BUSY, for the tree or for a leaf's listing, asks again at every retry. The end of a
 * session is told twice at once and again at every retry until the responder acknowledges it (for at most the
 * session timeout, after which a responder that heard none of it has forgotten the session anyway), and a late
 * request of an ended session is ignored, so that lost datagrams leave no session served until the timeout. Nothing
 * a peer sends is thrown out of the handler: a malformed message is dropped and counted, and a session's messages
 * count only from its peer. Tree builds, digests and reads run on the storage stage, never here.
 */
public final class AntiEntropy implements TimerHandler {
    /** The SBE schema id of anti-entropy messages. */
    public static final int SCHEMA_ID = RepairCodec.SCHEMA_ID;
    private static final int CHUNK_BYTES = 56 * 1024;
    /** Records one session reads or has sent unacknowledged at a time (each up to the largest value in memory). */
    static final int RECORDS_IN_FLIGHT = 64;
    /** A session starts no more leaves while this many keys wait to be sent or received. */
    static final int KEYS_QUEUED_BEFORE_NEW_LEAVES = 4096;
    /** Sessions served, ended ones still resending included, at most: this many times the slots. */
    private static final int ENDED_SERVED_FACTOR = 4;
    /** Listings of one leaf (scans answering requests asked again) gathered at once, at most; the oldest goes. */
    private static final int LISTINGS_KEPT = 4;
    /** Heap a held chunk of a listing takes beyond its entries: its map entry, number and list (estimated). */
    private static final int CHUNK_HEAP_BYTES = 128;
    /** Heap a held listing entry takes beyond its key's bytes: the entry, its key array and list slot (estimated). */
    private static final int ENTRY_HEAP_BYTES = 64;
    /** Ended served sessions remembered, against late requests of theirs. */
    private static final int ENDED_SERVED_KEPT = 1024;
    /**
     * Refused sessions remembered (for want of a slot, or while the storage stage is full), in the order they asked;
     * more, or more of one peer than there are slots, are refused unremembered.
     */
    private static final int WAITERS_KEPT = 64;
    /** A refused session not heard from for this many retry intervals no longer waits (its initiator stopped). */
    private static final int WAITER_STALE_RETRIES = 3;

    private final NodeContext context;
    private final StorageStage stage;
    private final RepairConfig config;
    private final LiveTrees live;
    private final RecordMerger merger;
    private final RepairCodec codec;
    private final CounterSet<RepairCounter> counters;
    private final Map<Long, Initiated> initiated = new HashMap<>();
    private final Map<Long, Served> served = new LinkedHashMap<>();
    /**
     * Sessions this node ended and their responders did not yet acknowledge, to the peer each was with, and how many
     * more times it is told (a datagram can be lost, and a responder that misses the end would keep serving the
     * session, holding one of its few slots, until the session timeout).
     */
    private final Map<Long, EndNotice> endNotices = new LinkedHashMap<>();
    /**
     * The latest sessions whose initiator said they ended, each under the node that said so, so that a request of
     * theirs still in the network (a retry, a duplicate) does not start serving them again. Keyed by the pair: an end
     * from another node holds back none of the initiator's sessions, and does not displace the initiator's own end.
     */
    private final Map<EndedSession, Boolean> endedServed = new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<EndedSession, Boolean> eldest) {
            return size() > ENDED_SERVED_KEPT;
        }
    };
    /**
     * Sessions this node refused (no slot free, or its storage stage full) and that still ask, in the order they first
     * asked: a slot that frees goes to the first of them (see {@link #admitWaiters}).
     */
    private final Map<Long, Waiter> waiters = new LinkedHashMap<>();
    private long nextSession;
    private long timerId = -1;

    /**
     * Registers the anti-entropy handler with {@code context.transport()}.
     *
     * @param stage the node's data storage stage: trees, digests and record reads run there
     * @param merger merges a peer's records into this node's replica
     * @param maxKeyBytes the largest key a record may carry
     * @param maxRecordBytes the largest version or value blob a record may carry
     */
    public AntiEntropy(NodeContext context, StorageStage stage, RepairConfig config, RecordMerger merger,
                       int maxKeyBytes, int maxRecordBytes) {
        this(context, stage, config, new LiveTrees(config.leafCount()), merger, maxKeyBytes, maxRecordBytes);
    }

    /**
     * As {@link #AntiEntropy(NodeContext, StorageStage, RepairConfig, RecordMerger, int, int)}, taking a range's tree
     * from {@code live} when it is ready, instead of scanning.
     *
     * @param live the node's live trees, of {@code config.leafCount()} leaves, fed by every write to the data store
     *     behind {@code stage}
     */
    public AntiEntropy(NodeContext context, StorageStage stage, RepairConfig config, LiveTrees live,
                       RecordMerger merger, int maxKeyBytes, int maxRecordBytes) {
        this.context = context;
        this.stage = stage;
        this.config = config;
        this.live = live;
        this.merger = merger;
        this.codec = new RepairCodec(maxKeyBytes, maxRecordBytes);
        this.counters = context.counters().register(RepairCounter.class);
        this.nextSession = (context.random().nextLong() >>> 2) + 1;
        context.transport().register(SCHEMA_ID, this::onMessage);
    }

    /**
     * Told of each record a running session moves, as it moves (on the agent thread, from inside the session's
     * own bookkeeping: it must not call back into this class, e.g. to cancel a session).
     */
    @FunctionalInterface
    public interface RecordsMoved {
        /** Told nothing. */
        RecordsMoved NONE = (keysReceived, keysSent, bytes) -> { };

        /**
         * @param keysReceived records asked of the peer that arrived and merged (0 or 1)
         * @param keysSent records the peer acknowledged (0 or 1)
         * @param bytes record bytes sent (resends included) or received
         */
        void moved(int keysReceived, int keysSent, long bytes);
    }

    /**
     * Repairs {@code range} with {@code peer}: afterwards both hold the merge of what either held when they listed
     * it (writes that land meanwhile may differ again; the next repair takes them).
     *
     * @param done receives the session's result on the agent thread
     * @return the session's id, for {@link #cancel}
     */
    public long repair(TokenRange range, NodeId peer, Consumer<RepairResult> done) {
        return repair(range, peer, RecordsMoved.NONE, done);
    }

    /**
     * As {@link #repair(TokenRange, NodeId, Consumer)}, and tells {@code moved} of each record while the session runs.
     *
     * @return the session's id, for {@link #cancel}
     */
    public long repair(TokenRange range, NodeId peer, RecordsMoved moved, Consumer<RepairResult> done) {
        long sessionId = nextSession++;
        Initiated session = new Initiated(sessionId, TreeShape.of(range, config.leafCount()), peer, done,
            context.clock().monotonicNanos());
        session.moved = moved;
        initiated.put(sessionId, session);
        counters.get(RepairCounter.SESSIONS_STARTED).incrementRelease();
        ensureTimer();
        // a full storage stage defers the tree to the next retry: a session never ends inside this call (a caller
        // that starts the next session when one ends would otherwise recurse once per session)
        submitTree(session);
        return sessionId;
    }

    /**
     * Queues the build of this node's tree; on a full stage, counts it and leaves it to the next retry. Trees and leaf
     * listings, on both sides, go to the stage as scans: a scan's completion waits for the force of every write before
     * it, so neither side answers with a record a crash could still take back (the other side would skip sending it,
     * and count the range as repaired for a tombstone purge).
     */
    private void submitTree(Initiated session) {
        boolean queued = stage.scan(session.shape.range().end(), engine -> RepairTasks.tree(engine, session.shape,
            live), (tree, failure) -> {
                if (initiated.get(session.id) != session) {
                    return;
                }
                if (failure != null) {
                    fail(session, "this node could not build its tree: " + failure.getMessage());
                    return;
                }
                countTree(tree);
                session.mine = tree.leaves();
                session.progress(now());
                retellEnds(session.peer);
                sendTreeRequest(session);
            });
        session.treeQueued = queued;
        if (!queued) {
            stageFull(session);
        }
    }

    /** A task the storage stage refused (it is full): deferred, not failed; the session's timeout still holds. */
    private void stageFull(Session session) {
        counters.get(RepairCounter.STORAGE_DEFERRED).incrementRelease();
        session.stageFull = true;
    }

    /**
     * Stops a session this node started and no longer needs: its peer is told to forget it (freeing the slot it
     * serves it in), and {@code done} receives a result that did not complete, with {@code why}. What the session
     * merged so far stays merged. Nothing happens when the session has ended already.
     *
     * @return whether the session was still running
     */
    public boolean cancel(long sessionId, String why) {
        Initiated session = initiated.get(sessionId);
        if (session == null) {
            return false;
        }
        counters.get(RepairCounter.SESSIONS_CANCELLED).incrementRelease();
        finish(session, "cancelled: " + why);
        return true;
    }

    /** @return repair sessions this node runs or serves now */
    public int sessions() {
        return initiated.size() + served.size();
    }

    /** @return one of the repair counters */
    public long counter(RepairCounter counter) {
        return counters.value(counter);
    }

    // ------------------------------------------------------------------ initiator

    /**
     * Before a session opens, the newest ends {@code peer} has not acknowledged go first (a missed one holds a slot the
     * new session may need): at most a slot's worth, since a peer of an earlier build never acknowledges, and each end
     * is told again at every retry anyway.
     */
    private void retellEnds(NodeId peer) {
        List<Long> ends = new ArrayList<>();
        for (Map.Entry<Long, EndNotice> notice : endNotices.entrySet()) {
            if (notice.getValue().peer().equals(peer)) {
                ends.add(notice.getKey());
            }
        }
        for (Long end : ends.subList(Math.max(0, ends.size() - config.maxResponderSessions()), ends.size())) {
            reply(peer, codec.encodeSessionEnd(end));
        }
    }

    private void sendTreeRequest(Initiated session) {
        TokenRange range = session.shape.range();
        send(session.peer, codec.encodeTreeRequest(session.id, range.start(), range.end(), session.shape.leaves()),
            session);
    }

    private void onTreeReply(NodeId sender, RepairMessage.TreeReply reply) {
        Initiated session = initiated.get(reply.sessionId());
        if (session == null || !session.peer.equals(sender) || session.treeComplete || session.mine == null) {
            return;
        }
        session.treeBytes += 8L * reply.leaves().length;
        if (reply.status() == RepairMessage.Status.BUSY) {
            // slots free as sessions end (one may still hold a session whose end the network delayed past this
            // request), and a full storage stage drains: the peer puts the session in line (unless the line is
            // full) and sends the tree when a slot is its turn, and the request goes again at every retry meanwhile
            // (that keeps its place, or gets it one, and covers a lost tree); the session fails only when nothing
            // progresses for the session timeout. A late copy after the tree began to arrive (the peer serves the
            // session now) changes nothing
            if (session.theirs == null) {
                session.busy(now());
            }
            return;
        }
        if (reply.status() != RepairMessage.Status.OK) {
            fail(session, "peer " + session.peer + " answered " + reply.status());
            return;
        }
        int leaves = session.mine.length;
        int first = reply.firstLeaf();
        int expected = first < 0 || first >= leaves ? -1
            : Math.min(RepairCodec.LEAVES_PER_TREE_REPLY, leaves - first);
        if (first % RepairCodec.LEAVES_PER_TREE_REPLY != 0 || reply.leaves().length != expected) {
            fail(session, "peer " + session.peer + " sent " + reply.leaves().length + " leaves from leaf " + first
                + ", not a chunk of a tree of " + leaves);
            return;
        }
        if (session.theirs == null) {
            session.theirs = new long[leaves];
            session.treeChunksSeen = new boolean[(leaves - 1) / RepairCodec.LEAVES_PER_TREE_REPLY + 1];
        }
        int chunk = first / RepairCodec.LEAVES_PER_TREE_REPLY;
        if (session.treeChunksSeen[chunk]) {
            return;
        }
        session.treeChunksSeen[chunk] = true;
        System.arraycopy(reply.leaves(), 0, session.theirs, first, expected);
        session.progress(now());
        if (++session.treeChunks < session.treeChunksSeen.length) {
            return;
        }
        session.treeComplete = true;
        for (int leaf = 0; leaf < session.mine.length; leaf++) {
            if (session.mine[leaf] != session.theirs[leaf]) {
                session.pendingLeaves.add(leaf);
            }
        }
        session.differingLeaves = session.pendingLeaves.size();
        counters.get(RepairCounter.LEAVES_DIFFERING).addRelease(session.differingLeaves);
        advance(session);
    }

    /**
     * Starts differing leaves up to the in-flight bound, while fewer than {@link #KEYS_QUEUED_BEFORE_NEW_LEAVES} keys
     * wait to be sent or received and the peer's listings held take less than half the session's bound (a range far
     * larger than memory moves a few leaves at a time); finishes the session when nothing is left.
     */
    private void advance(Initiated session) {
        pump(session);
        Iterator<Integer> next = session.pendingLeaves.iterator();
        while (session.open && session.leaves.size() < config.maxLeavesInFlight()
            && session.toSend.size() + session.awaited.size() < KEYS_QUEUED_BEFORE_NEW_LEAVES && next.hasNext()
            && (session.leaves.isEmpty() || session.listingBytes < config.maxListingBytes() / 2)) {
            int leaf = next.next();
            if (!startLeaf(session, leaf)) {
                break; // the storage stage is full: the leaf starts at a later advance
            }
            next.remove();
        }
        if (session.open && session.pendingLeaves.isEmpty() && session.leaves.isEmpty() && session.outbox.isEmpty()
            && session.toSend.isEmpty() && session.awaited.isEmpty()) {
            finish(session, null);
        }
    }

    /** @return false when the storage stage is full: nothing started */
    private boolean startLeaf(Initiated session, int leaf) {
        LeafWork work = new LeafWork(leaf, session.leavesStarted++);
        session.leaves.put(leaf, work);
        boolean queued = stage.scan(session.shape.range().end(), engine -> RepairTasks.digest(engine, session.shape,
            leaf, live), (digest, failure) -> {
                if (initiated.get(session.id) != session || session.leaves.get(leaf) != work) {
                    return; // ended, or the leaf was put back (withinBound): its next start lists it again
                }
                if (failure != null) {
                    fail(session, "this node could not list leaf " + leaf + ": " + failure.getMessage());
                    return;
                }
                countHealed(digest);
                work.mine = digest.entries();
                compareWhenReady(session, work);
            });
        if (!queued) {
            session.leaves.remove(leaf);
            stageFull(session);
            return false;
        }
        send(session.peer, codec.encodeDigestRequest(session.id, leaf), session);
        work.lastHeardNanos = now();
        return true;
    }

    private void onDigestReply(NodeId sender, RepairMessage.DigestReply reply) {
        Initiated session = initiated.get(reply.sessionId());
        LeafWork work = session == null || !session.peer.equals(sender) ? null : session.leaves.get(reply.leaf());
        if (work == null || work.theirsComplete) {
            return;
        }
        if (reply.status() == RepairMessage.Status.BUSY) {
            // the peer's storage stage was full: the leaf is asked for again at the next retry (a late copy, the
            // listing already arriving, changes nothing)
            if (work.listings.isEmpty()) {
                session.busy(now());
            }
            return;
        }
        if (reply.status() != RepairMessage.Status.OK) {
            fail(session, "peer " + session.peer + " answered " + reply.status() + " for leaf " + reply.leaf());
            return;
        }
        long held = CHUNK_HEAP_BYTES;
        for (RepairMessage.Entry entry : reply.entries()) {
            session.treeBytes += RepairCodec.entryBytes(entry.key());
            held += ENTRY_HEAP_BYTES + entry.key().length;
        }
        // a request asked again (or a copy of it) makes the peer scan the leaf again: chunks of different scans,
        // cut at other keys, would make a listing that misses keys or holds some twice, so each scan's are kept apart
        ListingId id = new ListingId(reply.identified(), reply.listing());
        Listing listing = work.listings.get(id);
        if (cutByNoResponder(listing, reply)) {
            counters.get(RepairCounter.DROPPED_MALFORMED).incrementRelease();
            return;
        }
        work.lastHeardNanos = now();
        if (listing == null) {
            if (work.listings.size() >= LISTINGS_KEPT) {
                Listing oldest = work.listings.remove(work.listings.keySet().iterator().next());
                release(session, work, oldest.bytes);
            }
            listing = new Listing();
            work.listings.put(id, listing);
        }
        if (listing.chunks.putIfAbsent(reply.chunk(), reply.entries()) == null) {
            listing.bytes += held;
            work.heldBytes += held;
            session.listingBytes += held;
        }
        if (reply.last()) {
            listing.lastChunk = reply.chunk();
        }
        if (listing.lastChunk >= 0 && listing.chunks.size() == listing.lastChunk + 1
            && listing.chunks.lastKey() == listing.lastChunk) {
            List<RepairMessage.Entry> theirs = new ArrayList<>();
            listing.chunks.values().forEach(theirs::addAll);
            work.theirs = theirs;
            work.theirsIdentified = reply.identified();
            // the complete listing stays held until the leaf is compared; the other scans' chunks go
            release(session, work, work.heldBytes - listing.bytes);
            work.listings.clear();
            work.theirsComplete = true;
            session.progress(now());
            compareWhenReady(session, work); // releases the leaf at once when this node's own listing is ready
        }
        if (initiated.get(session.id) == session) {
            withinBound(session);
        }
    }

    /**
     * A responder cuts a chunk only before an entry that does not fit it, and names one last chunk, past every
     * other: an empty chunk that is not the last, one past the last, or a last one below a chunk held or other than
     * the last already named is none of its.
     */
    private static boolean cutByNoResponder(Listing listing, RepairMessage.DigestReply reply) {
        if (reply.entries().isEmpty() && !reply.last()) {
            return true;
        }
        if (listing == null) {
            return false;
        }
        if (listing.lastChunk >= 0) {
            return reply.chunk() > listing.lastChunk || reply.last() && reply.chunk() != listing.lastChunk;
        }
        return reply.last() && !listing.chunks.isEmpty() && listing.chunks.lastKey() > reply.chunk();
    }

    /**
     * Keeps the peer's listings the session holds within {@link RepairConfig#maxListingBytes()}: the leaves started
     * last are put back to be asked for again, once the session holds less, until only the first leaf in flight is
     * left; then that leaf's earlier scans go, and its newest listing alone over the bound fails the session. So a
     * large range moves a leaf at a time, and a peer whose listings never end makes the node hold no more than the
     * bound.
     */
    private void withinBound(Initiated session) {
        while (session.listingBytes > config.maxListingBytes() && session.leaves.size() > 1) {
            LeafWork last = null;
            for (LeafWork work : session.leaves.values()) {
                if (last == null || work.order > last.order) {
                    last = work;
                }
            }
            session.leaves.remove(last.leaf);
            release(session, last, last.heldBytes);
            session.pendingLeaves.add(last.leaf);
        }
        if (session.listingBytes <= config.maxListingBytes()) {
            return;
        }
        LeafWork only = session.leaves.values().iterator().next();
        // under writes each ask lists the leaf anew: the scans before the newest go first
        Listing newest = null;
        for (Listing listing : only.listings.values()) {
            newest = listing;
        }
        for (Iterator<Listing> earlier = only.listings.values().iterator(); earlier.hasNext(); ) {
            Listing listing = earlier.next();
            if (listing != newest) {
                earlier.remove();
                release(session, only, listing.bytes);
            }
        }
        if (session.listingBytes <= config.maxListingBytes()) {
            return;
        }
        counters.get(RepairCounter.LISTINGS_TOO_LARGE).incrementRelease();
        fail(session, "peer " + session.peer + "'s listing of leaf " + only.leaf + " outgrew the "
            + config.maxListingBytes() + " bytes a session holds: the leaf holds too many keys for this node's"
            + " setting of " + session.shape.leaves() + " leaves in the range, or the peer sends more than a listing");
    }

    /** The session no longer holds {@code bytes} of {@code work}'s listings. */
    private static void release(Initiated session, LeafWork work, long bytes) {
        work.heldBytes -= bytes;
        session.listingBytes -= bytes;
    }

    private void compareWhenReady(Initiated session, LeafWork work) {
        if (work.mine == null || !work.theirsComplete) {
            return;
        }
        Map<ByteBuffer, RepairMessage.Entry> theirs = new HashMap<>();
        work.theirs.forEach(e -> theirs.put(ByteBuffer.wrap(e.key()), e));
        // only a listing known to be one scan tells that the peer holds nothing of a key missing from it
        boolean absentMeansNothing = work.theirsIdentified;
        Set<ByteBuffer> mineKeys = new HashSet<>();
        List<RepairMessage.Wanted> toRequest = new ArrayList<>();
        for (RepairMessage.Entry mine : work.mine) {
            ByteBuffer key = ByteBuffer.wrap(mine.key());
            mineKeys.add(key);
            RepairMessage.Entry their = theirs.get(key);
            if (their == null || their.hash() != mine.hash()) {
                session.toSend.add(new PendingRecord(mine.token(), mine.key(), their != null || !absentMeansNothing));
            }
            if (their != null && their.hash() != mine.hash()) {
                toRequest.add(new RepairMessage.Wanted(their.token(), their.key(), true));
            }
        }
        for (Map.Entry<ByteBuffer, RepairMessage.Entry> their : theirs.entrySet()) {
            if (!mineKeys.contains(their.getKey())) {
                toRequest.add(new RepairMessage.Wanted(their.getValue().token(), their.getValue().key(),
                    !absentMeansNothing));
            }
        }
        for (RepairMessage.Wanted wanted : toRequest) {
            session.awaited.put(ByteBuffer.wrap(wanted.key()), wanted);
        }
        requestKeys(session, toRequest);
        session.leaves.remove(work.leaf);
        release(session, work, work.heldBytes);
        work.theirs = null;
        advance(session);
    }

    private void requestKeys(Initiated session, List<RepairMessage.Wanted> keys) {
        List<RepairMessage.Wanted> chunk = new ArrayList<>();
        int bytes = 0;
        for (RepairMessage.Wanted key : keys) {
            int size = RepairCodec.entryBytes(key.key());
            if (!chunk.isEmpty() && bytes + size > CHUNK_BYTES) {
                send(session.peer, codec.encodeKeysRequest(session.id, chunk), session);
                chunk = new ArrayList<>();
                bytes = 0;
            }
            chunk.add(key);
            bytes += size;
        }
        if (!chunk.isEmpty()) {
            send(session.peer, codec.encodeKeysRequest(session.id, chunk), session);
        }
    }

    // ------------------------------------------------------------------ records, both sides

    /**
     * Sends the session's queued records while fewer than {@link #RECORDS_IN_FLIGHT} are being read or wait for their
     * acknowledgement: a session holds that many records in memory, however large its range. A full storage stage
     * leaves the rest queued until a record completes or the next retry.
     */
    private void pump(Session session) {
        while (session.open && !session.toSend.isEmpty() && session.outbox.size() < RECORDS_IN_FLIGHT) {
            PendingRecord next = session.toSend.peekFirst();
            if (!readAndSend(session, next)) {
                stageFull(session);
                return;
            }
            session.toSend.pollFirst();
        }
    }

    /**
     * Reads the record on the storage stage and sends it; resent until acknowledged. A record the peer would not
     * take, holding nothing for the key ({@link RecordMerger#takenWhereAbsent}), is not sent to a peer that holds
     * nothing: an initiator asking for it is told it is gone.
     *
     * @return false when the storage stage is full: nothing was queued
     */
    private boolean readAndSend(Session session, PendingRecord pending) {
        long token = pending.token();
        byte[] key = pending.key();
        NodeId to = session.peer;
        int sequence = session.nextSequence++;
        session.outbox.put(sequence, null);
        boolean queued = stage.read(token, engine -> RepairTasks.read(engine, token, key), (record, failure) -> {
            if (!session.open) {
                return;
            }
            if (failure != null || record == null) {
                // gone since it was listed: nothing to send for it; unreadable: not sent (see notSent)
                session.outbox.remove(sequence);
                if (failure != null) {
                    counters.get(RepairCounter.STORAGE_FAILURES).incrementRelease();
                    notSent(session, key, "this node could not read a record to send: " + failure.getMessage());
                } else if (session instanceof Served responder) {
                    gone(responder, token, key);
                }
                afterRecord(session);
                return;
            }
            if (!pending.peerHolds() && !takenWhereAbsent(token, key, record)) {
                session.outbox.remove(sequence);
                counters.get(RepairCounter.TOMBSTONES_NOT_SENT).incrementRelease();
                if (session instanceof Served responder) {
                    tellGone(responder, token, key);
                }
                afterRecord(session);
                return;
            }
            byte[] value = record.isTombstone() ? null : record.value();
            int bytes = RepairCodec.recordBytes(key, record.version(), value);
            if (bytes > RepairCodec.MAX_MESSAGE_BYTES) {
                // an anti-entropy message is one datagram's worth, a record may be larger: encoding would overflow
                session.outbox.remove(sequence);
                counters.get(RepairCounter.RECORDS_TOO_LARGE).incrementRelease();
                notSent(session, key, "a record of " + bytes + " bytes does not fit one anti-entropy message of "
                    + RepairCodec.MAX_MESSAGE_BYTES);
                afterRecord(session);
                return;
            }
            Outgoing outgoing = new Outgoing(token, key, record.version(), value);
            session.outbox.put(sequence, outgoing);
            transmit(session, sequence, outgoing, to);
        });
        if (!queued) {
            session.outbox.remove(sequence);
        }
        return queued;
    }

    /** @return whether a peer holding nothing for the key takes {@code record} (one whose key is bad: sent) */
    private boolean takenWhereAbsent(long token, byte[] key, StorageRecord record) {
        try {
            return merger.takenWhereAbsent(token, Key.of(key, Limits.CEILING), record.version(),
                record.isTombstone() ? null : record.value());
        } catch (RuntimeException e) {
            // a bad key, or a merger that could not judge the record: sent, for the receiver to judge
            return true;
        }
    }

    /**
     * A key the initiator asked for is gone (purged, expired or cleaned up since it was listed): the initiator is told,
     * so it does not wait for its record until the session times out. The key is forgotten as asked for, so a
     * retransmitted request (the notice lost) is answered again.
     */
    private void gone(Served responder, long token, byte[] key) {
        counters.get(RepairCounter.KEYS_GONE).incrementRelease();
        tellGone(responder, token, key);
    }

    /** Tells the initiator there is no record of {@code key} to wait for (and forgets that it asked for it). */
    private void tellGone(Served responder, long token, byte[] key) {
        forgetRequested(responder, key);
        reply(responder.peer, codec.encodeKeyGone(responder.id, token, key));
    }

    /** The responder holds {@code key} for the initiator no more: sent and acknowledged, gone, or not sendable. */
    private static void forgetRequested(Served responder, byte[] key) {
        if (responder.requested.remove(ByteBuffer.wrap(key))) {
            responder.requestedBytes -= RepairCodec.entryBytes(key);
        }
    }

    /** The responder holds no record of a key this node asked for: it is no longer awaited. */
    private void onKeyGone(NodeId sender, RepairMessage.KeyGone gone) {
        Initiated session = initiated.get(gone.sessionId());
        if (session == null || !session.peer.equals(sender)
            || session.awaited.remove(ByteBuffer.wrap(gone.key())) == null) {
            return;
        }
        session.progress(now());
        advance(session);
    }

    /**
     * A record the peer lacks could not be read: the initiator's session fails (completing it would leave the peer
     * short of the record, and a leave's plan would finish without it), and a responder forgets that the key was
     * asked for, so that the initiator's next request for it is served.
     */
    private void notSent(Session session, byte[] key, String why) {
        if (session instanceof Initiated initiator) {
            fail(initiator, why);
        } else if (session instanceof Served responder) {
            forgetRequested(responder, key);
        }
    }

    private void transmit(Session session, int sequence, Outgoing outgoing, NodeId to) {
        int length = codec.encodeRecord(session.id, sequence, outgoing.token, outgoing.key, outgoing.version,
            outgoing.value);
        session.recordBytes += length;
        session.moved.moved(0, 0, length);
        context.transport().send(to, codec.sendBuffer(), 0, length);
    }

    private void onRecord(NodeId sender, RepairMessage.Record record) {
        Key key;
        try {
            // the codec checked the key against the configured limit (which may exceed the default)
            key = Key.of(record.key(), Limits.CEILING);
        } catch (KvException e) {
            counters.get(RepairCounter.DROPPED_MALFORMED).incrementRelease();
            return;
        }
        Initiated session = initiated.get(record.sessionId());
        if (session != null && session.peer.equals(sender)) {
            int bytes = RepairCodec.recordBytes(record.key(), record.version(), record.value());
            session.recordBytes += bytes;
            session.moved.moved(0, 0, bytes);
        }
        Served serving = served.get(record.sessionId());
        if (serving != null && serving.peer.equals(sender)) {
            // a one-way stream (a leave sends, and has nothing to ask for): its records are the session's progress
            serving.progress(now());
        }
        merger.merge(record.token(), key, record.version(), record.value(), stored -> {
            if (stored) {
                counters.get(RepairCounter.KEYS_RECEIVED).incrementRelease();
            } else {
                counters.get(RepairCounter.STORAGE_FAILURES).incrementRelease();
            }
            int length = codec.encodeRecordAck(record.sessionId(), record.sequence(),
                stored ? RepairMessage.Status.OK : RepairMessage.Status.FAILED);
            context.transport().send(sender, codec.sendBuffer(), 0, length);
            if (stored && awaited(session, record)) {
                session.keysReceived++;
                session.moved.moved(1, 0, 0);
                session.progress(now());
                advance(session);
            }
        }, () -> {
            // never taken here: sent again at every retry, it would keep the session (a join, a leave) from ending
            counters.get(RepairCounter.RECORDS_REFUSED).incrementRelease();
            int length = codec.encodeRecordAck(record.sessionId(), record.sequence(), RepairMessage.Status.REFUSED);
            context.transport().send(sender, codec.sendBuffer(), 0, length);
            if (awaited(session, record)) {
                session.progress(now());
                advance(session);
            }
        });
    }

    /** @return true when {@code record} answers a key {@code session} (this node's) awaited, now no longer awaited */
    private boolean awaited(Initiated session, RepairMessage.Record record) {
        return session != null && initiated.get(record.sessionId()) == session
            && session.awaited.remove(ByteBuffer.wrap(record.key())) != null;
    }

    private void onRecordAck(NodeId sender, RepairMessage.RecordAck ack) {
        Session session = initiated.get(ack.sessionId());
        if (session == null) {
            session = served.get(ack.sessionId());
        }
        if (session == null || !session.peer.equals(sender) || session.outbox.get(ack.sequence()) == null) {
            return;
        }
        if (ack.status() == RepairMessage.Status.REFUSED) {
            // the peer will never take it (configured otherwise): dropped, counted, and the session goes on
            Outgoing refused = session.outbox.remove(ack.sequence());
            if (session instanceof Served responder) {
                forgetRequested(responder, refused.key);
            }
            counters.get(RepairCounter.RECORDS_REFUSED_BY_PEER).incrementRelease();
            session.progress(now());
            afterRecord(session);
            return;
        }
        if (ack.status() != RepairMessage.Status.OK) {
            // kept: sent again at the next retry
            return;
        }
        Outgoing acknowledged = session.outbox.remove(ack.sequence());
        if (session instanceof Served responder) {
            // asked again later (a copy of an old request), it is sent again: merging a record twice changes nothing
            forgetRequested(responder, acknowledged.key);
        }
        session.keysSent++;
        session.moved.moved(0, 1, 0);
        counters.get(RepairCounter.KEYS_SENT).incrementRelease();
        session.progress(now());
        afterRecord(session);
    }

    private void afterRecord(Session session) {
        if (session instanceof Initiated initiator && initiated.get(initiator.id) == initiator) {
            advance(initiator);
        } else if (session instanceof Served responder) {
            if (responder.ended && responder.outbox.isEmpty()) {
                forget(responder);
            } else {
                pump(responder);
            }
        }
    }

    /** The initiator is done: the session goes once its records to the initiator are acknowledged. */
    private void onSessionEnd(NodeId sender, RepairMessage.SessionEnd end) {
        Served session = served.get(end.sessionId());
        if (session != null && !session.peer.equals(sender)) {
            return;
        }
        // every copy is answered: the first answer may be lost, and an initiator told nothing tells again
        reply(sender, codec.encodeSessionEndAck(end.sessionId()));
        endedServed.put(new EndedSession(sender, end.sessionId()), Boolean.TRUE);
        Waiter waiter = waiters.get(end.sessionId());
        if (waiter != null && waiter.peer().equals(sender)) {
            waiters.remove(end.sessionId());
        }
        if (session == null) {
            return;
        }
        session.ended = true;
        // records not read yet are not sent: the initiator no longer waits for them
        session.toSend.clear();
        if (session.outbox.isEmpty()) {
            forget(session);
        }
        admitWaiters();
    }

    /** The responder heard the end: it is not told again. */
    private void onSessionEndAck(NodeId sender, RepairMessage.SessionEndAck ack) {
        EndNotice notice = endNotices.get(ack.sessionId());
        if (notice != null && notice.peer().equals(sender)) {
            endNotices.remove(ack.sessionId());
        }
    }

    /**
     * @return sessions served that take a slot: those whose initiator did not say they ended (an ended one only
     *     resends records whose acknowledgement was lost, until it is forgotten)
     */
    private int servingSlotsTaken() {
        int taken = 0;
        for (Served session : served.values()) {
            if (!session.ended) {
                taken++;
            }
        }
        return taken;
    }

    /** @return whether a new session may be served (ended sessions still resending are bounded too) */
    private boolean slotFree() {
        return servingSlotsTaken() < config.maxResponderSessions()
            && served.size() < ENDED_SERVED_FACTOR * config.maxResponderSessions();
    }

    /**
     * Serves the sessions refused for want of a slot while slots are free, longest waiting first, dropping those not
     * heard from for {@value #WAITER_STALE_RETRIES} retry intervals (their initiator stopped asking: serving them would
     * hold a slot for nobody until the session timeout). The initiator of one served this way gets its tree as if it
     * had just asked again.
     */
    private void admitWaiters() {
        long now = now();
        while (slotFree() && !waiters.isEmpty()) {
            Map.Entry<Long, Waiter> first = waiters.entrySet().iterator().next();
            Waiter waiter = first.getValue();
            if (stale(waiter, now) || served.containsKey(first.getKey())) {
                waiters.remove(first.getKey());
                continue;
            }
            if (!serve(waiter.peer(), first.getKey(), waiter.shape())) {
                return; // the storage stage is full: the first keeps its turn for when it has room
            }
        }
    }

    /** @return whether a waiter was not heard from for {@value #WAITER_STALE_RETRIES} retry intervals */
    private boolean stale(Waiter waiter, long now) {
        return now - waiter.lastAskNanos() > WAITER_STALE_RETRIES * config.retryIntervalNanos();
    }

    private void forget(Served session) {
        if (served.get(session.id) == session) {
            served.remove(session.id);
            session.open = false;
            admitWaiters(); // the bound on sessions kept, ended ones included, may have held the line
            gauges(); // from a storage completion too (a record read for sending, then acknowledged)
        }
    }

    // ------------------------------------------------------------------ responder

    private void onTreeRequest(NodeId sender, RepairMessage.TreeRequest request) {
        long id = request.sessionId();
        Served session = served.get(id);
        if (session != null) {
            if (session.peer.equals(sender) && session.leaves != null) {
                replyTree(session);
            }
            return;
        }
        if (endedServed.containsKey(new EndedSession(sender, id))) {
            return; // a late copy of an ended session's request
        }
        TreeShape shape;
        try {
            // the initiator's shape as it is: a range narrower than the configured leaves has fewer (down to one)
            shape = new TreeShape(new TokenRange(request.rangeStart(), request.rangeEnd()), request.leafCount());
        } catch (IllegalArgumentException e) {
            reply(sender, codec.encodeTreeReply(id, RepairMessage.Status.FAILED));
            return;
        }
        if (!shape.equals(TreeShape.of(shape.range(), config.leafCount()))) {
            // every initiator shapes a range as this node would (TreeShape.of with the same setting); fewer leaves
            // would make each leaf's listing, built in memory here, a larger share of the range, up to all of it
            counters.get(RepairCounter.TREE_REQUESTS_REFUSED).incrementRelease();
            reply(sender, codec.encodeTreeReply(id, RepairMessage.Status.FAILED));
            return;
        }
        // heard from before the line moves: a waiter whose last asks were lost is not dropped as stale
        refresh(sender, id, shape);
        // those that asked before this one and still wait go first
        admitWaiters();
        if (served.containsKey(id)) {
            return; // it waited, and was just served
        }
        // a free slot with sessions still waiting: the storage stage is full, and they keep their turn
        if (slotFree() && waiters.isEmpty() && serve(sender, id, shape)) {
            return;
        }
        counters.get(RepairCounter.SESSIONS_REFUSED_BUSY).incrementRelease();
        queue(sender, id, shape);
        reply(sender, codec.encodeTreeReply(id, RepairMessage.Status.BUSY));
    }

    /**
     * Puts a refused session in the line, or keeps its place there: at most
     * {@value #WAITERS_KEPT} sessions, and at most as many of one peer as it could be served at once, so that no
     * peer fills the line.
     */
    private void queue(NodeId sender, long sessionId, TreeShape shape) {
        if (refresh(sender, sessionId, shape)) {
            return;
        }
        int theirs = 0;
        for (Waiter waiter : waiters.values()) {
            if (waiter.peer().equals(sender)) {
                theirs++;
            }
        }
        if (waiters.size() < WAITERS_KEPT && theirs < config.maxResponderSessions()) {
            waiters.put(sessionId, new Waiter(sender, shape, now()));
            ensureTimer();
        }
    }

    /**
     * Notes that a waiting session asked again, keeping its place in the line (a put leaves the order as it was);
     * an entry of the same id from another node stays as it was.
     *
     * @return whether the line holds a session of this id
     */
    private boolean refresh(NodeId sender, long sessionId, TreeShape shape) {
        Waiter waiting = waiters.get(sessionId);
        if (waiting != null && waiting.peer().equals(sender)) {
            waiters.put(sessionId, new Waiter(sender, shape, now()));
        }
        return waiting != null;
    }

    /**
     * Starts serving a session: builds its tree on the storage stage and sends it.
     *
     * @return false when the storage stage is full (nothing is served)
     */
    private boolean serve(NodeId sender, long sessionId, TreeShape shape) {
        Served created = new Served(sessionId, shape, sender, now());
        served.put(created.id, created);
        ensureTimer();
        boolean queued = stage.scan(shape.range().end(), engine -> RepairTasks.tree(engine, shape, live),
            (tree, failure) -> {
                if (served.get(created.id) != created) {
                    return;
                }
                if (failure != null) {
                    served.remove(created.id);
                    created.open = false;
                    reply(sender, codec.encodeTreeReply(created.id, RepairMessage.Status.FAILED));
                    admitWaiters();
                    gauges();
                    return;
                }
                countTree(tree);
                created.leaves = tree.leaves();
                replyTree(created);
            });
        if (!queued) {
            served.remove(created.id);
            created.open = false;
            return false; // a waiter keeps its place in the line
        }
        waiters.remove(sessionId);
        return true;
    }

    /** Sends every leaf hash, in as many replies as one message's worth of hashes needs (8,192 leaves: two). */
    private void replyTree(Served session) {
        session.progress(now());
        long[] leaves = session.leaves;
        for (int first = 0; first < leaves.length; first += RepairCodec.LEAVES_PER_TREE_REPLY) {
            int count = Math.min(RepairCodec.LEAVES_PER_TREE_REPLY, leaves.length - first);
            reply(session.peer, codec.encodeTreeReply(session.id, RepairMessage.Status.OK, leaves, first, count));
        }
    }

    private void onDigestRequest(NodeId sender, RepairMessage.DigestRequest request) {
        Served session = served.get(request.sessionId());
        if (session == null || !session.peer.equals(sender) || session.leaves == null) {
            reply(sender, codec.encodeDigestReply(request.sessionId(), request.leaf(),
                RepairMessage.Status.UNKNOWN_SESSION, 0, true, 0, List.of()));
            return;
        }
        if (request.leaf() < 0 || request.leaf() >= session.shape.leaves()) {
            counters.get(RepairCounter.DROPPED_MALFORMED).incrementRelease();
            return;
        }
        session.progress(now());
        int leaf = request.leaf();
        boolean queued = stage.scan(session.shape.range().end(), engine -> RepairTasks.digest(engine, session.shape,
            leaf, live), (digest, failure) -> {
                if (!session.open) {
                    return;
                }
                if (failure != null) {
                    reply(sender, codec.encodeDigestReply(session.id, leaf, RepairMessage.Status.FAILED, 0, true,
                        0, List.of()));
                    return;
                }
                countHealed(digest);
                sendDigest(session, leaf, digest);
            });
        if (!queued) {
            reply(sender, codec.encodeDigestReply(session.id, leaf, RepairMessage.Status.BUSY, 0, true, 0,
                List.of()));
        }
    }

    private void sendDigest(Served session, int leaf, RepairTasks.Digest digest) {
        // the scan's name: two scans of the same records cut their chunks alike
        long listing = digest.hashes();
        List<RepairMessage.Entry> chunk = new ArrayList<>();
        int bytes = 0;
        int index = 0;
        for (RepairMessage.Entry entry : digest.entries()) {
            int size = RepairCodec.entryBytes(entry.key());
            if (!chunk.isEmpty() && bytes + size > CHUNK_BYTES) {
                reply(session.peer, codec.encodeDigestReply(session.id, leaf, RepairMessage.Status.OK, index++, false,
                    listing, chunk));
                chunk = new ArrayList<>();
                bytes = 0;
            }
            chunk.add(entry);
            bytes += size;
        }
        reply(session.peer, codec.encodeDigestReply(session.id, leaf, RepairMessage.Status.OK, index, true, listing,
            chunk));
    }

    private void onKeysRequest(NodeId sender, RepairMessage.KeysRequest request) {
        Served session = served.get(request.sessionId());
        if (session == null || !session.peer.equals(sender) || session.ended) {
            return; // a late copy of an ended session's request: what it asks for was acknowledged
        }
        session.progress(now());
        for (RepairMessage.Wanted key : request.keys()) {
            if (!session.shape.range().contains(key.token())) {
                counters.get(RepairCounter.DROPPED_MALFORMED).incrementRelease();
                continue;
            }
            int bytes = RepairCodec.entryBytes(key.key());
            ByteBuffer id = ByteBuffer.wrap(key.key());
            if (session.requested.contains(id)) {
                continue;
            }
            if (session.requestedBytes + bytes > config.maxListingBytes()) {
                // the initiator asks again for every key it still awaits once no leaf is in flight and nothing
                // progressed for a retry interval
                counters.get(RepairCounter.KEYS_SET_ASIDE).incrementRelease();
                continue;
            }
            session.requested.add(id);
            session.requestedBytes += bytes;
            session.toSend.add(new PendingRecord(key.token(), key.key(), key.held()));
        }
        pump(session);
    }

    private void countTree(RepairTasks.Tree tree) {
        counters.get(tree.live() ? RepairCounter.TREES_FROM_LIVE : RepairCounter.TREES_SCANNED).incrementRelease();
    }

    private void countHealed(RepairTasks.Digest digest) {
        if (digest.healed()) {
            counters.get(RepairCounter.LIVE_LEAVES_HEALED).incrementRelease();
        }
    }

    // ------------------------------------------------------------------ timers, messages

    private void ensureTimer() {
        if (timerId < 0) {
            timerId = context.timers().schedule(config.retryIntervalNanos(), this);
        }
    }

    @Override
    public void onTimer(long id) {
        timerId = -1;
        long now = now();
        for (Initiated session : List.copyOf(initiated.values())) {
            if (initiated.get(session.id) != session) {
                continue; // ended by what an earlier one's end set off (its owner cancelled it)
            }
            if (now - session.lastProgressNanos > config.sessionTimeoutNanos()) {
                fail(session, noProgress(session, now));
                continue;
            }
            retry(session);
        }
        Iterator<Map.Entry<Long, EndNotice>> notices = endNotices.entrySet().iterator();
        while (notices.hasNext()) {
            Map.Entry<Long, EndNotice> notice = notices.next();
            reply(notice.getValue().peer(), codec.encodeSessionEnd(notice.getKey()));
            if (notice.getValue().left() <= 1) {
                notices.remove();
            } else {
                notice.setValue(new EndNotice(notice.getValue().peer(), notice.getValue().left() - 1));
            }
        }
        Iterator<Served> serving = served.values().iterator();
        while (serving.hasNext()) {
            Served session = serving.next();
            if (now - session.lastProgressNanos > config.sessionTimeoutNanos()) {
                session.open = false;
                serving.remove();
                continue;
            }
            resendOutbox(session);
            pump(session);
        }
        admitWaiters();
        waiters.values().removeIf(waiter -> stale(waiter, now));
        gauges();
        if (!initiated.isEmpty() || !served.isEmpty() || !endNotices.isEmpty() || !waiters.isEmpty()) {
            ensureTimer();
        }
    }

    /** @return why a session without progress for the session timeout failed, and whether the peer was busy */
    private String noProgress(Initiated session, long now) {
        String silent = "made no progress for " + (now - session.lastProgressNanos) / 1_000_000 + " ms"
            + (session.stageFull ? " (this node's storage stage was full: its tasks waited)" : "");
        if (session.lastBusyNanos < 0) {
            return "peer " + session.peer + " " + silent;
        }
        if (now - session.lastBusyNanos <= 2 * config.retryIntervalNanos()) {
            return "peer " + session.peer + " answered BUSY for " + (now - session.firstBusyNanos) / 1_000_000
                + " ms and " + silent;
        }
        return "peer " + session.peer + " " + silent + ", the last " + (now - session.lastBusyNanos) / 1_000_000
            + " ms of it silent after answering BUSY";
    }

    private void retry(Initiated session) {
        if (session.mine == null) {
            if (!session.treeQueued) {
                submitTree(session);
            }
            return;
        }
        if (!session.treeComplete) {
            counters.get(RepairCounter.RETRANSMITS).incrementRelease();
            sendTreeRequest(session);
            return;
        }
        long now = now();
        for (LeafWork work : session.leaves.values()) {
            // asked again only once its chunks stopped coming: each request is a new scan, and under writes a scan
            // that differs from the last, whose chunks are not put together with the ones still arriving
            if (!work.theirsComplete && now - work.lastHeardNanos >= config.retryIntervalNanos()) {
                counters.get(RepairCounter.RETRANSMITS).incrementRelease();
                send(session.peer, codec.encodeDigestRequest(session.id, work.leaf), session);
                work.lastHeardNanos = now;
            }
        }
        if (!session.awaited.isEmpty() && session.leaves.isEmpty()
            && now() - session.lastProgressNanos >= config.retryIntervalNanos()) {
            // asked again only once records stopped coming: a large awaited set drains over many retries
            counters.get(RepairCounter.RETRANSMITS).incrementRelease();
            requestKeys(session, List.copyOf(session.awaited.values()));
        }
        resendOutbox(session);
        advance(session); // leaves and records the storage stage had no room for
    }

    private void resendOutbox(Session session) {
        for (Map.Entry<Integer, Outgoing> entry : session.outbox.entrySet()) {
            if (entry.getValue() != null) {
                counters.get(RepairCounter.RETRANSMITS).incrementRelease();
                transmit(session, entry.getKey(), entry.getValue(), session.peer);
            }
        }
    }

    private void send(NodeId to, int length, Session session) {
        session.treeBytes += length;
        context.transport().send(to, codec.sendBuffer(), 0, length);
    }

    private void reply(NodeId to, int length) {
        context.transport().send(to, codec.sendBuffer(), 0, length);
    }

    private void fail(Initiated session, String why) {
        if (initiated.get(session.id) != session) {
            return; // already ended: one session counts one failure
        }
        counters.get(RepairCounter.SESSIONS_FAILED).incrementRelease();
        finish(session, why);
    }

    private void finish(Initiated session, String failure) {
        if (initiated.remove(session.id) == null) {
            return;
        }
        session.open = false;
        // told twice now (sessions can follow one another faster than the retry interval) and again at every retry
        // until acknowledged, for as long as the responder would keep the session if it heard none of it
        reply(session.peer, codec.encodeSessionEnd(session.id));
        reply(session.peer, codec.encodeSessionEnd(session.id));
        endNotices.put(session.id, new EndNotice(session.peer, endNoticeResends()));
        ensureTimer();
        if (failure == null) {
            counters.get(RepairCounter.SESSIONS_COMPLETED).incrementRelease();
            if (session.differingLeaves == 0) {
                counters.get(RepairCounter.RANGES_IN_SYNC).incrementRelease();
            }
        }
        counters.get(RepairCounter.RECORD_BYTES).addRelease(session.recordBytes);
        counters.get(RepairCounter.TREE_BYTES).addRelease(session.treeBytes);
        session.done.accept(new RepairResult(session.shape.range(), session.peer, failure, session.differingLeaves,
            session.keysSent, session.keysReceived, session.recordBytes, session.treeBytes,
            now() - session.startedNanos));
    }

    /** @return the retries at which an unacknowledged end is told again: those of one session timeout */
    private int endNoticeResends() {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE,
            config.sessionTimeoutNanos() / config.retryIntervalNanos()));
    }

    private long now() {
        return context.clock().monotonicNanos();
    }

    private void onMessage(NodeId sender, DirectBuffer buffer, int offset, int length) {
        RepairMessage message;
        try {
            message = codec.decode(buffer, offset, length);
        } catch (KvException | IndexOutOfBoundsException e) {
            counters.get(RepairCounter.DROPPED_MALFORMED).incrementRelease();
            return;
        }
        switch (message) {
            case null -> counters.get(RepairCounter.DROPPED_MALFORMED).incrementRelease();
            case RepairMessage.TreeRequest request -> onTreeRequest(sender, request);
            case RepairMessage.TreeReply reply -> onTreeReply(sender, reply);
            case RepairMessage.DigestRequest request -> onDigestRequest(sender, request);
            case RepairMessage.DigestReply reply -> onDigestReply(sender, reply);
            case RepairMessage.KeysRequest request -> onKeysRequest(sender, request);
            case RepairMessage.Record record -> onRecord(sender, record);
            case RepairMessage.RecordAck ack -> onRecordAck(sender, ack);
            case RepairMessage.SessionEnd end -> onSessionEnd(sender, end);
            case RepairMessage.SessionEndAck ack -> onSessionEndAck(sender, ack);
            case RepairMessage.KeyGone gone -> onKeyGone(sender, gone);
        }
        gauges();
    }

    /** Sets the gauges of sessions served and waiting: after every message, tick and tree build that changes them. */
    private void gauges() {
        counters.get(RepairCounter.SESSIONS_SERVING).setRelease(servingSlotsTaken());
        counters.get(RepairCounter.SESSIONS_WAITING).setRelease(waiters.size());
    }

    /** What both sides of a session keep: its records in flight. */
    private abstract static class Session {
        final long id;
        final TreeShape shape;
        final NodeId peer;
        /** Records sent and not acknowledged, by sequence; null while being read. */
        final Map<Integer, Outgoing> outbox = new TreeMap<>();
        /** Records to read and send once fewer than {@link #RECORDS_IN_FLIGHT} are in the outbox. */
        final ArrayDeque<PendingRecord> toSend = new ArrayDeque<>();
        /** The storage stage refused a task of this session since its last progress. */
        boolean stageFull;
        int nextSequence;
        long lastProgressNanos;
        long keysSent;
        long recordBytes;
        long treeBytes;
        boolean open = true;
        /** Told of each record moved (the initiator's listener; nothing for a served session). */
        RecordsMoved moved = RecordsMoved.NONE;

        Session(long id, TreeShape shape, NodeId peer, long now) {
            this.id = id;
            this.shape = shape;
            this.peer = peer;
            this.lastProgressNanos = now;
        }

        void progress(long now) {
            lastProgressNanos = now;
            stageFull = false;
        }
    }

    /** A session this node started. */
    private static final class Initiated extends Session {
        final Consumer<RepairResult> done;
        final long startedNanos;
        long[] mine;
        long[] theirs;
        /** Which chunks of the peer's leaves arrived; the tree is compared once all have. */
        boolean[] treeChunksSeen;
        int treeChunks;
        boolean treeComplete;
        /** The build of this node's tree is on the storage stage (false: the stage was full, retried). */
        boolean treeQueued;
        final Set<Integer> pendingLeaves = new java.util.TreeSet<>();
        final Map<Integer, LeafWork> leaves = new TreeMap<>();
        /** Keys asked of the peer and not received yet. */
        final Map<ByteBuffer, RepairMessage.Wanted> awaited = new LinkedHashMap<>();
        /** Bytes of heap the peer's listings the leaves in flight hold take, complete or not (estimated). */
        long listingBytes;
        /** Leaves started so far, put-back ones again. */
        long leavesStarted;
        int differingLeaves;
        long keysReceived;
        /**
         * When the peer first and last answered BUSY since the session's last progress (-1: it did not): a session
         * that fails for want of progress says how long the peer was busy.
         */
        long firstBusyNanos = -1;
        long lastBusyNanos = -1;

        Initiated(long id, TreeShape shape, NodeId peer, Consumer<RepairResult> done, long now) {
            super(id, shape, peer, now);
            this.done = done;
            this.startedNanos = now;
        }

        void busy(long now) {
            if (firstBusyNanos < 0) {
                firstBusyNanos = now;
            }
            lastBusyNanos = now;
        }

        @Override
        void progress(long now) {
            super.progress(now);
            firstBusyNanos = -1;
            lastBusyNanos = -1;
        }
    }

    /** A session a peer started with this node. */
    private static final class Served extends Session {
        long[] leaves;
        /** The initiator said it ended: the session goes once the outbox is empty. */
        boolean ended;
        /**
         * Keys the peer asked for, queued or in the outbox until acknowledged: each is queued once however often it
         * is asked for meanwhile (resends come from the outbox).
         */
        final Set<ByteBuffer> requested = new HashSet<>();
        /** Encoded bytes of the keys in {@link #requested}, bounded by the setting for listings. */
        long requestedBytes;

        Served(long id, TreeShape shape, NodeId peer, long now) {
            super(id, shape, peer, now);
        }
    }

    /** One differing leaf being compared. */
    private static final class LeafWork {
        final int leaf;
        /** The how-manyth leaf the session started (the leaves started last go back first). */
        final long order;
        List<RepairMessage.Entry> mine;
        /** The peer's listings of the leaf still arriving, by scan, oldest first. */
        final Map<ListingId, Listing> listings = new LinkedHashMap<>();
        /** The peer's complete listing, once one is. */
        List<RepairMessage.Entry> theirs;
        /** Whether that listing is known to be one scan's (a node from before listings were named: not known). */
        boolean theirsIdentified;
        /** When the leaf was last asked for, or a chunk of it last arrived. */
        long lastHeardNanos;
        boolean theirsComplete;
        /** Heap bytes of the peer's listings of this leaf held: its listings' chunks, or its complete listing. */
        long heldBytes;

        LeafWork(int leaf, long order) {
            this.leaf = leaf;
            this.order = order;
        }
    }

    /** Which scan of a leaf a chunk is from; every chunk of a node from before listings were named shares one. */
    private record ListingId(boolean identified, long listing) {
    }

    /** The chunks of one scan of a leaf received so far. */
    private static final class Listing {
        final TreeMap<Integer, List<RepairMessage.Entry>> chunks = new TreeMap<>();
        int lastChunk = -1;
        /** Heap bytes of the chunks held (estimated). */
        long bytes;
    }

    /** A session refused and waiting in line: who asked, for what, and when it last asked. */
    private record Waiter(NodeId peer, TreeShape shape, long lastAskNanos) {
    }

    /** A session that {@code initiator} said ended. */
    private record EndedSession(NodeId initiator, long sessionId) {
    }

    /** A session's end, still to be told {@code left} more times. */
    private record EndNotice(NodeId peer, int left) {
    }

    /** A record to read and send, and whether the peer holds a record of its key. */
    private record PendingRecord(long token, byte[] key, boolean peerHolds) {
    }

    /** A record read for sending. */
    private record Outgoing(long token, byte[] key, byte[] version, byte[] value) {
    }
}
