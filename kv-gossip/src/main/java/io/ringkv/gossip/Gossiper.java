package io.ringkv.gossip;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import io.ringkv.api.MessageHeader;
import io.ringkv.api.Node;
import io.ringkv.api.CounterSet;
import io.ringkv.api.NodeContext;
import io.ringkv.api.NodeId;
import io.ringkv.api.SendResult;
import io.ringkv.gossip.internal.GossipCodec;
import io.ringkv.gossip.sbe.AckDecoder;
import io.ringkv.gossip.sbe.SynDecoder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.collections.Long2ObjectHashMap;

/**
 * A node's gossip: its own endpoint state with a heartbeat that grows every round, the cluster view
 * ({@link Membership}), a failure detector fed by heartbeat arrivals, and the rounds themselves. Each round the
 * node beats, re-judges every endpoint, and opens a scuttlebutt exchange (Syn, Ack, closing Ack) with one random
 * live peer, now and then with one unreachable peer (so a recovered node is noticed), and with a seed when it has
 * no live peer or the round did not reach one (Cassandra's peer choice).
 *
 * <p>A node joins by gossiping its state to a seed; it learns the others from the seed's answer. The operator
 * removes a DOWN node with {@link #removeNode}: its state becomes LEFT, spreads, and after the quarantine every
 * node forgets it and refuses gossip of that generation, so stale copies cannot bring it back.
 *
 * <p>Runs on the node's agent thread: no locks, no clock or randomness but the {@link NodeContext}'s.
 */
public final class Gossiper {
    /** Schema id of gossip messages. */
    public static final int SCHEMA_ID = GossipCodec.SCHEMA_ID;
    /**
     * A state whose generation is further than this ahead of this node's own is refused (a year of seconds, as
     * generations are start times in seconds; Cassandra's bound too). A generation near the top of the range would
     * otherwise outrank every restart of that node forever.
     */
    public static final long MAX_GENERATION_AHEAD = 366L * 24 * 3600;
    /**
     * Room left below a version limit when this node jumps its version past a peer's claim: enough to beat every
     * millisecond for 35 years.
     */
    private static final long VERSION_HEADROOM = 1L << 40;
    /**
     * How long ago, as far as the failure detector is concerned, a remembered state was made: long enough that no
     * detector takes it for a sign of life, short enough to travel in a gossip message's age field. A peer that
     * learns a remembered node from this one judges it DOWN until the node itself is heard.
     */
    private static final long REMEMBERED_AGE_NANOS = java.util.concurrent.TimeUnit.DAYS.toNanos(30);
    /**
     * A round this many intervals after the previous one means this node itself was stopped (SIGSTOP, a long
     * garbage-collection pause: rounds are timers of the node's one thread, so only a stall of that thread delays
     * one). Cassandra's MAX_LOCAL_PAUSE plays this part. Two intervals is below every allowed suspect-after, so a
     * pause is excused before it can make this node judge its peers; excusing a shorter stall costs nothing, as
     * exactly the lateness is excused.
     */
    private static final int LOCAL_PAUSE_ROUNDS = 2;

    /** Hears about changes of the view, on the agent thread. */
    public interface Listener {
        /**
         * An endpoint is new, restarted (another generation), or announced other content (status, tokens,
         * addresses, application state). Not called for heartbeats.
         *
         * @param previous the state before, or null for an endpoint new to this node
         * @param current the state now
         */
        default void onStateChange(EndpointState previous, EndpointState current) {
        }

        /** This node's failure detector changed its mind about {@code node}. */
        default void onLivenessChange(NodeId node, Liveness previous, Liveness current) {
        }

        /** {@code node} was removed and its quarantine is over: every trace of it is gone from this node's view. */
        default void onEvicted(NodeId node) {
        }

        /**
         * This node took a peer's answer to gossip for the first time in this run: its view now holds everything
         * that peer knew newer. Called once.
         */
        default void onFirstExchange(NodeId peer) {
        }

        /**
         * A peer holds a later run of this node's id (a greater generation) than this one: another process runs
         * with this id, or this run's clock was behind the earlier run's when it started. Peers take that run's
         * state and ignore this one's. Called once per later generation.
         */
        default void onLaterRunOfSelf(EndpointState later) {
        }
    }

    /**
     * What a node remembers of the cluster across restarts (see {@link #remembered()} and {@link #restore}).
     *
     * @param members the last known state of every other node (LEFT ones included while their quarantine runs)
     * @param removed the last state of each node whose removal finished here: gossip of its generation is refused
     */
    public record Remembered(List<EndpointState> members, List<EndpointState> removed) {
        /** Nothing remembered: a node's first start. */
        public static final Remembered NONE = new Remembered(List.of(), List.of());

        /** Copies both lists. */
        public Remembered {
            members = List.copyOf(members);
            removed = List.copyOf(removed);
        }
    }

    private final NodeContext context;
    private final GossipConfig config;
    private final FailureDetector detector;
    private final Listener listener;
    private final GossipCodec codec;
    private final Membership membership = new Membership();
    private final Map<NodeId, Liveness> liveness = new HashMap<>();
    private final Map<NodeId, Long> leftAt = new HashMap<>();
    /** Per peer: the making time of the newest heartbeat fed to the detector. */
    private final Map<NodeId, long[]> lastFed = new HashMap<>();
    /**
     * By fingerprint: the last state of each node whose removal quarantine ended here. Copies of its generation are
     * refused, and a peer that still gossips one (it was cut off during the removal) is sent this state, so it
     * learns of the removal too instead of keeping the node as a DOWN member of its ring. One small entry per node
     * ever removed while this process ran.
     */
    private final Long2ObjectHashMap<EndpointState> removedStates = new Long2ObjectHashMap<>();
    private final Set<NodeId> seeds;
    private final List<NodeId> sortedSeeds;
    private final ExpandableArrayBuffer sendBuffer = new ExpandableArrayBuffer(32 * 1024);
    private final List<NodeId> scratchLive = new ArrayList<>();
    private final List<NodeId> scratchDown = new ArrayList<>();
    private EndpointState self;
    private long roundTimer = -1;
    private long lastRoundAt;
    private boolean stopped;
    private boolean started;
    private boolean exchanged;
    /** While true, this node's own state stays out of the messages it sends (see {@link #hideSelf}). */
    private boolean hidden;
    /** The newest state of this node's id from an earlier run that a peer sent in this run, or null. */
    private EndpointState earlierSelf;
    /** The newest state of this node's id from a later run (see {@link Listener#onLaterRunOfSelf}), or null. */
    private EndpointState laterSelf;
    /** While hidden: the peers that answered about this node's id (see {@link #answeredAboutSelf}). */
    private final Set<NodeId> answeredAboutSelf = new HashSet<>();
    private final CounterSet<GossipCounter> counters;

    /**
     * @param context the node's runtime
     * @param config how to gossip
     * @param self this node's first state in this generation (its id must be {@code context.self()})
     * @param detector judges peers from heartbeat arrivals
     * @param listener hears about changes
     * @throws KvException with {@code INVALID_CONFIGURATION} when the state is not this node's or a text field is
     *     too long for the wire
     */
    public Gossiper(NodeContext context, GossipConfig config, EndpointState self, FailureDetector detector,
                    Listener listener) {
        this.context = Objects.requireNonNull(context, "context");
        this.counters = context.counters().register(GossipCounter.class);
        this.config = Objects.requireNonNull(config, "config");
        this.detector = Objects.requireNonNull(detector, "detector");
        this.listener = Objects.requireNonNull(listener, "listener");
        if (!self.id().equals(context.self())) {
            throw new KvException(ErrorCode.INVALID_CONFIGURATION, "gossip state of " + self.id() + " on node "
                + context.self());
        }
        for (String text : List.of(self.node().host(), self.node().zone(), self.node().rack())) {
            if (text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > GossipCodec.MAX_TEXT_BYTES) {
                throw new KvException(ErrorCode.INVALID_CONFIGURATION, "host, zone and rack must be at most "
                    + GossipCodec.MAX_TEXT_BYTES + " bytes, was '" + text + "'");
            }
        }
        this.self = self;
        this.codec = new GossipCodec(config.maxMessageBytes());
        this.seeds = new HashSet<>(config.seeds());
        seeds.remove(context.self());
        this.sortedSeeds = seeds.stream().sorted().toList();
        membership.put(self, context.clock().monotonicNanos());
    }

    /** Registers the message handler and schedules the first round at a random point of the first interval. */
    public void start() {
        started = true;
        lastRoundAt = context.clock().monotonicNanos();
        context.transport().registerOpen(SCHEMA_ID, this::onMessage);
        roundTimer = context.timers().schedule(context.random().nextLong(config.intervalNanos()) + 1,
            id -> round());
    }

    /**
     * Keeps this node's own state out of every message it sends until {@link #revealSelf}, and asks each peer for
     * the state it holds of this node's id instead ({@link #earlierSelf}). Peers meanwhile keep judging the id by
     * what they hold: an earlier run of it stays DOWN in their view, with its tokens, and nothing of this run
     * reaches their rings. A node without tokens of its own does this before it first gossips, so that it learns
     * whether its id was a member holding tokens (its data directory lost, then) before the cluster sees it join.
     *
     * @throws IllegalStateException when gossip already started (its first messages named this node already)
     */
    public void hideSelf() {
        if (started) {
            throw new IllegalStateException("hide before start");
        }
        hidden = true;
    }

    /** Ends {@link #hideSelf}: from the next message on, peers learn this node's state of this run. */
    public void revealSelf() {
        hidden = false;
        answeredAboutSelf.clear();
    }

    /** @return whether this node's state is still kept out of its messages ({@link #hideSelf}) */
    public boolean isHidden() {
        return hidden;
    }

    /**
     * @return the newest state of this node's id from an earlier run (an earlier generation) that a peer sent in
     *     this run, or null when none did: peers send it while this node hides, and whenever a peer still gossips
     *     an earlier run
     */
    public EndpointState earlierSelf() {
        return earlierSelf;
    }

    /** @return the newest state of this node's id from a later run that a peer sent, or null (see
     *     {@link Listener#onLaterRunOfSelf}) */
    public EndpointState laterSelf() {
        return laterSelf;
    }

    /**
     * While hidden: whether the peers that could know this node's id have answered about it. Each Syn of a hidden
     * node asks for the state its peer holds of the id; the Syn whose range holds the id is answered with that state,
     * or, by a peer that holds none, with a wish for it (its "nothing known"). Either is an answer about the id; a
     * datagram of the answer lost, or an answer from a node that does not know the members (another new node), is
     * not one. The peers that could know: the members of the ring (NORMAL, or LEAVING with tokens) when this view
     * holds any, since a member knows every member; else any peer (the first nodes of a new cluster hold no member,
     * and a peer that knew one would have sent its state along).
     *
     * @return true when one of those peers answered in this run while this node hid
     */
    public boolean answeredAboutSelf() {
        if (answeredAboutSelf.isEmpty()) {
            return false;
        }
        boolean membersKnown = false;
        for (EndpointState state : membership.states()) {
            if (!state.id().equals(context.self()) && state.heldTokensAsMember()) {
                membersKnown = true;
                if (answeredAboutSelf.contains(state.id())) {
                    return true;
                }
            }
        }
        return !membersKnown;
    }

    /** Stops gossiping (rounds end; arriving messages are ignored). */
    public void stop() {
        stopped = true;
        if (roundTimer >= 0) {
            context.timers().cancel(roundTimer);
        }
    }

    // ---------------------------------------------------------------- the node's own state

    /** @return this node's current state */
    public EndpointState self() {
        return self;
    }

    /** Announces a new status and tokens (e.g. NORMAL with the tokens picked when joining). */
    public void announce(NodeStatus status, long[] tokens) {
        setSelf(self.withTokens(tokens).withStatus(status));
    }

    /** Announces one application value (load, data size...); a no-op when it is unchanged. */
    public void announceApplicationState(String key, String value) {
        if (!value.equals(self.applicationState().get(key))) {
            setSelf(self.withApplicationState(key, value));
        }
    }

    private void setSelf(EndpointState state) {
        EndpointState previous = self;
        self = state;
        membership.put(state, context.clock().monotonicNanos());
        listener.onStateChange(previous, state);
    }

    // ---------------------------------------------------------------- the view

    /** @return every endpoint this node knows (itself included) with its liveness, ordered by id */
    public List<EndpointView> view() {
        List<EndpointView> view = new ArrayList<>();
        for (EndpointState state : membership.states()) {
            view.add(new EndpointView(state, liveness(state.id())));
        }
        return view;
    }

    /** @return how many endpoints this node knows, itself included */
    public int knownEndpoints() {
        return membership.size();
    }

    /** @return the state known for {@code node}, or null */
    public EndpointState state(NodeId node) {
        return membership.state(node).orElse(null);
    }

    /** @return all known states, ordered by id */
    public List<EndpointState> states() {
        return membership.states();
    }

    /** @return this node's judgement of {@code node}: ALIVE for itself, DOWN for a node it never heard of */
    public Liveness liveness(NodeId node) {
        if (node.equals(context.self())) {
            return Liveness.ALIVE;
        }
        return liveness.getOrDefault(node, Liveness.DOWN);
    }

    /**
     * @return true unless the failure detector judges {@code node} DOWN (a SUSPECT node still counts) or the node
     *     LEFT: the detector stops judging a node once it left (its {@link #liveness} stays as last judged), and a
     *     node that left hands nothing over and takes nothing any more, so nothing should wait on it
     */
    public boolean isAlive(NodeId node) {
        // leftAt holds exactly the other nodes whose known state is LEFT (until they are forgotten)
        return liveness(node) != Liveness.DOWN && !leftAt.containsKey(node);
    }

    /**
     * Whether {@code node} was surely up after {@code sinceNanos} (this node's monotonic clock; when this node judged
     * it DOWN, say), when it was in its run {@code generation} (0: unknown) or earlier: a later generation of it is
     * known now, or the newest state known here was made more than two rounds after then and no later than
     * {@code untilNanos}. Making times come from the ages relays report (a remembered state's is 30 days), so a node
     * that came back and went down again while this node was down shows so once gossip brings its later versions;
     * versions it made before then and reached this node late do not (the margin covers the estimate's error in
     * transit; a relay that was itself paused as the node made them reports them younger than they are). A node that
     * left, or was removed (a version another node made for it), never shows so.
     *
     * @return true when an absence of {@code node} that began at {@code sinceNanos} ended since; false when that
     *     is unknown
     */
    public boolean upAfter(NodeId node, long generation, long sinceNanos, long untilNanos) {
        EndpointState known = state(node);
        if (known == null || known.status() == NodeStatus.LEFT) {
            return false;
        }
        if (known.generation() != generation && generation != 0) {
            return known.generation() > generation;
        }
        long made = membership.madeAt(node);
        // (Long.MIN_VALUE: no making time, which a known state always has; the subtraction would wrap)
        return made != Long.MIN_VALUE && made - sinceNanos > 2 * config.intervalNanos() && made - untilNanos <= 0;
    }

    /** @return what gossip did so far: its counters, as registered in the node's registry */
    public CounterSet<GossipCounter> counters() {
        return counters;
    }

    // ---------------------------------------------------------------- operators

    /**
     * Marks a dead node as removed: its state becomes LEFT (announced on its behalf), spreads, and is forgotten
     * everywhere after the quarantine.
     *
     * @throws KvException with {@code INVALID_ARGUMENT} when the node is this one, unknown, not DOWN, or already
     *     removed
     */
    public void removeNode(NodeId node) {
        if (node.equals(context.self())) {
            throw new KvException(ErrorCode.INVALID_ARGUMENT, "a node cannot remove itself; stop it and run"
                + " removenode on another node");
        }
        EndpointState state = membership.state(node).orElseThrow(() -> new KvException(ErrorCode.INVALID_ARGUMENT,
            "no node " + node + " in this node's view"));
        if (state.status() == NodeStatus.LEFT) {
            throw new KvException(ErrorCode.INVALID_ARGUMENT, "node " + node + " is already removed");
        }
        Liveness judged = liveness(node);
        if (judged != Liveness.DOWN) {
            throw new KvException(ErrorCode.INVALID_ARGUMENT, "node " + node + " is " + judged
                + "; only a DOWN node can be removed");
        }
        EndpointState removed = state.removed();
        membership.put(removed, context.clock().monotonicNanos());
        leftAt.put(node, context.clock().monotonicNanos());
        listener.onStateChange(state, removed);
    }

    // ---------------------------------------------------------------- memory across restarts

    /**
     * Starts from what this node remembered of the cluster, before {@link #start}: the ring then holds every node
     * it knew, a DOWN one included, instead of only itself. A remembered member counts as never heard from (DOWN
     * until its own heartbeats arrive; peers that learn it from here judge it so too) and gives way to any newer
     * state gossip brings, as every state does: the node's next generation, or a later version of this one. A LEFT
     * member starts its quarantine again; a removed node's generation is refused as if its quarantine had just
     * ended here. This node's own state is skipped (it comes from this run), and so is a state whose id shares a
     * fingerprint with another known node (counted as implausible).
     *
     * @return how many member states were taken
     * @throws IllegalStateException when gossip already started
     */
    public int restore(Remembered remembered) {
        if (started) {
            throw new IllegalStateException("restore before start");
        }
        long now = context.clock().monotonicNanos();
        for (EndpointState removed : remembered.removed()) {
            if (!removed.id().equals(context.self())) {
                removedStates.put(removed.fingerprint(), removed);
            }
        }
        int taken = 0;
        for (EndpointState state : remembered.members()) {
            if (state.id().equals(context.self()) || membership.state(state.id()).isPresent()) {
                continue;
            }
            if (isImplausible(state)) {
                counters.get(GossipCounter.DROPPED_IMPLAUSIBLE).incrementRelease();
                continue;
            }
            EndpointState removed = removedStates.get(state.fingerprint());
            if (removed != null && state.generation() <= removed.generation()) {
                continue;
            }
            membership.put(state, now - REMEMBERED_AGE_NANOS);
            if (state.status() == NodeStatus.LEFT) {
                leftAt.put(state.id(), now);
            }
            context.transport().introduce(state.node());
            taken++;
        }
        return taken;
    }

    /** @return what this node would need to remember to start again from its current view (itself excluded) */
    public Remembered remembered() {
        List<EndpointState> members = new ArrayList<>(membership.size());
        for (EndpointState state : membership.states()) {
            if (!state.id().equals(context.self())) {
                members.add(state);
            }
        }
        List<EndpointState> removed = new ArrayList<>(removedStates.values());
        removed.sort(java.util.Comparator.comparing(EndpointState::id));
        return new Remembered(members, removed);
    }

    /**
     * @return true once this node took a peer's answer to gossip in this run: its view is at least as new as that
     *     peer's was
     */
    public boolean hasExchangedWithPeer() {
        return exchanged;
    }

    /** @return true when this node has a seed other than itself */
    public boolean hasSeeds() {
        return !seeds.isEmpty();
    }

    /** @return rounds run since start */
    public long rounds() {
        return counters.value(GossipCounter.ROUNDS);
    }

    // ---------------------------------------------------------------- rounds

    private void round() {
        if (stopped) {
            return;
        }
        counters.get(GossipCounter.ROUNDS).incrementRelease();
        self = self.beat();
        long now = context.clock().monotonicNanos();
        membership.put(self, now);
        excuseLocalPause(now);
        judgeAll(now);
        evictExpired(now);
        chooseAndSyn();
        roundTimer = context.timers().schedule(config.intervalNanos(), id -> round());
    }

    /**
     * A round much later than due means this node was stopped, and its monotonic clock ran on meanwhile: without
     * this, the round would find every peer silent for the whole pause and judge them all DOWN (and the node would
     * refuse the requests it coordinates until their heartbeats came back), and a phi detector would learn an
     * interval as long as the pause. The lateness is excused instead: every peer's silence is measured as if the
     * round had come on time.
     */
    private void excuseLocalPause(long now) {
        long sinceLastRound = now - lastRoundAt;
        lastRoundAt = now;
        if (sinceLastRound > LOCAL_PAUSE_ROUNDS * config.intervalNanos()) {
            counters.get(GossipCounter.LOCAL_PAUSES).incrementRelease();
            detector.excusePause(sinceLastRound - config.intervalNanos(), now);
        }
    }

    private void judgeAll(long now) {
        scratchLive.clear();
        scratchDown.clear();
        membership.forEach(state -> {
            NodeId node = state.id();
            if (node.equals(context.self()) || state.status() == NodeStatus.LEFT) {
                return;
            }
            Liveness current = detector.liveness(node, now);
            Liveness previous = liveness.put(node, current);
            if (previous != null && previous != current) {
                listener.onLivenessChange(node, previous, current);
            }
            (current == Liveness.DOWN ? scratchDown : scratchLive).add(node);
        });
    }

    private void evictExpired(long now) {
        if (leftAt.isEmpty()) {
            return;
        }
        List<NodeId> expired = new ArrayList<>();
        leftAt.forEach((node, since) -> {
            if (now - since >= config.quarantineNanos()) {
                expired.add(node);
            }
        });
        for (NodeId node : expired) {
            EndpointState state = membership.state(node).orElse(null);
            leftAt.remove(node);
            if (state != null) {
                EndpointState known = removedStates.get(state.fingerprint());
                if (known == null || state.isNewerThan(known.generation(), known.version())) {
                    removedStates.put(state.fingerprint(), state);
                }
            }
            membership.remove(node);
            liveness.remove(node);
            lastFed.remove(node);
            detector.forget(node);
            listener.onEvicted(node);
        }
    }

    private void chooseAndSyn() {
        boolean reachedSeed = false;
        if (!scratchLive.isEmpty()) {
            NodeId target = scratchLive.get(context.random().nextInt(scratchLive.size()));
            sendSyns(target);
            reachedSeed = seeds.contains(target);
        }
        if (!scratchDown.isEmpty()
            && context.random().nextDouble() < scratchDown.size() / (scratchLive.size() + 1.0)) {
            sendSyns(scratchDown.get(context.random().nextInt(scratchDown.size())));
        }
        if (seeds.isEmpty()) {
            return;
        }
        if (scratchLive.isEmpty()) {
            sendSyns(randomSeed());
        } else if (!reachedSeed || scratchLive.size() < seeds.size()) {
            double probability = seeds.size() / (double) (scratchLive.size() + scratchDown.size());
            if (context.random().nextDouble() < probability) {
                sendSyns(randomSeed());
            }
        }
    }

    private NodeId randomSeed() {
        return sortedSeeds.get(context.random().nextInt(sortedSeeds.size()));
    }

    private GossipCodec.Sender sender() {
        Node node = self.node();
        return new GossipCodec.Sender(config.clusterName(), node.id(), node.host(), node.peerPort(),
            self.generation(), self.version(), self.stateVersion());
    }

    private void sendSyns(NodeId target) {
        List<Digest> digests = membership.digests();
        if (hidden) {
            // "nothing known" of itself: the peer answers with the state it holds of this id, and learns nothing
            digests.replaceAll(digest -> digest.fingerprint() == self.fingerprint()
                ? Digest.nothingKnown(digest.fingerprint()) : digest);
        }
        codec.writeSyns(sendBuffer, sender(), digests, (buffer, length) -> {
            counters.get(GossipCounter.SYNS_SENT).incrementRelease();
            send(target, buffer, length);
        });
    }

    private void sendAcks(NodeId target, List<Digest> wanted, Membership.Delta delta, boolean alwaysOne) {
        if (hidden) {
            delta = withoutSelf(delta);
        }
        codec.writeAcks(sendBuffer, sender(), wanted, delta.heartbeats(), delta.states(),
            context.clock().monotonicNanos(), alwaysOne,
            (buffer, length) -> {
                counters.get(GossipCounter.ACKS_SENT).incrementRelease();
                send(target, buffer, length);
            });
    }

    private Membership.Delta withoutSelf(Membership.Delta delta) {
        long mine = self.fingerprint();
        List<Membership.Heartbeat> heartbeats = new ArrayList<>(delta.heartbeats());
        heartbeats.removeIf(heartbeat -> heartbeat.fingerprint() == mine);
        List<Membership.Timed> states = new ArrayList<>(delta.states());
        states.removeIf(timed -> timed.state().fingerprint() == mine);
        return new Membership.Delta(heartbeats, states);
    }

    private void send(NodeId target, DirectBuffer buffer, int length) {
        SendResult result = context.transport().send(target, buffer, 0, length);
        if (result == SendResult.SENT) {
            counters.get(GossipCounter.BYTES_SENT).addRelease(length);
        } else {
            counters.get(GossipCounter.SEND_FAILURES).incrementRelease();
        }
    }

    // ---------------------------------------------------------------- messages

    private void onMessage(NodeId transportSender, DirectBuffer buffer, int offset, int length) {
        if (stopped || length < MessageHeader.LENGTH) {
            return;
        }
        int template = codec.templateId(buffer, offset);
        try {
            if (template == SynDecoder.TEMPLATE_ID) {
                onSyn(codec.readSyn(buffer, offset, length));
            } else if (template == AckDecoder.TEMPLATE_ID) {
                onAck(codec.readAck(buffer, offset, length, context.clock().monotonicNanos()));
            } else {
                counters.get(GossipCounter.DROPPED_MALFORMED).incrementRelease();
                return;
            }
        } catch (RuntimeException e) {
            // anything a peer sent that does not decode or validate is dropped and counted; the node keeps going
            counters.get(GossipCounter.DROPPED_MALFORMED).incrementRelease();
            return;
        }
        counters.get(GossipCounter.MESSAGES_RECEIVED).incrementRelease();
        counters.get(GossipCounter.BYTES_RECEIVED).addRelease(length);
    }

    /** @return false (and counts) when the message is from another cluster or from this node itself */
    private boolean accept(GossipCodec.Sender sender) {
        if (!sender.clusterName().equals(config.clusterName())) {
            counters.get(GossipCounter.DROPPED_WRONG_CLUSTER).incrementRelease();
            return false;
        }
        if (sender.id().equals(context.self())) {
            return false;
        }
        // the sender's own address, so answers reach it before its state arrives: a joining node, or a node
        // restarted elsewhere (a newer generation). A message of a known generation cannot move a node's address:
        // the address is part of the state, which only its own node changes.
        EndpointState known = membership.state(sender.id()).orElse(null);
        if (known == null || sender.generation() > known.generation()
            && (!known.node().host().equals(sender.host()) || known.node().peerPort() != sender.peerPort())) {
            context.transport().introduceSender(new Node(sender.id(), sender.host(), sender.peerPort(),
                sender.peerPort(), Node.DEFAULT_ZONE, Node.DEFAULT_RACK));
        }
        // a message from a peer is its freshest heartbeat, made just now
        takeHeartbeat(new Membership.Heartbeat(sender.id().fingerprint(), sender.generation(), sender.version(),
            sender.stateVersion(), context.clock().monotonicNanos()));
        return true;
    }

    private void onSyn(GossipCodec.Syn syn) {
        if (!accept(syn.sender())) {
            return;
        }
        Membership.Delta newer = membership.newerThan(syn.digests(), syn.rangeStart(), syn.rangeEnd());
        List<Digest> wanted = membership.wanted(syn.digests());
        if (hidden && syn.digests().stream().anyMatch(digest -> digest.fingerprint() == self.fingerprint())) {
            // the peer holds a state of this id (an earlier run's): ask for it, as the Syns of a hidden node do
            wanted.add(Digest.nothingKnown(self.fingerprint()));
        }
        if (!removedStates.isEmpty()) {
            newer = answerRemoved(syn.digests(), wanted, newer);
        }
        sendAcks(syn.sender().id(), wanted, newer, true);
    }

    /**
     * For digests of a generation removed here: asks for none of them, and sends the removal to a peer that holds
     * an older copy.
     */
    private Membership.Delta answerRemoved(List<Digest> digests, List<Digest> wanted, Membership.Delta newer) {
        List<Membership.Timed> removals = null;
        for (Digest digest : digests) {
            EndpointState removedState = removedStates.get(digest.fingerprint());
            if (removedState == null || digest.generation() > removedState.generation()) {
                continue;
            }
            wanted.removeIf(want -> want.fingerprint() == digest.fingerprint());
            if (removedState.isNewerThan(digest.generation(), digest.version())) {
                if (removals == null) {
                    removals = new ArrayList<>(newer.states());
                }
                removals.add(new Membership.Timed(removedState, context.clock().monotonicNanos()));
            }
        }
        return removals == null ? newer : new Membership.Delta(newer.heartbeats(), removals);
    }

    private void onAck(GossipCodec.Ack ack) {
        if (!accept(ack.sender())) {
            return;
        }
        takeStates(ack.states());
        for (Membership.Heartbeat heartbeat : ack.heartbeats()) {
            takeHeartbeat(heartbeat);
        }
        if (hidden && answersAboutSelf(ack)) {
            answeredAboutSelf.add(ack.sender().id());
        }
        if (!ack.wanted().isEmpty()) {
            Membership.Delta answer = membership.newerThanWanted(ack.wanted());
            if (!answer.isEmpty()) {
                sendAcks(ack.sender().id(), List.of(), answer, false);
            }
        }
        if (!exchanged) {
            exchanged = true;
            listener.onFirstExchange(ack.sender().id());
        }
    }

    /** @return whether the Ack carries the sender's state of this node's id, or its wish for one (it holds none) */
    private boolean answersAboutSelf(GossipCodec.Ack ack) {
        long mine = self.fingerprint();
        for (Membership.Timed timed : ack.states()) {
            if (timed.state().fingerprint() == mine) {
                return true;
            }
        }
        for (Digest digest : ack.wanted()) {
            if (digest.fingerprint() == mine) {
                return true;
            }
        }
        return false;
    }

    private void takeHeartbeat(Membership.Heartbeat heartbeat) {
        if (heartbeat.fingerprint() == self.fingerprint()) {
            answerClaimAboutSelf(heartbeat.generation(), heartbeat.version(), false);
            return;
        }
        Membership.Applied applied = membership.applyHeartbeat(heartbeat);
        if (applied != null) {
            counters.get(GossipCounter.HEARTBEATS_APPLIED).incrementRelease();
            heard(applied.current().id(), applied.madeAtNanos());
            revive(applied.current().id());
        }
    }

    private void takeStates(List<Membership.Timed> incoming) {
        if (incoming.isEmpty()) {
            return;
        }
        List<Membership.Timed> acceptable = new ArrayList<>(incoming.size());
        for (Membership.Timed timed : incoming) {
            EndpointState state = timed.state();
            if (state.id().equals(context.self())) {
                if (state.generation() < self.generation() && (earlierSelf == null
                    || state.isNewerThan(earlierSelf.generation(), earlierSelf.version()))) {
                    earlierSelf = state;
                } else if (state.generation() > self.generation() && (laterSelf == null
                    || state.isNewerThan(laterSelf.generation(), laterSelf.version()))) {
                    boolean newRun = laterSelf == null || state.generation() > laterSelf.generation();
                    laterSelf = state;
                    if (newRun) {
                        listener.onLaterRunOfSelf(state);
                    }
                }
                answerClaimAboutSelf(state.generation(), state.version(), state.status() == NodeStatus.LEFT);
                continue;
            }
            if (isImplausible(state)) {
                counters.get(GossipCounter.DROPPED_IMPLAUSIBLE).incrementRelease();
                continue;
            }
            EndpointState removedState = removedStates.get(state.fingerprint());
            if (removedState != null && state.generation() <= removedState.generation()) {
                continue;
            }
            acceptable.add(timed);
        }
        long now = context.clock().monotonicNanos();
        for (Membership.Applied applied : membership.apply(acceptable)) {
            counters.get(GossipCounter.STATES_APPLIED).incrementRelease();
            EndpointState current = applied.current();
            NodeId node = current.id();
            if (applied.isNewGeneration()) {
                detector.forget(node);
                lastFed.remove(node);
                removedStates.remove(current.fingerprint());
            }
            heard(node, applied.madeAtNanos());
            if (current.status() == NodeStatus.LEFT) {
                leftAt.putIfAbsent(node, now);
            } else {
                leftAt.remove(node);
            }
            if (applied.isContentChange()) {
                if (applied.previous() == null || !applied.previous().node().equals(current.node())) {
                    context.transport().introduce(current.node());
                }
                listener.onStateChange(applied.previous(), current);
            }
            revive(node);
        }
    }

    /**
     * Feeds the failure detector with a newer version of a node's state, timed at when the node made it (as the
     * relays' reported ages say) rather than when it arrived here. Timing by arrival would let old versions passed
     * around by third nodes (slowly, or inside a partition) keep a dead node alive for as long as they circulate,
     * and would add the spread delay to every detection. A version made longer ago than the detector's down-after
     * (a remembered state, relayed with its 30-day age) is no sign of life and is not fed: a phi detector would
     * learn the age as an interval.
     */
    private void heard(NodeId node, long madeAtNanos) {
        long now = context.clock().monotonicNanos();
        long made = Math.min(madeAtNanos, now);
        if (now - made > detector.downAfterNanos()) {
            return;
        }
        long[] last = lastFed.computeIfAbsent(node, id -> new long[] {Long.MIN_VALUE});
        if (made > last[0]) {
            last[0] = made;
            detector.heartbeat(node, made);
        }
    }

    /** A node heard from again is judged at once, so a restarted or recovered node is not left DOWN a round. */
    private void revive(NodeId node) {
        EndpointState state = membership.state(node).orElse(null);
        if (state == null || state.status() == NodeStatus.LEFT) {
            return;
        }
        Liveness current = detector.liveness(node, context.clock().monotonicNanos());
        Liveness previous = liveness.put(node, current);
        if (previous != current) {
            listener.onLivenessChange(node, previous == null ? Liveness.DOWN : previous, current);
        }
    }

    /**
     * A state this node will not take, whatever its version: a generation too far ahead of this node's own
     * ({@link #MAX_GENERATION_AHEAD}), or an id whose fingerprint another known node already has (gossip names
     * endpoints by fingerprint, so the two could not be told apart; the transport refuses such a pair too).
     */
    private boolean isImplausible(EndpointState state) {
        if (state.generation() - self.generation() > MAX_GENERATION_AHEAD) {
            return true;
        }
        EndpointState sameFingerprint = membership.byFingerprint(state.fingerprint());
        return sameFingerprint != null && !sameFingerprint.id().equals(state.id());
    }

    /**
     * A peer holds a newer version of this node's own generation than this node does: another node removed it
     * (LEFT), or the peer saw versions of an earlier run in the same generation (or made them up). Either way this
     * node's own word must win: it takes LEFT (the operator's decision) or jumps its version past the claim, so
     * its next heartbeats are newer than the claim everywhere. A claim too close to the version limit to jump past
     * with room to keep beating is ignored (and counted).
     */
    private void answerClaimAboutSelf(long generation, long version, boolean left) {
        if (generation != self.generation() || version <= self.version()) {
            return;
        }
        if (version >= EndpointState.versionLimit(left ? NodeStatus.LEFT : self.status()) - VERSION_HEADROOM) {
            counters.get(GossipCounter.DROPPED_IMPLAUSIBLE).incrementRelease();
            return;
        }
        if (left) {
            setSelf(self.withVersion(version).withStatus(NodeStatus.LEFT));
        } else {
            self = self.withVersion(version + 1);
            membership.put(self, context.clock().monotonicNanos());
        }
    }
}
