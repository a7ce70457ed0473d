package io.ringkv.gossip;

import io.ringkv.api.CounterSet;
import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import io.ringkv.api.Node;
import io.ringkv.api.NodeContext;
import io.ringkv.api.NodeId;
import io.ringkv.ring.Ring;
import io.ringkv.ring.TokenAllocators;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A node's way into and out of the ring: the join, token conflicts, decommission and replacement, driven by gossip
 * and timers. Owns the node's {@link Gossiper} and the rings built from its view. I/O-free and single-threaded (the
 * agent thread): it moves data through a {@link RangeMover}, keeps its tokens through a {@link TokenStore}, hands
 * hints over through a {@link HintHandOff}, and reports one line per notable event.
 *
 * <p>Joining: a node that owns tokens from an earlier run announces NORMAL with them at once. A new node announces
 * JOINING, gossips until it has heard from a seed and for a few rounds more, waits while a live node with a
 * smaller id is still JOINING (so nodes started together pick one after another), then picks tokens with the
 * balanced allocator against every token claimed (owned or pending). The first node of a cluster stores them and
 * announces NORMAL. Any other announces them while still JOINING (pending: coordinators then send it every write of
 * the ranges it takes over, see {@link MembershipRing#future}), waits a few gossip rounds for that to spread, has
 * the mover bring it those ranges, and only then stores its tokens and announces NORMAL, so that no acknowledged
 * write is missing once it serves reads. Should the ring change while data moves, the move runs again against the
 * new rings first. A node restarted mid-join picks the same tokens against the same ring and moves again. Should
 * two nodes still claim one token (they did not see each other in time), the smaller id keeps it on every node,
 * and the other picks again, before it becomes NORMAL when it learns of the conflict in time.
 *
 * <p>A node started on new data ({@link #startedOnNewData}) first gossips hidden ({@link Gossiper#hideSelf}): peers
 * tell it what they hold of its id, and the cluster sees nothing of its run. When they hold a member with tokens
 * (NORMAL or LEAVING), the member's data directory was lost or replaced: joining would take those ranges out of the
 * ring without handing them over, so the node refuses to join ({@link #refusal}) and stays hidden, the cluster
 * keeps judging its id DOWN with its tokens, until it is restarted on its data or an operator removes the id from
 * the cluster ({@code ringkv removenode}; the node joins as a new one {@link #REVEAL_AFTER_REMOVAL_ROUNDS} rounds
 * after it learns of that, once the removal spread). Otherwise it shows itself one round after its first exchange,
 * with every answer of that exchange in, once a member (or, in a cluster without one yet, any peer) has answered about
 * its id ({@link Gossiper#answeredAboutSelf}; at most {@link #UNANSWERED_ROUNDS} rounds later it decides on what it
 * heard), and picks its tokens two to three rounds later.
 *
 * <p>A node started on data that holds its tokens hides as well, until a member answered about its id
 * ({@link #judgeRestartOnData}): held as a member of an earlier run, it rejoins with its tokens; held LEFT (an operator
 * removed it while it was down, or a node replaced it), it forgets its tokens, drops its records through its
 * {@link DataDrop} (they may predate deletes whose tombstones the cluster purged since) and joins as a new node.
 * With neither heard for a bounded number of rounds, it rejoins with its tokens, warning: a node whose peers are all
 * down, or a cluster restarted at once without its remembered views, still serves.
 *
 * <p>Replacing ({@link Settings#replace}): a new node takes the tokens of a DOWN member as pending, receives its
 * ranges from the other replicas, removes it and becomes NORMAL with them.
 *
 * <p>Decommission ({@link #decommission}): the node announces LEAVING, sends each of its ranges to the replicas
 * that gain it, hands its hints over (for a bounded time), announces LEFT, forgets its tokens and, a few rounds
 * later, reports that it left.
 */
public final class NodeLifecycle implements Gossiper.Listener {
    /** The application state that carries a join's or leave's progress ({@code done/total} sessions). */
    public static final String STREAMING = "streaming";
    /** Rounds a new node gossips before its first attempt to join. */
    static final int JOIN_ROUNDS = 3;
    /** A joiner waits at most this many rounds for smaller-id joiners (one that is stuck must not block the rest). */
    static final int MAX_ROUNDS_WAITING_FOR_JOINERS = 60;
    /** Rounds before a join step that failed (tokens not stored, a move given up) is tried again. */
    static final int RETRY_ROUNDS = 5;
    /** Rounds between announcing a move (pending tokens, LEAVING) and moving data: coordinators learn it first. */
    public static final int MOVE_AFTER_ROUNDS = 3;
    /** Rounds a node that left keeps gossiping LEFT before it reports that it left. */
    static final int LEFT_ROUNDS = 3;
    /** How long a leaving node tries to hand its hints over before it leaves anyway. */
    static final int HINT_HAND_OFF_SECONDS = 60;
    /** Rounds between two reports of a refused join. */
    static final int REFUSAL_REPORT_ROUNDS = 60;
    /**
     * Rounds a node refused for its id waits, once it learned of the id's removal, before it shows itself: the
     * removal spreads first, so members do not take it for a member back without its data.
     */
    static final int REVEAL_AFTER_REMOVAL_ROUNDS = 10;
    /**
     * Rounds a hidden node waits for a member's answer about its id (see {@link Gossiper#answeredAboutSelf}) before it
     * decides on what it heard, so that a lost datagram, or a first answer from another new node, does not let a
     * member back without its data join as a new node.
     */
    public static final int UNANSWERED_ROUNDS = 10;

    /**
     * What the lifecycle needs to know of the cluster and the node.
     *
     * @param replicationFactor N, which sizes the ring
     * @param vnodes tokens a new node picks
     * @param replace the DOWN node this new node replaces, or null for an ordinary join
     */
    public record Settings(int replicationFactor, int vnodes, NodeId replace) {
        /** Checks the numbers. */
        public Settings {
            if (replicationFactor < 1 || vnodes < 1) {
                throw new IllegalArgumentException("replication factor and vnodes must be at least 1");
            }
        }
    }

    private final NodeContext context;
    private final Settings settings;
    private final Gossiper gossiper;
    private final Gossiper.Listener observer;
    private final TokenStore tokenStore;
    private final Consumer<String> events;
    private final CounterSet<LifecycleCounter> counters;
    private final NodeId selfId;
    private final Node selfNode;
    /** One gossip round, the unit of this class's timers. */
    private final long interval;
    private final String seedNames;
    private RangeMover mover;
    private HintHandOff hints = HintHandOff.NONE;
    private Consumer<Ring> ringListener = ring -> { };
    private Consumer<String> leftListener = message -> { };
    private Ring ring;
    /** The ring once JOINING nodes with tokens own them and LEAVING ones are gone. */
    private Ring future;
    /** The rings come from the previous run's view ({@link #restore}): the listener is told of them at start. */
    private boolean ringsRestored;
    /** A decommission found every node of the ring leaving and waits for one to stay (logged once). */
    private boolean waitingForAKeeper;
    /** Changes of the ring or the future ring; a move made against older ones runs again. */
    private long ringChanges;
    /** Raised by every new plan (a pick, a leave): timers and move reports of an older one are ignored. */
    private long attempt;
    private long tokenPicks;
    private long failuresReported;
    /** When the current move (or its latest re-plan) started, for its rate. */
    private long moveStartedNanos;
    /**
     * The move running, or null: re-planned at once when one of its peers leaves the rings. Reports of any other
     * move (one replaced by a later one, or ended) are ignored.
     */
    private RunningMove running;
    private long joinAttempts;
    private long roundsWaitedForJoiners;
    /** The DOWN node this one is taking the place of, while it receives its ranges. */
    private NodeId replacing;
    /**
     * This node has been NORMAL (in this run, or the previous one's tokens were restored): a replacement it was
     * started as is done, and a later join (after losing a token conflict) joins as a new node.
     */
    private boolean wasNormal;
    private boolean left;
    /** Why this node refuses to join, or null (see {@link #refusal}). */
    private String refusal;
    private long refusalChecks;
    /** Judgements of a hidden node that found no member's answer about its id (see {@link #UNANSWERED_ROUNDS}). */
    private int unansweredRounds;
    private boolean newData;
    /** Drops this node's records when it finds it was removed while it was down (see {@link #dropWith}). */
    private DataDrop dataDrop = DataDrop.NONE;
    /** A drop of this node's records runs (it was removed while down): judgements of its earlier self wait. */
    private boolean dropping;
    /** Failed drops of this run, so that the failure is said every {@link #REFUSAL_REPORT_ROUNDS} rounds, not each. */
    private long dropFailures;
    /**
     * The generation of the run that stored this node's tokens: a LEFT state of its id from an earlier run is from
     * before it held them (it left, and joined again since), not a removal of the runs that held them. 0: any.
     */
    private long tokensGeneration;

    /**
     * @param context the node's runtime
     * @param settings N, vnodes, and the node replaced, if any
     * @param gossip how to gossip
     * @param self this node's addresses
     * @param generation this run's generation
     * @param storedTokens the tokens this node owned in its last run (empty for a node that never joined, or left)
     * @param detector judges peers
     * @param tokenStore keeps the tokens once the node owns them
     * @param observer hears every gossip event after the lifecycle did (presentation, persistence of the view)
     * @param events receives one line per notable event of the lifecycle
     */
    public NodeLifecycle(NodeContext context, Settings settings, GossipConfig gossip, Node self, long generation,
                         long[] storedTokens, FailureDetector detector, TokenStore tokenStore,
                         Gossiper.Listener observer, Consumer<String> events) {
        this.context = Objects.requireNonNull(context, "context");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.tokenStore = Objects.requireNonNull(tokenStore, "tokenStore");
        this.observer = Objects.requireNonNull(observer, "observer");
        this.events = Objects.requireNonNull(events, "events");
        this.selfId = self.id();
        this.selfNode = self;
        this.interval = gossip.intervalNanos();
        this.seedNames = String.join(", ", gossip.seeds().stream().map(NodeId::value).toList());
        this.counters = context.counters().register(LifecycleCounter.class);
        EndpointState initial = EndpointState.initial(self, generation,
            storedTokens.length > 0 ? NodeStatus.NORMAL : NodeStatus.JOINING, storedTokens, Map.of());
        this.gossiper = new Gossiper(context, gossip, initial, detector, this);
        this.ring = MembershipRing.build(gossiper.states(), settings.replicationFactor());
        this.future = MembershipRing.future(gossiper.states(), settings.replicationFactor());
    }

    // ---------------------------------------------------------------- wiring, before start

    /** Sets what moves data when this node joins or leaves; before {@link #start()}. Without one, only the first
     * node of a cluster can join, and no node can leave. */
    public void moveWith(RangeMover rangeMover) {
        this.mover = rangeMover;
    }

    /**
     * Sets how a node drops its records when it finds, started again on its data, that it was removed from the cluster
     * meanwhile; before {@link #start()}. Without one, such a node stays hidden, says why, and tries again every few
     * rounds.
     */
    public void dropWith(DataDrop drop) {
        this.dataDrop = Objects.requireNonNull(drop, "drop");
    }

    /** Sets how a leaving node hands its hints over; before {@link #start()}. */
    public void hintsWith(HintHandOff handOff) {
        this.hints = Objects.requireNonNull(handOff, "handOff");
    }

    /** @param listener receives every new ring (current ring; the future one is {@link #futureRing()}) */
    public void onRing(Consumer<Ring> listener) {
        this.ringListener = Objects.requireNonNull(listener, "listener");
    }

    /** @param listener told once, with a message, when this node decommissioned and the cluster knows it left */
    public void onLeft(Consumer<String> listener) {
        this.leftListener = Objects.requireNonNull(listener, "listener");
    }

    /**
     * Starts from the members the previous run knew (see {@link Gossiper#restore}); before {@link #start()}.
     *
     * @return how many member states were taken
     */
    public int restore(Gossiper.Remembered remembered) {
        int restored = gossiper.restore(remembered);
        ring = MembershipRing.build(gossiper.states(), settings.replicationFactor());
        future = MembershipRing.future(gossiper.states(), settings.replicationFactor());
        ringsRestored = true;
        return restored;
    }

    /**
     * Tells the lifecycle, before {@link #start()}, that this node never held tokens on its data (it stored none
     * there): a new node, one whose join never finished, or one whose data directory was lost or replaced. Such a
     * node asks the cluster about its id before it shows itself, and refuses to join when the id was a member
     * holding tokens, at every restart until it joined. A node that held tokens on its data and holds none now gave
     * them up itself (it left, or handed them over).
     */
    public void startedOnNewData() {
        newData = true;
    }

    /**
     * Tells the lifecycle, before {@link #start()}, the generation of the run that stored the tokens it starts with
     * (see {@link #judgeRestartOnData}).
     */
    public void tokensStoredAt(long generation) {
        this.tokensGeneration = generation;
    }

    /** Starts gossip and, for a node without tokens, the join. */
    public void start() {
        if (ringsRestored) {
            // the listener hears the restored rings: a join or leave under way in them would otherwise go unseen
            // (writes not sent to its pending replicas) until the next change, as gossip brings the same states
            ringListener.accept(ring);
        }
        boolean normal = gossiper.self().status() == NodeStatus.NORMAL;
        // a node with tokens on its data asks too: it may have been removed from the cluster while it was down
        boolean hide = normal ? gossiper.hasSeeds() || remembersAMember()
            : newData && gossiper.self().status() == NodeStatus.JOINING && gossiper.hasSeeds();
        if (hide) {
            gossiper.hideSelf();
        }
        gossiper.start();
        if (!normal) {
            long delay = gossiper.hasSeeds() ? JOIN_ROUNDS * interval + context.random().nextLong(2 * interval) : 1;
            long plan = attempt;
            context.timers().schedule(delay, id -> joinIfStill(plan));
        } else if (hide) {
            wasNormal = true;
            events.accept("asking the cluster about node " + selfId + " before it rejoins with the "
                + gossiper.self().tokenCount() + " tokens of its previous run (this run: generation "
                + gossiper.self().generation() + "): it may have been removed while it was down");
            context.timers().schedule((JOIN_ROUNDS + UNANSWERED_ROUNDS) * interval, id -> rejoinIfNobodyAnswered());
        } else {
            wasNormal = true;
            rejoined();
        }
    }

    /** @return whether the view restored from the previous run holds another node that has not left */
    private boolean remembersAMember() {
        for (EndpointState state : gossiper.states()) {
            if (!state.id().equals(selfId) && state.status() != NodeStatus.LEFT) {
                return true;
            }
        }
        return false;
    }

    private void rejoined() {
        events.accept("rejoining with the " + gossiper.self().tokenCount() + " tokens of the previous run"
            + " (this run: generation " + gossiper.self().generation() + ")");
    }

    /**
     * A node restarted on its data that heard from no peer for a while (every other node down, or unreachable)
     * rejoins with its tokens on what it knows: it would otherwise serve nothing until a peer is back.
     */
    private void rejoinIfNobodyAnswered() {
        if (gossiper.isHidden() && !gossiper.hasExchangedWithPeer() && !dropping
            && gossiper.self().status() == NodeStatus.NORMAL) {
            events.accept("WARNING: no peer answered about node " + selfId + " in " + (JOIN_ROUNDS + UNANSWERED_ROUNDS)
                + " rounds: rejoining with its tokens on what this node knows. Should it have been removed from the"
                + " cluster while it was down, its records may bring back values deleted since");
            rejoinWithTokens();
            watchForALateRemoval(REFUSAL_REPORT_ROUNDS);
        }
    }

    private void rejoinWithTokens() {
        gossiper.revealSelf();
        refusal = null;
        counters.get(LifecycleCounter.JOIN_REFUSED).setRelease(0);
        rejoined();
        // acted on once its earlier self was judged (a node removed meanwhile must not hand its records over), and on
        // a view a peer confirmed, not on a peers file that may be stale (else onFirstExchange does, later)
        if (gossiper.hasExchangedWithPeer()) {
            pickAgainOnConflict();
        }
    }

    // ---------------------------------------------------------------- reading

    /** @return the gossiper (agent thread only) */
    public Gossiper gossiper() {
        return gossiper;
    }

    /** @return the ring as this node knows it now */
    public Ring ring() {
        return ring;
    }

    /** @return the ring the cluster moves to: JOINING nodes with tokens own them, LEAVING ones are gone */
    public Ring futureRing() {
        return future;
    }

    /** @return whether this node decommissioned and told the cluster it left */
    public boolean hasLeft() {
        return left;
    }

    /**
     * @return why this node refuses to join, in words for its operator and its clients, or null: its id was a
     *     member holding tokens and this run started on data that never held them (the member's data directory lost
     *     or replaced), or peers hold a later run of its id
     */
    public String refusal() {
        return refusal;
    }

    /** @return what the lifecycle retried so far */
    public CounterSet<LifecycleCounter> counters() {
        return counters;
    }

    // ---------------------------------------------------------------- joining

    private void joinIfStill(long plan) {
        if (plan == attempt) {
            join();
        }
    }

    private void retryJoinLater() {
        long plan = attempt;
        context.timers().schedule(interval, id -> joinIfStill(plan));
    }

    private void join() {
        // a view restored from the previous run may hold members, all of them DOWN and perhaps long gone: tokens
        // are picked only against a view a peer confirmed in this run
        if (gossiper.hasSeeds() && !gossiper.hasExchangedWithPeer()) {
            if (joinAttempts++ % 10 == 0) {
                events.accept("waiting to hear from a seed (" + seedNames + ") before joining");
            }
            retryJoinLater();
            return;
        }
        if (gossiper.isHidden()) {
            // judged a round after the first exchange (judgeEarlierSelf): the join is planned anew once it shows
            return;
        }
        if (settings.replace() != null && !wasNormal) {
            joinInPlaceOf(settings.replace());
            return;
        }
        NodeId before = smallerLiveJoiner();
        if (before != null && roundsWaitedForJoiners++ < MAX_ROUNDS_WAITING_FOR_JOINERS) {
            // one node picks at a time, smallest id first, each against the ring the others left: nodes
            // started together then balance as well as nodes added one by one
            retryJoinLater();
            return;
        }
        if (before != null && roundsWaitedForJoiners == MAX_ROUNDS_WAITING_FOR_JOINERS + 1) {
            events.accept("node " + before + " has been JOINING for " + MAX_ROUNDS_WAITING_FOR_JOINERS
                + " rounds; joining without waiting for it (a token both pick stays with the smaller id)");
        }
        long[] tokens = pickTokens();
        long plan = ++attempt;
        if (ring.isEmpty() || mover == null) {
            becomeNormal(plan, tokens, false);
            return;
        }
        gossiper.announce(NodeStatus.JOINING, tokens);
        events.accept("joining with " + tokens.length + " tokens: streaming the ranges it takes over from the "
            + ring.size() + " node(s) of the ring");
        context.timers().schedule(MOVE_AFTER_ROUNDS * interval, id -> moveInThenNormal(plan, tokens));
    }

    /**
     * Joins in place of a DOWN node: takes its tokens (pending while JOINING, with the replaced node left out of the
     * future ring), receives its ranges from the other replicas, then removes it and becomes NORMAL with them.
     */
    private void joinInPlaceOf(NodeId dead) {
        EndpointState found = gossiper.state(dead);
        String problem = found == null ? "no node " + dead + " in this node's view yet"
            : found.status() != NodeStatus.NORMAL || found.tokenCount() == 0 ? dead + " is " + found.status()
                + ", not a member of the ring"
            : gossiper.isAlive(dead) ? dead + " is " + gossiper.liveness(dead) + "; stop it first (a replacement"
                + " takes over a DOWN node)"
            // replicas are spread over racks: in another one the same tokens would move other nodes' ranges too,
            // which only this node's streams would not fill
            : !found.node().failureDomain().equals(selfNode.failureDomain()) ? dead + " was in "
                + found.node().failureDomain() + " and this node is in " + selfNode.failureDomain() + "; a"
                + " replacement must take the dead node's zone and rack (or join as a new node, then remove " + dead
                + ")" : null;
        if (problem != null) {
            if (joinAttempts++ % 10 == 0) {
                events.accept("waiting to replace " + dead + ": " + problem);
            }
            retryJoinLater();
            return;
        }
        long[] tokens = found.tokens();
        long plan = ++attempt;
        replacing = dead;
        gossiper.announceApplicationState(MembershipRing.REPLACING, MembershipRing.replacing(found));
        gossiper.announce(NodeStatus.JOINING, tokens);
        events.accept("replacing " + dead + ": joining with its " + tokens.length + " tokens, streaming its ranges"
            + " from the other replicas");
        context.timers().schedule(MOVE_AFTER_ROUNDS * interval, id -> moveInThenNormal(plan, tokens));
    }

    /** Receives the ranges this joining node takes over, then becomes NORMAL. */
    private void moveInThenNormal(long plan, long[] tokens) {
        if (plan != attempt || gossiper.self().status() != NodeStatus.JOINING) {
            return;
        }
        moveThen(plan, RangeMover.Direction.RECEIVE, progress -> {
            events.accept("streamed the ranges it takes over (" + progress + ")");
            becomeNormal(plan, tokens, true);
        });
    }

    /** @param moved whether data moved for these tokens (the first node of a cluster has nothing to move) */
    private void becomeNormal(long plan, long[] tokens, boolean moved) {
        if (plan != attempt) {
            return;
        }
        if (replacing != null) {
            try {
                EndpointState dead = gossiper.state(replacing);
                if (dead == null || dead.status() == NodeStatus.LEFT) {
                    // an operator removed it meanwhile (perhaps forgotten already): there is nothing left to remove
                    events.accept(replacing + " was removed already; this node takes over its tokens");
                } else {
                    // the dead node leaves the ring as this one takes its tokens
                    gossiper.removeNode(replacing);
                    events.accept("removed " + replacing + ", whose tokens this node takes over");
                }
            } catch (KvException e) {
                events.accept("cannot remove " + replacing + " (" + e.getMessage() + "); trying again");
                context.timers().schedule(RETRY_ROUNDS * interval, id -> becomeNormal(plan, tokens, moved));
                return;
            }
            // REPLACING stays: a node that hears this NORMAL state before the removal still gives it the tokens
            replacing = null;
        }
        try {
            tokenStore.store(tokens);
        } catch (RuntimeException e) {
            // e.g. the node's state cannot be written: stay JOINING and try again, rather than never joining
            counters.get(LifecycleCounter.STORE_FAILURES).incrementRelease();
            events.accept("joining failed (" + e.getMessage() + "); trying again in " + RETRY_ROUNDS + " rounds");
            // without a move the pick was against an empty ring: the retry looks at the ring again
            context.timers().schedule(RETRY_ROUNDS * interval, id -> {
                if (moved) {
                    becomeNormal(plan, tokens, true);
                } else if (plan == attempt) {
                    join();
                }
            });
            return;
        }
        gossiper.announce(NodeStatus.NORMAL, tokens);
        gossiper.announceApplicationState(STREAMING, "");
        wasNormal = true;
        events.accept("joined the ring with " + tokens.length + " tokens (generation "
            + gossiper.self().generation() + ", " + ring.size() + " node(s) in the ring)");
    }

    /** @return the smallest-id node other than this one that is JOINING and not DOWN, if its id is smaller */
    private NodeId smallerLiveJoiner() {
        for (EndpointView view : gossiper.view()) {
            EndpointState other = view.state();
            if (other.status() == NodeStatus.JOINING && other.id().compareTo(selfId) < 0
                && view.liveness() != Liveness.DOWN) {
                return other.id();
            }
        }
        return null;
    }

    private long[] pickTokens() {
        List<EndpointState> others = gossiper.states().stream().filter(s -> !s.id().equals(selfId)).toList();
        // every token claimed, pending ones included: the balanced allocator is deterministic, so two joiners that
        // picked against the owners alone would pick the same tokens again after a conflict, and again
        Ring claimed = MembershipRing.claimed(others, settings.replicationFactor());
        // not the generation: a node restarted mid-join picks the same tokens again and resumes its move; a pick
        // that lost a token to another joiner picks anew
        SplittableRandom random = new SplittableRandom(selfId.fingerprint() ^ tokenPicks++);
        return TokenAllocators.create(TokenAllocators.BALANCED, random).allocate(claimed, selfNode,
            settings.vnodes());
    }

    // ---------------------------------------------------------------- moving data

    /**
     * Has the mover move data between the current rings, then runs {@code done}; when the rings changed meanwhile,
     * moves again against the new ones first (only what is still missing moves). A move the mover gives up on is
     * tried again after a few rounds. A move with a peer that leaves both rings while it runs (a stream source that
     * decommissioned, or a removed node) is re-planned at once ({@link #replanIfDeparted}): its sessions with that
     * node could never complete, so the move would otherwise never finish.
     */
    private void moveThen(long plan, RangeMover.Direction direction, Consumer<RangeMover.Progress> done) {
        moveThen(plan, direction, () -> ring, done);
    }

    /** @param current the ring to move from, read again each time the move is planned anew */
    private void moveThen(long plan, RangeMover.Direction direction, Supplier<Ring> current,
                          Consumer<RangeMover.Progress> done) {
        if (direction == RangeMover.Direction.SEND && future.isEmpty()) {
            // nodes decommissioned within a round (or cut off from each other meanwhile) each planned with the
            // others still NORMAL: with every node leaving, a plan has no receiver, and its node would leave having
            // sent nothing. It waits instead, still serving, at its first plan and at every plan made again
            running = null;
            if (!waitingForAKeeper) {
                waitingForAKeeper = true;
                events.accept("ERROR: cannot hand this node's ranges over: every node of the ring is leaving, so none"
                    + " would keep them; staying LEAVING until a node stays (restart one of the leaving nodes: it"
                    + " comes back NORMAL, or add a node)");
            }
            context.timers().schedule(MOVE_AFTER_ROUNDS * interval, id -> {
                if (plan == attempt) {
                    moveThen(plan, direction, current, done);
                }
            });
            return;
        }
        waitingForAKeeper = false;
        long changes = ringChanges;
        moveStartedNanos = context.clock().monotonicNanos();
        // the mover counts each move's failures from zero
        failuresReported = 0;
        Set<NodeId> skip = replacing == null ? Set.of() : Set.of(replacing);
        RunningMove move = new RunningMove(plan, new RangeMover.Move(direction, current.get(), future, selfId, skip),
            current, done);
        running = move;
        mover.move(move.move(), new RangeMover.Listener() {
            @Override
            public void progress(RangeMover.Progress progress) {
                if (plan == attempt && running == move) {
                    moved(progress);
                }
            }

            @Override
            public void finished(RangeMover.Progress progress) {
                if (plan != attempt || running != move) {
                    return;
                }
                if (ringChanges != changes) {
                    moveThen(plan, direction, current, done);
                } else {
                    running = null;
                    done.accept(progress);
                }
            }

            @Override
            public void failed(String reason) {
                if (plan != attempt || running != move) {
                    return;
                }
                running = null;
                counters.get(LifecycleCounter.MOVE_RETRIES).incrementRelease();
                events.accept("moving the ranges to " + direction.purpose() + " failed (" + reason + "); trying"
                    + " again in " + RETRY_ROUNDS + " rounds");
                context.timers().schedule(RETRY_ROUNDS * interval, id -> {
                    if (plan == attempt) {
                        moveThen(plan, direction, current, done);
                    }
                });
            }
        });
    }

    /** A move handed to the mover and not finished: what re-planning it needs. */
    private record RunningMove(long plan, RangeMover.Move move, Supplier<Ring> current,
                               Consumer<RangeMover.Progress> done) {
    }

    /**
     * Re-plans the running move against the rings just rebuilt when a node it may move data with is in neither of
     * them any more: that node left or was removed, and the ranges it held now come from, or go to, the nodes that
     * took them over. A join receives from the replicas of its current ring, a leave sends to those of its future
     * ring; a node of the other ring that goes does not touch the move.
     */
    private void replanIfDeparted() {
        RunningMove move = running;
        if (move == null || move.plan() != attempt) {
            return;
        }
        Ring peers = move.move().direction() == RangeMover.Direction.RECEIVE ? move.move().current()
            : move.move().future();
        for (int i = 0; i < peers.size(); i++) {
            NodeId node = peers.node(i).id();
            if (!node.equals(selfId) && !ring.contains(node) && !future.contains(node)) {
                counters.get(LifecycleCounter.MOVE_REPLANS).incrementRelease();
                events.accept(node + " left the ring while this node moved data with it; planning the "
                    + move.move().direction().purpose() + "'s move again without it");
                moveThen(move.plan(), move.move().direction(), move.current(), move.done());
                return;
            }
        }
    }

    /**
     * Announces a join's or leave's progress as {@code <sessions done>/<sessions> <bytes>B <bytes per second>B/s}
     * (for {@code ringkv status}); says why a session failed (the mover tries it again).
     */
    private void moved(RangeMover.Progress progress) {
        long elapsed = Math.max(1, context.clock().monotonicNanos() - moveStartedNanos);
        long rate = (long) (progress.bytes() * 1e9 / elapsed);
        gossiper.announceApplicationState(STREAMING, progress.done() + "/" + progress.total() + " "
            + progress.bytes() + "B " + rate + "B/s");
        if (progress.failures() > failuresReported) {
            failuresReported = progress.failures();
            events.accept("a streaming session failed (" + progress.lastFailure() + "); it is tried again");
        }
    }

    // ---------------------------------------------------------------- leaving

    /**
     * Starts decommissioning this node (operator command).
     *
     * @return what the node does now
     * @throws KvException with {@code INVALID_ARGUMENT} when it cannot leave now, saying why
     */
    public String decommission() {
        EndpointState mine = gossiper.self();
        if (mine.status() != NodeStatus.NORMAL || !ring.contains(selfId)) {
            throw new KvException(ErrorCode.INVALID_ARGUMENT, "only a NORMAL member of the ring can decommission;"
                + " this node is " + mine.status());
        }
        if (ring.size() < 2) {
            throw new KvException(ErrorCode.INVALID_ARGUMENT, "the last node of the ring cannot decommission: no"
                + " node would keep its data");
        }
        // the nodes that stay: the ring the cluster moves to leaves out those leaving already
        int remaining = future.contains(selfId) ? future.size() - 1 : future.size();
        if (remaining < 1) {
            throw new KvException(ErrorCode.INVALID_ARGUMENT, "every other node of the ring is leaving: no node would"
                + " keep this node's data; wait until they have left, or add a node first");
        }
        if (mover == null) {
            throw new KvException(ErrorCode.INVALID_ARGUMENT, "this node cannot stream its ranges");
        }
        long plan = ++attempt;
        gossiper.announce(NodeStatus.LEAVING, mine.tokens());
        context.timers().schedule(MOVE_AFTER_ROUNDS * interval, id -> moveOutThenLeave(plan));
        String warning = remaining < settings.replicationFactor() ? " (the " + remaining + " remaining node(s)"
            + " keep fewer than N=" + settings.replicationFactor() + " copies)" : "";
        events.accept("decommissioning: LEAVING, streaming its ranges to the nodes that take them over" + warning);
        return "decommissioning: streaming this node's ranges to the nodes that take them over" + warning
            + "; progress in INFO streaming and ringkv status";
    }

    private void moveOutThenLeave(long plan) {
        if (plan != attempt) {
            return;
        }
        moveThen(plan, RangeMover.Direction.SEND, progress -> {
            events.accept("handed over its ranges (" + progress + "); handing over its " + hints.pending()
                + " hints");
            hints.start();
            awaitHintsThenLeave(plan, context.clock().monotonicNanos()
                + TimeUnit.SECONDS.toNanos(HINT_HAND_OFF_SECONDS));
        });
    }

    /** Leaves once every hint is handed over, or when the deadline passes (repair covers what is left). */
    private void awaitHintsThenLeave(long plan, long deadlineNanos) {
        long held = hints.pending();
        if (held > 0 && context.clock().monotonicNanos() < deadlineNanos) {
            context.timers().schedule(interval, id -> awaitHintsThenLeave(plan, deadlineNanos));
            return;
        }
        if (held > 0) {
            events.accept(held + " hints could not be handed over in " + HINT_HAND_OFF_SECONDS + " s (no live node"
                + " took them); repair brings those writes");
        }
        events.accept("announcing LEFT");
        leave();
    }

    private void leave() {
        gossiper.announce(NodeStatus.LEFT, gossiper.self().tokens());
        gossiper.announceApplicationState(STREAMING, "");
        // a restart must not bring the node back with ranges it no longer holds
        forgetTokens();
        context.timers().schedule(LEFT_ROUNDS * interval, id -> {
            left = true;
            leftListener.accept("decommissioned: its ranges are with the other nodes, which know it left");
        });
    }

    // ---------------------------------------------------------------- gossip

    @Override
    public void onStateChange(EndpointState previous, EndpointState current) {
        observer.onStateChange(previous, current);
        if (backWithoutItsTokens(previous, current)) {
            counters.get(LifecycleCounter.MEMBERS_BACK_WITHOUT_TOKENS).incrementRelease();
            // seen JOINING, it leaves this node's ring now; seen only NORMAL again (this node missed its removal
            // and its join), it is on the ring with other tokens. Either way a node's wiring can start a repair pass
            events.accept("WARNING: node " + current.id() + " is back (generation " + current.generation()
                + ") without the " + previous.tokenCount() + " tokens it held as a member: most likely its data"
                + " directory was lost or replaced, and it is back as a new node"
                + (current.status() == NodeStatus.JOINING ? "" : " (this node missed its removal and its join)")
                + ". The ranges it held left the ring without being handed over and lack a copy until repair has run"
                + " on the nodes that replicate them (a node starts a repair pass as they leave its ring)");
        }
        if (MembershipRing.affectsRing(previous, current)) {
            rebuildRing();
        }
    }

    /**
     * @return true when another member that held tokens (NORMAL or LEAVING) is seen in a later run without them:
     *     JOINING (a member keeps its tokens across restarts, so it stored none), or, by a node that missed that
     *     join, NORMAL with other tokens. Its old ranges then left the ring without being handed over. A node
     *     restarted on its data comes back with its tokens; a replacement has another id; a token conflict's loser
     *     rejoins in the same run.
     */
    private boolean backWithoutItsTokens(EndpointState previous, EndpointState current) {
        if (previous == null || current.id().equals(selfId) || current.generation() <= previous.generation()
            || !previous.heldTokensAsMember()) {
            return false;
        }
        return current.status() == NodeStatus.JOINING || current.status() == NodeStatus.NORMAL
            && !Arrays.equals(sorted(previous.tokens()), sorted(current.tokens()));
    }

    @Override
    public void onLivenessChange(NodeId node, Liveness previous, Liveness current) {
        observer.onLivenessChange(node, previous, current);
    }

    @Override
    public void onEvicted(NodeId node) {
        observer.onEvicted(node);
        rebuildRing();
    }

    @Override
    public void onLaterRunOfSelf(EndpointState later) {
        observer.onLaterRunOfSelf(later);
        counters.get(LifecycleCounter.LATER_RUNS_OF_THIS_ID).incrementRelease();
        if (!gossiper.isHidden()) {
            // a hidden node says so as it refuses to join
            events.accept("ERROR: " + laterRun(later));
        }
    }

    private String laterRun(EndpointState later) {
        Node other = later.node();
        return "peers hold a later run of node " + selfId + " (generation " + later.generation() + ", "
            + later.status() + ", at " + other.host() + ":" + other.peerPort() + ") than this one (generation "
            + gossiper.self().generation() + ") and ignore this run: another process runs with this node's id, or"
            + " this machine's clock was behind when this run started. Stop one of the two processes, or fix the"
            + " clock and restart this one";
    }

    @Override
    public void onFirstExchange(NodeId peer) {
        observer.onFirstExchange(peer);
        if (gossiper.isHidden()) {
            // every answer to the Syns of that exchange is in a round later (a large view takes several Syns)
            context.timers().schedule(interval, id -> judgeEarlierSelf());
        }
        // a view restored from the previous run may show a conflict (a restart in the middle of handing over lost
        // tokens) that no later change of the ring would bring up again; it is acted on once a peer confirmed the
        // view, not on a peers file that may be stale
        pickAgainOnConflict();
    }

    /**
     * While hidden: shows this node to the cluster, unless peers hold its id as a member with tokens that this run
     * does not have. Then it refuses to join, says so every {@link #REFUSAL_REPORT_ROUNDS} rounds, and looks again
     * each round: an operator's removal of the id reaches it as the id's LEFT state, and it joins as a new node.
     */
    private void judgeEarlierSelf() {
        if (!gossiper.isHidden() || dropping) {
            // a drop under way reveals the node when it ends
            return;
        }
        EndpointState later = gossiper.laterSelf();
        if (later != null) {
            // peers would ignore every state of this run: there is nothing to join with
            refuse("refusing to join: " + laterRun(later));
            return;
        }
        if (gossiper.self().status() == NodeStatus.NORMAL) {
            judgeRestartOnData();
            return;
        }
        EndpointState earlier = gossiper.earlierSelf();
        if (earlier == null || !earlier.heldTokensAsMember()) {
            if (refusal == null && !gossiper.answeredAboutSelf()) {
                // what it heard says nothing of its id: the answer may be lost, or come from nodes that do not know
                // the members; it joins as a new node only once a member (any peer, in a cluster without one) did
                if (waitingForAnAnswer()) {
                    return;
                }
                events.accept("WARNING: no member of the cluster answered about node " + selfId + " in "
                    + UNANSWERED_ROUNDS + " rounds (lost messages, or the members it knows are gone): joining as a"
                    + " new node on what the peers it heard said. Should this id have been a member whose data"
                    + " directory was lost, its old ranges now miss a copy until repair has run");
            }
            if (refusal != null) {
                events.accept("node " + selfId + " was removed from the cluster: joining as a new node in "
                    + REVEAL_AFTER_REMOVAL_ROUNDS + " rounds, once the removal spread");
                refusal = null;
                counters.get(LifecycleCounter.JOIN_REFUSED).setRelease(0);
                context.timers().schedule(REVEAL_AFTER_REMOVAL_ROUNDS * interval, id -> revealThenJoin());
            } else {
                revealThenJoin();
            }
            return;
        }
        String now = "refusing to join: node " + selfId + " was a member of the ring with " + earlier.tokenCount()
            + " tokens (generation " + earlier.generation() + ", " + earlier.status() + "), and this run started on"
            + " a data directory that never held it: the member's was lost or replaced. Joining would take those"
            + " ranges out of the ring without handing them over. Restart it on its data directory; or start a node"
            + " with another id and --replace " + selfId + " (it streams those ranges; this node then joins as a new"
            + " one); or run ringkv removenode " + selfId + " on another member: this node then joins as a new node,"
            + " and the members repair the ranges it held. Meanwhile the cluster judges " + selfId + " DOWN once"
            + " its failure detectors say so (hints for it are kept), and this node answers no request";
        refuse(now);
    }

    /**
     * @return true while the bounded wait for an answer about this node's id runs ({@link #UNANSWERED_ROUNDS}): the
     *     next judgement is then a round away
     */
    private boolean waitingForAnAnswer() {
        if (unansweredRounds++ < UNANSWERED_ROUNDS) {
            context.timers().schedule(interval, id -> judgeEarlierSelf());
            return true;
        }
        return false;
    }

    /**
     * While hidden with the tokens of its previous run: rejoins with them when peers hold its id as a member of an
     * earlier run; drops its records and joins as a new node when they hold a run that held these tokens LEFT (an
     * operator removed it while it was down, or it was replaced: deletes made since may have been purged, and its
     * records would bring their values back). A LEFT state from before the tokens were stored (it left, and joined
     * again since) says nothing of the runs that held them. With nothing else heard in {@link #UNANSWERED_ROUNDS}
     * rounds (the answers lost, every member it knows gone, or members that hold nothing of the id: nodes that joined
     * after its removal was forgotten, a whole cluster restarted without its remembered views, seeds of another
     * cluster), it rejoins with its tokens and says what that risks: refusing there would keep a cluster restarted
     * without its peers files from ever serving.
     */
    private void judgeRestartOnData() {
        EndpointState earlier = gossiper.earlierSelf();
        if (removedSinceItsTokens(earlier)) {
            dropThenJoin(earlier);
            return;
        }
        if (ofTheseTokens(earlier)) {
            rejoinWithTokens();
            return;
        }
        if (waitingForAnAnswer()) {
            return;
        }
        events.accept("WARNING: no member of the cluster answered about node " + selfId + " in " + UNANSWERED_ROUNDS
            + " rounds with a state of a run that held its tokens (" + (earlier != null
                ? "the newest it heard is of a run from before it stored them (generation " + earlier.generation()
                    + ", " + earlier.status() + ")"
                : gossiper.answeredAboutSelf()
                    ? "those that answered hold nothing of it: they joined after its removal was forgotten, restarted"
                        + " without their remembered views, or belong to another cluster"
                    : "lost messages, or the members it knows are gone")
            + "): rejoining with the tokens of its previous run. Should it have been removed from the cluster while"
            + " it was down, its records may bring back values deleted since");
        rejoinWithTokens();
        watchForALateRemoval(REFUSAL_REPORT_ROUNDS);
    }

    /**
     * @return whether {@code earlier} (a state of this node's id from an earlier run, or null) is of a run that held
     *     the tokens this node started with: only such a run says anything of them, one from before they were stored
     *     is another life of the id (it left, and joined again since)
     */
    private boolean ofTheseTokens(EndpointState earlier) {
        return earlier != null && earlier.generation() >= tokensGeneration;
    }

    /** @return whether {@code earlier} says a run that held this node's tokens was removed (LEFT) */
    private boolean removedSinceItsTokens(EndpointState earlier) {
        return ofTheseTokens(earlier) && earlier.status() == NodeStatus.LEFT;
    }

    /**
     * After a rejoin on no answer: should a removal of a run that held these tokens reach this node in the next
     * {@code rounds} rounds (later, peers hold this run instead), it says so, once: an error, as it serves records
     * that may predate deletes purged since.
     */
    private void watchForALateRemoval(int rounds) {
        EndpointState earlier = gossiper.earlierSelf();
        if (removedSinceItsTokens(earlier) && gossiper.self().tokenCount() > 0) {
            counters.get(LifecycleCounter.REMOVED_WHILE_DOWN).incrementRelease();
            events.accept("ERROR: node " + selfId + " was removed from the cluster while it was down (generation "
                + earlier.generation() + "), and learned of it only after it rejoined with its tokens on no answer:"
                + " its records may bring back values deleted since. Stop it, move its data directory away and start"
                + " it again: it joins as a new node");
            return;
        }
        if (rounds > 1 && !left) {
            context.timers().schedule(interval, id -> watchForALateRemoval(rounds - 1));
        }
    }

    /**
     * This node was removed from the cluster while it was down (or replaced): forgets its tokens durably first (a
     * crash from here on starts it as a node that gave its tokens up, which drops its records at start), drops its
     * records, and then joins as a new node, once the removal has had {@link #REVEAL_AFTER_REMOVAL_ROUNDS} rounds to
     * spread.
     */
    private void dropThenJoin(EndpointState removed) {
        try {
            tokenStore.store(new long[0]);
        } catch (RuntimeException e) {
            counters.get(LifecycleCounter.STORE_FAILURES).incrementRelease();
            refuse("refusing to rejoin: node " + selfId + " was removed from the cluster while it was down, and"
                + " this node could not forget the tokens of its previous run (" + e.getMessage() + "); it tries"
                + " again every round");
            return;
        }
        dropping = true;
        refusal = null;
        counters.get(LifecycleCounter.JOIN_REFUSED).setRelease(0);
        counters.get(LifecycleCounter.REMOVED_WHILE_DOWN).incrementRelease();
        events.accept("node " + selfId + " was removed from the cluster while it was down (the cluster holds it "
            + removed.status() + ", generation " + removed.generation() + "): dropping every record of its previous"
            + " run, which may predate deletes the cluster has purged since, then joining as a new node");
        // still hidden: no peer hears of the change before it joins
        gossiper.announce(NodeStatus.JOINING, new long[0]);
        long revealAt = context.clock().monotonicNanos() + REVEAL_AFTER_REMOVAL_ROUNDS * interval;
        drop(revealAt);
    }

    private void drop(long revealAt) {
        dataDrop.dropAll(new DataDrop.Listener() {
            @Override
            public void dropped(long records) {
                refusal = null;
                counters.get(LifecycleCounter.JOIN_REFUSED).setRelease(0);
                events.accept("dropped the " + records + " records of node " + selfId + "'s previous run: it joins"
                    + " as a new node");
                long wait = Math.max(1, revealAt - context.clock().monotonicNanos());
                context.timers().schedule(wait, id -> {
                    dropping = false;
                    revealThenJoin();
                });
            }

            @Override
            public void failed(String why) {
                // hidden, and answering no request: its operator and clients are told why
                refusal = "refusing to join: node " + selfId + " was removed from the cluster while it was down, and"
                    + " the records of its previous run could not be dropped (" + why + "); trying again every "
                    + RETRY_ROUNDS + " rounds. It joins as a new node once they are gone; or stop it, move its data"
                    + " directory away and start it again";
                counters.get(LifecycleCounter.JOIN_REFUSED).setRelease(1);
                if (dropFailures++ % (REFUSAL_REPORT_ROUNDS / RETRY_ROUNDS) == 0) {
                    events.accept("ERROR: " + refusal);
                }
                context.timers().schedule(RETRY_ROUNDS * interval, id -> drop(revealAt));
            }
        });
    }

    /** Stays hidden and says why (again when the reason changes, and every few rounds); looks again next round. */
    private void refuse(String why) {
        if (!why.equals(refusal) || refusalChecks % REFUSAL_REPORT_ROUNDS == 0) {
            refusal = why;
            events.accept("ERROR: " + refusal);
            counters.get(LifecycleCounter.JOIN_REFUSED).setRelease(1);
        }
        refusalChecks++;
        context.timers().schedule(interval, id -> judgeEarlierSelf());
    }

    private void revealThenJoin() {
        if (gossiper.laterSelf() != null) {
            // heard while waiting for a removal to spread: peers would ignore this run
            judgeEarlierSelf();
            return;
        }
        gossiper.revealSelf();
        // its view is complete (it exchanged); peers, and nodes that start with this one and join one after another,
        // see it JOINING before it picks
        long delay = (JOIN_ROUNDS - 1) * interval + context.random().nextLong(interval);
        long plan = ++attempt;
        context.timers().schedule(delay, id -> joinIfStill(plan));
    }

    private void rebuildRing() {
        List<EndpointState> states = gossiper.states();
        Ring rebuilt = MembershipRing.build(states, settings.replicationFactor());
        Ring rebuiltFuture = MembershipRing.future(states, settings.replicationFactor());
        if (!rebuilt.equals(ring) || !rebuiltFuture.equals(future)) {
            ring = rebuilt;
            future = rebuiltFuture;
            ringChanges++;
            ringListener.accept(rebuilt);
        }
        // a conflict starts a new plan first, whose own move follows; a re-plan of the old one would be outdated
        pickAgainOnConflict();
        replanIfDeparted();
    }

    /**
     * A token this node announced went to a smaller id. A JOINING node whose pending tokens the future ring gives to
     * another picks again before it moves data for ranges it will not own. A NORMAL node (two nodes that joined on
     * either side of a partition, say) held the ranges of those tokens and took writes for them, which may be the
     * only copies: it hands them over first ({@link #handOverThenJoin}), then joins anew.
     */
    private void pickAgainOnConflict() {
        EndpointState mine = gossiper.self();
        if (mine.tokenCount() == 0 || replacing != null || gossiper.isHidden()) {
            return;
        }
        Ring owning = mine.status() == NodeStatus.NORMAL ? ring
            : mine.status() == NodeStatus.JOINING ? future : null;
        if (owning == null || Arrays.equals(sorted(mine.tokens()),
            sorted(owning.contains(selfId) ? owning.tokensOf(selfId) : new long[0]))) {
            return;
        }
        counters.get(LifecycleCounter.TOKEN_CONFLICTS).incrementRelease();
        if (mine.status() == NodeStatus.NORMAL && mover != null) {
            handOverThenJoin(mine);
            return;
        }
        events.accept("another node claimed some of this node's tokens first; picking again");
        attempt++;
        join();
    }

    /**
     * Leaves as a decommission does, then joins anew: announces LEAVING (writes of its ranges then also go to the
     * nodes that hold them now), sends every range it held, those of the tokens it lost included, to each node that
     * holds it now, and only then picks other tokens. A restart meanwhile finds the same conflict and starts over.
     */
    private void handOverThenJoin(EndpointState mine) {
        long plan = ++attempt;
        long[] owned = ring.contains(selfId) ? ring.tokensOf(selfId) : new long[0];
        gossiper.announce(NodeStatus.LEAVING, mine.tokens());
        events.accept("another node claimed " + (mine.tokenCount() - owned.length) + " of this node's "
            + mine.tokenCount() + " tokens first: LEAVING, handing the ranges it held to the nodes that hold them"
            + " now, then joining again with other tokens");
        context.timers().schedule(MOVE_AFTER_ROUNDS * interval, id -> {
            if (plan != attempt) {
                return;
            }
            moveThen(plan, RangeMover.Direction.SEND,
                () -> MembershipRing.heldBy(gossiper.states(), settings.replicationFactor(), selfId), progress -> {
                    if (gossiper.self().status() != NodeStatus.LEAVING) {
                        return; // removed meanwhile (LEFT): nothing to join as
                    }
                    events.accept("handed over the ranges it held (" + progress + "); joining again");
                    forgetTokens();
                    join();
                });
        });
    }

    /**
     * Stores no tokens: a restart after this node handed its ranges over must not bring it back as NORMAL with them
     * (it would own ranges whose writes went elsewhere since), but join anew.
     */
    private void forgetTokens() {
        try {
            tokenStore.store(new long[0]);
        } catch (RuntimeException e) {
            counters.get(LifecycleCounter.STORE_FAILURES).incrementRelease();
            events.accept("could not forget this node's tokens (" + e.getMessage() + "); wipe its data directory"
                + " before starting it again");
        }
    }

    private static long[] sorted(long[] tokens) {
        long[] copy = tokens.clone();
        Arrays.sort(copy);
        return copy;
    }
}
