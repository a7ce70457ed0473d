package io.ringkv.node.membership;

import io.ringkv.antientropy.RangeStreamer;
import io.ringkv.antientropy.StreamPlan;
import io.ringkv.api.Consistency;
import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import io.ringkv.api.Node;
import io.ringkv.api.NodeContext;
import io.ringkv.api.NodeId;
import io.ringkv.gossip.EndpointState;
import io.ringkv.gossip.EndpointView;
import io.ringkv.gossip.GossipConfig;
import io.ringkv.gossip.Gossiper;
import io.ringkv.gossip.Liveness;
import io.ringkv.gossip.MembershipRing;
import io.ringkv.gossip.NodeStatus;
import io.ringkv.gossip.Readiness;
import io.ringkv.node.NodeConfig;
import io.ringkv.node.transport.PeerAddress;
import io.ringkv.ring.Ring;
import io.ringkv.ring.TokenAllocators;
import io.ringkv.storage.StorageMetrics;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The node's membership: gossip, the join, and the ring built from what gossip knows. On the agent thread.
 *
 * <p>Joining: a node that owns tokens from an earlier run (see {@link NodeState}) announces NORMAL with them at
 * once. A new node announces JOINING, gossips until it has heard from a seed and for a few rounds more, waits
 * while a live node with a smaller id is still JOINING (so nodes started together pick one after another), then
 * picks tokens with the balanced allocator against the ring it learned. The first node of a cluster stores them
 * and announces NORMAL. Any other announces them while still JOINING (pending: coordinators then send it every
 * write of the ranges it takes over, see {@link MembershipRing#future}), waits a few gossip rounds for that to
 * spread, streams those ranges from every current replica of each ({@link StreamPlan#joining}), and only then
 * stores its tokens and announces NORMAL, so that no acknowledged write is missing once it serves reads. A node
 * restarted mid-join picks the same tokens against the same ring and streams again, moving only what is missing.
 * Should two joiners still claim one token (they did not see each other in time), the smaller id keeps it on
 * every node, and the other picks again.
 *
 * <p>Decommission ({@link #decommission}): the node announces LEAVING, streams each of its ranges to the replicas
 * that gain it ({@link StreamPlan#leaving}), announces LEFT, forgets its tokens and, a few rounds later, reports
 * {@link #left()} so that the process can exit.
 */
public final class ClusterMembership implements Gossiper.Listener {
    private static final int JOIN_ROUNDS = 3;
    /** A joiner waits at most this many rounds for smaller-id joiners (one that is stuck must not block the rest). */
    private static final int MAX_ROUNDS_WAITING_FOR_JOINERS = 60;
    private static final int JOIN_RETRY_ROUNDS = 5;
    private static final int LOAD_EVERY_ROUNDS = 10;
    /** Rounds between announcing a move (pending tokens, LEAVING) and streaming: coordinators learn it first. */
    private static final int STREAM_AFTER_ROUNDS = 3;
    /** Rounds a node that left keeps gossiping LEFT before it reports {@link #left()}. */
    private static final int LEFT_ROUNDS = 3;
    /** How long a leaving node tries to hand its hints over before it leaves anyway. */
    private static final int HINT_HAND_OFF_SECONDS = 60;
    /** The application state that carries a join's or leave's streaming progress to {@code ringkv status}. */
    static final String STREAMING = "streaming";

    private final NodeContext context;
    private final NodeConfig config;
    private final Consistency consistency;
    private final java.util.function.Supplier<StorageMetrics> storage;
    private final Consumer<String> events;
    private final Gossiper gossiper;
    private final Node self;
    private NodeState state;
    private Ring ring;
    /** The ring once JOINING nodes with tokens own them and LEAVING ones are gone. */
    private Ring future;
    private RangeStreamer streamer;
    private Runnable handOffHints = () -> { };
    private java.util.function.LongSupplier hintsHeld = () -> 0;
    /** Changes of the ring or the future ring; a plan streamed against an older one runs again. */
    private long ringChanges;
    private final java.util.concurrent.CompletableFuture<String> left = new java.util.concurrent.CompletableFuture<>();
    private Map<NodeId, Double> ownership = Map.of();
    private Consumer<Ring> ringListener = ring -> { };
    private final Consumer<Gossiper.Remembered> rememberer;
    private final Readiness readiness;
    /** One gossip round, the unit of this class's timers. */
    private final long interval;
    private volatile ClusterSnapshot snapshot;

    /**
     * @param context the node's runtime
     * @param config the node's settings
     * @param consistency the cluster's N, R and W (N sizes the ring)
     * @param storage the storage engine's latest report (taken off the agent thread), whose data size (the node's
     *     load) and record count are announced
     * @param stored this run's generation and the tokens owned from an earlier run
     * @param events receives one line per notable event
     */
    public ClusterMembership(NodeContext context, NodeConfig config, Consistency consistency,
                             java.util.function.Supplier<StorageMetrics> storage,
                             NodeState stored, Consumer<String> events) {
        this(context, config, consistency, storage, stored, Gossiper.Remembered.NONE, remembered -> { }, events);
    }

    /**
     * @param context the node's runtime
     * @param config the node's settings
     * @param consistency the cluster's N, R and W (N sizes the ring)
     * @param storage the storage engine's latest report (taken off the agent thread), whose data size (the node's
     *     load) and record count are announced
     * @param stored this run's generation and the tokens owned from an earlier run
     * @param remembered the other members as the previous run knew them ({@link PeersFile}): the node starts
     *     from them, so its ring keeps a member that is down now
     * @param rememberer takes the view to remember whenever a member's ring-shaping state changes (a member
     *     learned, restarted, removed, forgotten; its status or tokens); called on the agent thread, must not block
     * @param events receives one line per notable event
     */
    public ClusterMembership(NodeContext context, NodeConfig config, Consistency consistency,
                             java.util.function.Supplier<StorageMetrics> storage,
                             NodeState stored, Gossiper.Remembered remembered,
                             Consumer<Gossiper.Remembered> rememberer, Consumer<String> events) {
        this.rememberer = rememberer;
        this.readiness = new Readiness(config.gossip().readyAfterRounds());
        this.interval = TimeUnit.MILLISECONDS.toNanos(config.gossip().intervalMillis());
        this.context = context;
        this.config = config;
        this.consistency = consistency;
        this.storage = storage;
        this.events = events;
        this.state = stored;
        this.self = new Node(config.id(), config.listen().host(), config.listen().port(),
            config.clientPort() == 0 ? config.listen().port() : config.clientPort(), config.zone(), config.rack());
        List<NodeId> seeds = new ArrayList<>();
        for (PeerAddress seed : config.otherSeeds()) {
            NodeId seedId = seedId(seed);
            context.transport().introduce(new Node(seedId, seed.host(), seed.port(), seed.port(), Node.DEFAULT_ZONE,
                Node.DEFAULT_RACK));
            seeds.add(seedId);
        }
        GossipConfig gossipConfig = config.gossip().gossipConfig(seeds);
        long[] tokens = stored.tokens();
        EndpointState initial = EndpointState.initial(self, stored.generation(),
            tokens.length > 0 ? NodeStatus.NORMAL : NodeStatus.JOINING, tokens, Map.of());
        this.gossiper = new Gossiper(context, gossipConfig, initial, config.gossip().newDetector(), this);
        int restored = gossiper.restore(remembered);
        if (restored > 0) {
            events.accept("remembered " + restored + " other node(s) from the previous run; each is DOWN until"
                + " heard from, and stays in the ring until removed");
        }
        this.ring = MembershipRing.build(gossiper.states(), consistency.n());
        this.future = MembershipRing.future(gossiper.states(), consistency.n());
        this.ownership = ownershipOf(ring);
        this.snapshot = ClusterSnapshot.empty(config.id().value());
    }

    /**
     * A seed is known by address only until it answers; this id names the address: {@code seed-<host>-<port>}, or
     * {@code seed-<hash>} for an address that would not make a valid id (an IPv6 literal, a long host name).
     */
    static NodeId seedId(PeerAddress seed) {
        String readable = "seed-" + seed.host() + "-" + seed.port();
        if (NodeId.isValid(readable)) {
            return NodeId.of(readable);
        }
        byte[] address = seed.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return NodeId.of("seed-" + java.util.UUID.nameUUIDFromBytes(address).toString().replace("-", ""));
    }

    /** @param listener receives every new ring, on the agent thread */
    public void onRing(Consumer<Ring> listener) {
        this.ringListener = listener;
    }

    /** @return the ring as membership knows it now */
    public Ring ring() {
        return ring;
    }

    /** @return the ring the cluster moves to: JOINING nodes with tokens own them, LEAVING ones are gone */
    public Ring futureRing() {
        return future;
    }

    /**
     * Sets how a leaving node hands its hints over (to their owners, or for DOWN owners to another node) and how
     * many it still holds; before {@link #start()}.
     */
    public void hintsWith(Runnable handOff, java.util.function.LongSupplier held) {
        this.handOffHints = handOff;
        this.hintsHeld = held;
    }

    /** Sets what streams ranges when this node joins or leaves; before {@link #start()}. */
    public void streamWith(RangeStreamer rangeStreamer) {
        this.streamer = rangeStreamer;
    }

    /** @return completed with a message once this node decommissioned and told the cluster it left */
    public java.util.concurrent.CompletableFuture<String> left() {
        return left;
    }

    /** @return the gossiper (agent thread only) */
    public Gossiper gossiper() {
        return gossiper;
    }

    /** @return true unless the failure detector judges {@code node} DOWN */
    public boolean isAlive(NodeId node) {
        return gossiper.isAlive(node);
    }

    /** @return the latest view, from any thread */
    public ClusterSnapshot snapshot() {
        return snapshot;
    }

    /** Starts gossip and, for a new node, the join; on the agent thread. */
    public void start() {
        gossiper.start();
        if (gossiper.self().status() == NodeStatus.JOINING) {
            long delay = config.otherSeeds().isEmpty() ? 1
                : JOIN_ROUNDS * interval + context.random().nextLong(2 * interval);
            context.timers().schedule(delay, id -> join());
        } else {
            events.accept("rejoining with the " + gossiper.self().tokenCount() + " tokens of the previous run"
                + " (generation " + gossiper.self().generation() + ")");
        }
        context.timers().schedule(interval, id -> everyRound());
        publish();
    }

    private void join() {
        // a view restored from peers.state may hold members, all of them DOWN and perhaps long gone: tokens are
        // picked only against a view a peer confirmed in this run
        if (!config.otherSeeds().isEmpty() && !gossiper.hasExchangedWithPeer()) {
            if (joinAttempts++ % 10 == 0) {
                events.accept("waiting to hear from a seed (" + config.otherSeeds() + ") before joining");
            }
            context.timers().schedule(interval, id -> join());
            return;
        }
        if (config.replace() != null) {
            joinInPlaceOf(config.replace());
            return;
        }
        NodeId before = smallerLiveJoiner();
        if (before != null && roundsWaitedForJoiners++ < MAX_ROUNDS_WAITING_FOR_JOINERS) {
            // one node picks at a time, smallest id first, each against the ring the others left: nodes
            // started together then balance as well as nodes added one by one
            context.timers().schedule(interval, id -> join());
            return;
        }
        if (before != null && roundsWaitedForJoiners == MAX_ROUNDS_WAITING_FOR_JOINERS + 1) {
            events.accept("node " + before + " has been JOINING for " + MAX_ROUNDS_WAITING_FOR_JOINERS
                + " rounds; joining without waiting for it (a token both pick stays with the smaller id)");
        }
        try {
            long[] tokens = pickTokens();
            if (ring.isEmpty() || streamer == null) {
                becomeNormal(tokens);
                return;
            }
            gossiper.announce(NodeStatus.JOINING, tokens);
            events.accept("joining with " + tokens.length + " tokens: streaming the ranges it takes over from the "
                + ring.size() + " node(s) of the ring");
            context.timers().schedule(STREAM_AFTER_ROUNDS * interval, id -> streamJoin(tokens));
        } catch (RuntimeException e) {
            // e.g. node.state cannot be written: stay JOINING and try again, rather than never joining
            events.accept("joining failed (" + e.getMessage() + "); trying again in "
                + JOIN_RETRY_ROUNDS + " rounds");
            context.timers().schedule(JOIN_RETRY_ROUNDS * interval, id -> join());
        }
    }

    /**
     * Joins in place of a DOWN node: takes its tokens (pending while JOINING, with the replaced node left out of the
     * future ring), streams its ranges from the other replicas, then removes it and becomes NORMAL with them.
     */
    private void joinInPlaceOf(NodeId dead) {
        EndpointState found = gossiper.state(dead);
        String problem = found == null ? "no node " + dead + " in this node's view yet"
            : found.status() != NodeStatus.NORMAL || found.tokenCount() == 0 ? dead + " is " + found.status()
                + ", not a member of the ring"
            : gossiper.isAlive(dead) ? dead + " is " + gossiper.liveness(dead) + "; stop it first (a replacement"
                + " takes over a DOWN node)" : null;
        if (problem != null) {
            if (joinAttempts++ % 10 == 0) {
                events.accept("waiting to replace " + dead + ": " + problem);
            }
            context.timers().schedule(interval, id -> join());
            return;
        }
        long[] tokens = found.tokens();
        replacing = dead;
        gossiper.announceApplicationState(MembershipRing.REPLACING, dead.value());
        gossiper.announce(NodeStatus.JOINING, tokens);
        events.accept("replacing " + dead + ": joining with its " + tokens.length + " tokens, streaming its ranges from"
            + " the other replicas");
        context.timers().schedule(STREAM_AFTER_ROUNDS * interval, id -> streamJoin(tokens));
    }

    private void becomeNormal(long[] tokens) {
        if (replacing != null) {
            try {
                // the dead node leaves the ring as this one takes its tokens
                gossiper.removeNode(replacing);
                events.accept("removed " + replacing + ", whose tokens this node takes over");
            } catch (KvException e) {
                events.accept("cannot remove " + replacing + " (" + e.getMessage() + "); trying again");
                context.timers().schedule(JOIN_RETRY_ROUNDS * interval, id -> becomeNormal(tokens));
                return;
            }
            replacing = null;
            gossiper.announceApplicationState(MembershipRing.REPLACING, "");
        }
        state = state.withTokens(tokens, config.dataDirectory());
        gossiper.announce(NodeStatus.NORMAL, tokens);
        gossiper.announceApplicationState(STREAMING, "");
        events.accept("joined the ring with " + tokens.length + " tokens (generation " + state.generation()
            + ", " + ring.size() + " node(s) in the ring)");
    }

    /** Streams the ranges this joining node takes over, then becomes NORMAL. */
    private void streamJoin(long[] tokens) {
        if (gossiper.self().status() != NodeStatus.JOINING) {
            return;
        }
        streamThen("join", () -> {
            List<StreamPlan.Task> plan = new ArrayList<>(StreamPlan.joining(ring, future, config.id()));
            if (replacing != null) {
                // the node replaced is down: its ranges come from their other replicas
                NodeId dead = replacing;
                plan.removeIf(task -> task.peer().equals(dead));
            }
            return plan;
        }, () -> {
            events.accept("streamed the ranges it takes over (" + streamer.progress() + ")");
            becomeNormal(tokens);
        });
    }

    /**
     * Streams the plan {@code planner} makes against the current rings, then runs {@code done}; when the rings
     * moved meanwhile, plans and streams again first (only what is still missing moves).
     */
    private void streamThen(String purpose, java.util.function.Supplier<List<StreamPlan.Task>> planner,
                            Runnable done) {
        long changes = ringChanges;
        List<StreamPlan.Task> plan = planner.get();
        events.accept("streaming " + plan.size() + " range sessions to " + purpose);
        streamer.stream(plan, this::streamed, () -> {
            if (ringChanges != changes) {
                streamThen(purpose, planner, done);
            } else {
                done.run();
            }
        });
    }

    /** Announces a join's or leave's progress; says why a session failed (the streamer tries it again). */
    private void streamed(RangeStreamer.Progress progress) {
        gossiper.announceApplicationState(STREAMING, progress.done() + "/" + progress.total());
        if (progress.failures() > failuresReported) {
            failuresReported = progress.failures();
            events.accept("a streaming session failed (" + progress.lastFailure() + "); it is tried again");
        }
    }

    /**
     * Starts decommissioning this node (operator command); agent thread.
     *
     * @return what the node does now
     * @throws KvException with {@code INVALID_ARGUMENT} when it cannot leave now, saying why
     */
    public String decommission() {
        EndpointState mine = gossiper.self();
        if (mine.status() != NodeStatus.NORMAL || !ring.contains(config.id())) {
            throw new KvException(ErrorCode.INVALID_ARGUMENT, "only a NORMAL member of the ring can decommission;"
                + " this node is " + mine.status());
        }
        if (ring.size() < 2) {
            throw new KvException(ErrorCode.INVALID_ARGUMENT, "the last node of the ring cannot decommission: no"
                + " node would keep its data");
        }
        if (streamer == null) {
            throw new KvException(ErrorCode.INVALID_ARGUMENT, "this node cannot stream its ranges");
        }
        gossiper.announce(NodeStatus.LEAVING, mine.tokens());
        context.timers().schedule(STREAM_AFTER_ROUNDS * interval, id -> streamLeave());
        String warning = ring.size() - 1 < consistency.n() ? " (the " + (ring.size() - 1) + " remaining node(s)"
            + " keep fewer than N=" + consistency.n() + " copies)" : "";
        events.accept("decommissioning: LEAVING, streaming its ranges to the nodes that take them over" + warning);
        return "decommissioning: streaming this node's ranges to the nodes that take them over" + warning
            + "; progress in INFO streaming and ringkv status";
    }

    private void streamLeave() {
        streamThen("leave", () -> StreamPlan.leaving(ring, future, config.id()), () -> {
            events.accept("handed over its ranges (" + streamer.progress() + "); handing over its "
                + hintsHeld.getAsLong() + " hints");
            handOffHints.run();
            awaitHintsThenLeave(context.clock().monotonicNanos() + TimeUnit.SECONDS.toNanos(HINT_HAND_OFF_SECONDS));
        });
    }

    /** Leaves once every hint is handed over, or when the deadline passes (repair covers what is left). */
    private void awaitHintsThenLeave(long deadlineNanos) {
        long held = hintsHeld.getAsLong();
        if (held > 0 && context.clock().monotonicNanos() < deadlineNanos) {
            context.timers().schedule(interval, id -> awaitHintsThenLeave(deadlineNanos));
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
        try {
            // a restart must not bring the node back with ranges it no longer holds
            state = state.withTokens(new long[0], config.dataDirectory());
        } catch (RuntimeException e) {
            events.accept("could not forget this node's tokens (" + e.getMessage() + "); wipe its data directory"
                + " before starting it again");
        }
        context.timers().schedule(LEFT_ROUNDS * interval, id -> left.complete("decommissioned: its ranges are with"
            + " the other nodes, which know it left"));
    }

    /** @return the smallest-id node other than this one that is JOINING and not DOWN, if its id is smaller */
    private NodeId smallerLiveJoiner() {
        for (EndpointView view : gossiper.view()) {
            EndpointState other = view.state();
            if (other.status() == NodeStatus.JOINING && other.id().compareTo(config.id()) < 0
                && view.liveness() != Liveness.DOWN) {
                return other.id();
            }
        }
        return null;
    }

    private long[] pickTokens() {
        List<EndpointState> others = gossiper.states().stream().filter(s -> !s.id().equals(config.id())).toList();
        Ring current = MembershipRing.build(others, consistency.n());
        // not the generation: a node restarted mid-join picks the same tokens again and resumes its streaming;
        // a pick that lost a token to another joiner picks anew
        SplittableRandom random = new SplittableRandom(config.id().fingerprint() ^ tokenPicks++);
        return TokenAllocators.create(TokenAllocators.BALANCED, random).allocate(current, self,
            config.cluster().vnodes());
    }

    private long rounds;
    private long tokenPicks;
    private long failuresReported;
    /** The DOWN node this one is taking the place of, while it streams its ranges. */
    private NodeId replacing;
    private long joinAttempts;
    private long roundsWaitedForJoiners;

    private void everyRound() {
        if (rounds++ % LOAD_EVERY_ROUNDS == 0) {
            StorageMetrics metrics = storage.get();
            gossiper.announceApplicationState("records", Long.toString(metrics.liveRecords()));
            // three significant digits: compactions and small writes do not make a new state for every node
            gossiper.announceApplicationState("load", humanBytes(metrics.dataBytes()));
            // operators see a full disk on any node from any node (ringkv status), not only in its own INFO
            gossiper.announceApplicationState("disk",
                metrics.extra().getOrDefault(StorageMetrics.DISK_FULL, 0L) == 1 ? "full" : "ok");
        }
        publish();
        context.timers().schedule(interval, id -> everyRound());
    }

    /**
     * Marks a DOWN node as removed (operator command); agent thread.
     *
     * @throws io.ringkv.api.KvException with {@code INVALID_ARGUMENT} when it cannot be removed, saying why
     */
    public void removeNode(NodeId node) {
        gossiper.removeNode(node);
        events.accept("removed node " + node + " at an operator's request; it is forgotten after the quarantine");
    }

    @Override
    public void onStateChange(EndpointState previous, EndpointState current) {
        NodeId node = current.id();
        if (!node.equals(config.id())) {
            if (previous == null) {
                events.accept("learned of node " + node + " (" + current.status() + ", " + current.tokenCount()
                    + " tokens, " + current.node().host() + ":" + current.node().peerPort() + ")");
            } else if (previous.generation() != current.generation()) {
                events.accept("node " + node + " restarted (generation " + previous.generation() + " -> "
                    + current.generation() + ")");
            } else if (previous.status() != current.status()) {
                events.accept("node " + node + " is now " + current.status());
            }
        }
        if (MembershipRing.affectsRing(previous, current)) {
            if (!node.equals(config.id())) {
                rememberer.accept(gossiper.remembered());
            }
            rebuildRing();
        } else if (previous == null) {
            rememberer.accept(gossiper.remembered());
        }
    }

    @Override
    public void onFirstExchange(NodeId peer) {
        publish();
    }

    @Override
    public void onLivenessChange(NodeId node, Liveness previous, Liveness current) {
        events.accept("node " + node + " is " + current);
        publish();
    }

    @Override
    public void onEvicted(NodeId node) {
        events.accept("forgot removed node " + node + " (quarantine over)");
        rememberer.accept(gossiper.remembered());
        rebuildRing();
    }

    private void rebuildRing() {
        Ring rebuilt = MembershipRing.build(gossiper.states(), consistency.n());
        Ring rebuiltFuture = MembershipRing.future(gossiper.states(), consistency.n());
        if (!rebuilt.equals(ring) || !rebuiltFuture.equals(future)) {
            ring = rebuilt;
            future = rebuiltFuture;
            ringChanges++;
            ownership = ownershipOf(rebuilt);
            ringListener.accept(rebuilt);
        }
        EndpointState mine = gossiper.self();
        if (mine.status() == NodeStatus.NORMAL && mine.tokenCount() > 0
            && !Arrays.equals(sorted(mine.tokens()),
                sorted(ring.contains(config.id()) ? ring.tokensOf(config.id()) : new long[0]))) {
            events.accept("another node claimed some of this node's tokens first; picking again");
            join();
        }
        publish();
    }

    private static long[] sorted(long[] tokens) {
        long[] copy = tokens.clone();
        Arrays.sort(copy);
        return copy;
    }

    private static Map<NodeId, Double> ownershipOf(Ring ring) {
        return ring.isEmpty() ? Map.of() : ring.replicatedOwnership();
    }

    /** @return {@code bytes} with a binary unit and three significant digits, e.g. 512B, 1.50KiB, 12.3MiB */
    static String humanBytes(long bytes) {
        if (bytes < 1024) {
            return Math.max(0, bytes) + "B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        // 1023.6 KiB would print as "1024KiB"; it is 1.00MiB
        if (value >= 999.5 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        String format = value >= 99.95 ? "%.0f%s" : value >= 9.995 ? "%.1f%s" : "%.2f%s";
        return String.format(Locale.ROOT, format, value, units[unit]);
    }

    private void publish() {
        boolean wasReady = readiness.isReady();
        String loading = readiness.judge(gossiper);
        if (loading == null && !wasReady) {
            events.accept("ready: serving clients with a ring of " + ring.size() + " node(s) ("
                + (gossiper.hasExchangedWithPeer() ? "heard from a peer"
                    : gossiper.rounds() > 0 ? "no peer answered in " + gossiper.rounds() + " gossip rounds"
                    : "no other node to hear from") + ")");
        }
        Map<NodeId, Double> owned = ownership;
        List<ClusterSnapshot.Member> members = new ArrayList<>();
        for (EndpointView view : gossiper.view()) {
            EndpointState endpoint = view.state();
            Node node = endpoint.node();
            String streaming = endpoint.applicationState().getOrDefault(STREAMING, "");
            boolean moving = endpoint.status() == NodeStatus.JOINING || endpoint.status() == NodeStatus.LEAVING;
            members.add(new ClusterSnapshot.Member(node.id().value(), view.displayStatus()
                + (moving && !streaming.isEmpty() ? " " + streaming : ""),
                node.host() + ":" + node.peerPort(), node.host() + ":" + node.clientPort(), node.zone(), node.rack(),
                endpoint.applicationState().getOrDefault("load", "?"),
                endpoint.applicationState().getOrDefault("records", "?"),
                endpoint.applicationState().getOrDefault("disk", "?"), owned.getOrDefault(node.id(), 0.0),
                endpoint.tokenCount(), endpoint.generation(), view.liveness().name()));
        }
        snapshot = new ClusterSnapshot(config.id().value(), ring.size(), List.copyOf(members),
            loading == null ? "" : loading);
    }
}
