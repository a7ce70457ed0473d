package io.ringkv.node.membership;

import io.ringkv.antientropy.RangeStreamer;
import io.ringkv.api.Consistency;
import io.ringkv.api.Node;
import io.ringkv.api.NodeContext;
import io.ringkv.api.NodeId;
import io.ringkv.gossip.DataDrop;
import io.ringkv.gossip.EndpointState;
import io.ringkv.gossip.EndpointView;
import io.ringkv.gossip.GossipConfig;
import io.ringkv.gossip.Gossiper;
import io.ringkv.gossip.HintHandOff;
import io.ringkv.gossip.Leftovers;
import io.ringkv.gossip.Liveness;
import io.ringkv.gossip.MembershipRing;
import io.ringkv.gossip.NodeLifecycle;
import io.ringkv.gossip.NodeStatus;
import io.ringkv.gossip.Readiness;
import io.ringkv.node.NodeConfig;
import io.ringkv.node.transport.PeerAddress;
import io.ringkv.ring.Ring;
import io.ringkv.storage.StorageMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The node's membership, wired: the {@link NodeLifecycle} (gossip, join, leave, replace) over the node's
 * configuration and files, its events in the node's log, its load announced, and the view published for INFO and
 * {@code ringkv status}. On the agent thread, except {@link #snapshot()}.
 *
 * <p>Tokens are kept in {@code node.state} ({@link NodeState}); joins and leaves move data by repair-based
 * streaming ({@link StreamingRangeMover}).
 */
public final class ClusterMembership implements Gossiper.Listener {
    private static final int LOAD_EVERY_ROUNDS = 10;
    /**
     * The application state that lists what a node's build does that an earlier build's peers would not take,
     * comma-separated: a feature is used only once every member announces it.
     */
    static final String FEATURES = "features";
    /** Changes of expiry marked in their versions, which a node of an earlier build drops as malformed. */
    static final String EXPIRY_MARKS = "expiry-marks";
    /** The application state that carries a join's or leave's streaming progress to {@code ringkv status}. */
    static final String STREAMING = NodeLifecycle.STREAMING;

    private final NodeContext context;
    private final NodeConfig config;
    private final Supplier<StorageMetrics> storage;
    private final Consumer<String> events;
    private final NodeLifecycle lifecycle;
    private final Gossiper gossiper;
    private NodeState state;
    private final CompletableFuture<String> left = new CompletableFuture<>();
    private Map<NodeId, Double> ownership = Map.of();
    private Consumer<Ring> ringListener = ring -> { };
    private final Consumer<Gossiper.Remembered> rememberer;
    private final Readiness readiness;
    /** One gossip round, the unit of this class's timers. */
    private final long interval;
    private long rounds;
    private volatile ClusterSnapshot snapshot;
    /** This node's leftovers, once tracked ({@link #trackLeftovers}). */
    private Leftovers leftovers;
    private Runnable leftoversListener = () -> { };
    /** The nodes that announce leftovers, this one included, as of the last change (read from any thread). */
    private volatile List<NodeId> leftoverHolders = List.of();
    /** Whether this node holds leftovers itself (read from any thread). */
    private volatile boolean leftoversHere;
    /** Whether every member announces {@link #EXPIRY_MARKS}, as of the last change (read from any thread). */
    private volatile boolean expiryMarks;
    private Consumer<Boolean> expiryMarksListener = marks -> { };
    /** Set once constructed: state changes before then are this node's own start, not switches to log. */
    private boolean featuresTracked;

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
                             Supplier<StorageMetrics> storage, NodeState stored, Consumer<String> events) {
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
                             Supplier<StorageMetrics> storage, NodeState stored, Gossiper.Remembered remembered,
                             Consumer<Gossiper.Remembered> rememberer, Consumer<String> events) {
        this.rememberer = rememberer;
        this.readiness = new Readiness(config.gossip().readyAfterRounds());
        this.interval = TimeUnit.MILLISECONDS.toNanos(config.gossip().intervalMillis());
        this.context = context;
        this.config = config;
        this.storage = storage;
        this.events = events;
        this.state = stored;
        Node self = new Node(config.id(), config.listen().host(), config.listen().port(),
            config.clientPort() == 0 ? config.listen().port() : config.clientPort(), config.zone(), config.rack());
        List<NodeId> seeds = new ArrayList<>();
        for (PeerAddress seed : config.otherSeeds()) {
            NodeId seedId = seedId(seed);
            context.transport().introduceSeed(new Node(seedId, seed.host(), seed.port(), seed.port(), Node.DEFAULT_ZONE,
                Node.DEFAULT_RACK));
            seeds.add(seedId);
        }
        GossipConfig gossipConfig = config.gossip().gossipConfig(seeds);
        NodeLifecycle.Settings settings = new NodeLifecycle.Settings(consistency.n(), config.cluster().vnodes(),
            config.replace());
        // node.state is written on the agent thread, as before the lifecycle moved to kv-gossip (a small file,
        // written once per join or leave)
        this.lifecycle = new NodeLifecycle(context, settings, gossipConfig, self, stored.generation(),
            stored.tokens(), config.gossip().newDetector(),
            tokens -> state = state.withTokens(tokens, config.dataDirectory()), this, events);
        if (stored.newData()) {
            lifecycle.startedOnNewData();
        }
        lifecycle.tokensStoredAt(stored.tokensGeneration());
        this.gossiper = lifecycle.gossiper();
        int restored = lifecycle.restore(remembered);
        if (restored > 0) {
            events.accept("remembered " + restored + " other node(s) from the previous run; each is DOWN until"
                + " heard from, and stays in the ring until removed");
        }
        this.ownership = ownershipOf(lifecycle.ring());
        lifecycle.onRing(ring -> {
            if (leftovers != null) {
                leftovers.ringChanged(ring, lifecycle.futureRing());
                // who has judged this ring differs from who had judged the last one
                holdersChanged();
            }
            ownership = ownershipOf(ring);
            ringListener.accept(ring);
            publish();
        });
        lifecycle.onLeft(left::complete);
        this.snapshot = ClusterSnapshot.empty(config.id().value());
        // this node's own announcement counts from the start: the first switch logged is a real one
        gossiper.announceApplicationState(FEATURES, EXPIRY_MARKS);
        this.expiryMarks = everyMemberAnnounces(EXPIRY_MARKS);
        this.featuresTracked = true;
    }

    /**
     * Tells {@code listener} at once, and then on the agent thread whenever it changes, whether every member (every
     * state this node holds, but for nodes that left) announces that it takes changes of expiry marked in their
     * versions; a member restored from the previous run counts as it announced then, until it is heard from.
     */
    public void onExpiryMarks(Consumer<Boolean> listener) {
        this.expiryMarksListener = listener;
        listener.accept(expiryMarks);
    }

    /** @return whether every member announces that it takes changes of expiry marked in their versions */
    public boolean expiryMarks() {
        return expiryMarks;
    }

    private boolean everyMemberAnnounces(String feature) {
        for (EndpointState member : gossiper.states()) {
            if (member.status() != NodeStatus.LEFT
                && !List.of(member.applicationState().getOrDefault(FEATURES, "").split(",")).contains(feature)) {
                return false;
            }
        }
        return true;
    }

    private void featuresMayHaveChanged() {
        if (!featuresTracked) {
            return;
        }
        boolean now = everyMemberAnnounces(EXPIRY_MARKS);
        if (now != expiryMarks) {
            expiryMarks = now;
            events.accept(now ? "every member takes changes of expiry marked in their versions: marking them"
                : "a member of an earlier build does not take changes of expiry marked in their versions: writing"
                    + " them unmarked until it runs this build");
            expiryMarksListener.accept(now);
        }
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
        return lifecycle.ring();
    }

    /** @return the ring the cluster moves to: JOINING nodes with tokens own them, LEAVING ones are gone */
    public Ring futureRing() {
        return lifecycle.futureRing();
    }

    /**
     * Sets how a leaving node hands its hints over (to their owners, or for DOWN owners to another node) and how
     * many it still holds; before {@link #start()}.
     */
    public void hintsWith(Runnable handOff, LongSupplier held) {
        lifecycle.hintsWith(new HintHandOff() {
            @Override
            public void start() {
                handOff.run();
            }

            @Override
            public long pending() {
                return held.getAsLong();
            }
        });
    }

    /** Sets what streams ranges when this node joins or leaves; before {@link #start()}. */
    public void streamWith(RangeStreamer rangeStreamer) {
        lifecycle.moveWith(new StreamingRangeMover(rangeStreamer, events));
    }

    /**
     * Sets how this node drops every record when it finds, started again on its data, that the cluster removed it
     * while it was down (see {@link NodeLifecycle}); before {@link #start()}. Once they are dropped, it holds no
     * leftovers.
     */
    public void dropWith(DataDrop drop) {
        lifecycle.dropWith(listener -> drop.dropAll(new DataDrop.Listener() {
            @Override
            public void dropped(long records) {
                if (leftovers != null) {
                    leftovers.droppedEverything();
                    holdersChanged();
                }
                listener.dropped(records);
            }

            @Override
            public void failed(String why) {
                listener.failed(why);
            }
        }));
    }

    /** @return completed with a message once this node decommissioned and told the cluster it left */
    public CompletableFuture<String> left() {
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

    /** @return the latest run (gossip generation) of {@code node} this node knows, 0 when it knows none; agent thread */
    public long generationOf(NodeId node) {
        io.ringkv.gossip.EndpointState state = gossiper.state(node);
        return state == null ? 0 : state.generation();
    }

    /** @return {@link io.ringkv.gossip.Gossiper#upAfter}; agent thread */
    public boolean upAfter(NodeId node, long generation, long sinceNanos, long untilNanos) {
        return gossiper.upAfter(node, generation, sinceNanos, untilNanos);
    }

    /** @return the latest view, from any thread */
    public ClusterSnapshot snapshot() {
        return snapshot;
    }

    /**
     * Tracks the records of ranges a join or leave takes from this node ({@link Leftovers}), announcing the stored
     * mark at once; before {@link #start()}.
     *
     * @param stored the mark the previous run stored
     * @param store keeps a new mark across restarts; called on the agent thread, must not block
     * @param changed told, on the agent thread, whenever the nodes announcing leftovers may have changed
     */
    public void trackLeftovers(boolean stored, Consumer<Boolean> store, Runnable changed) {
        leftoversListener = changed;
        leftovers = new Leftovers(gossiper, stored, store, events);
        leftoverHolders = leftovers.holders(lifecycle.ring());
        leftoversHere = stored;
    }

    /** @return the ring changes judged so far, for a cleanup starting now (see {@link #cleaned}); agent thread */
    public long leftoversEpoch() {
        return leftovers == null ? 0 : leftovers.epoch();
    }

    /**
     * A cleanup started at {@code epoch} against {@code cleaned} ended without failing; agent thread. Clears this
     * node's leftovers mark when the rings have not changed since it started and are settled on that ring.
     */
    public void cleaned(Ring cleaned, long epoch) {
        if (leftovers != null && leftovers.cleaned(cleaned, epoch, lifecycle.ring(), lifecycle.futureRing())) {
            holdersChanged();
        }
    }

    /**
     * @return the nodes that may hold leftovers (they announce them, or have not judged this node's ring yet), this
     *     one included, in id order; from any thread
     */
    public List<NodeId> leftoverHolders() {
        return leftoverHolders;
    }

    /** @return whether this node holds records of ranges a join or leave took from it; from any thread */
    public boolean leftoversHere() {
        return leftoversHere;
    }

    private void holdersChanged() {
        leftoversHere = leftovers.held();
        List<NodeId> now = leftovers.holders(lifecycle.ring());
        if (!now.equals(leftoverHolders)) {
            leftoverHolders = now;
            leftoversListener.run();
        }
    }

    /** Starts gossip and, for a new node, the join; on the agent thread. */
    public void start() {
        lifecycle.start();
        context.timers().schedule(interval, id -> everyRound());
        publish();
    }

    /**
     * Starts decommissioning this node (operator command); agent thread.
     *
     * @return what the node does now
     * @throws io.ringkv.api.KvException with {@code INVALID_ARGUMENT} when it cannot leave now, saying why
     */
    public String decommission() {
        return lifecycle.decommission();
    }

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
        if (leftovers != null && Leftovers.changed(previous, current)) {
            holdersChanged();
        }
        if (previous == null || previous.status() != current.status() || !Objects.equals(
            previous.applicationState().get(FEATURES), current.applicationState().get(FEATURES))) {
            featuresMayHaveChanged();
        }
        boolean shapesRing = MembershipRing.affectsRing(previous, current);
        if (shapesRing ? !node.equals(config.id()) : previous == null) {
            rememberer.accept(gossiper.remembered());
        }
        if (shapesRing) {
            publish();
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
        if (leftovers != null) {
            holdersChanged();
        }
        featuresMayHaveChanged();
        rememberer.accept(gossiper.remembered());
        publish();
    }

    private static long[] sorted(long[] tokens) {
        java.util.Arrays.sort(tokens);
        return tokens;
    }

    private static Map<NodeId, Double> ownershipOf(Ring ring) {
        return ring.isEmpty() ? Map.of() : ring.replicatedOwnership();
    }

    /**
     * @return a node's announced streaming progress ({@code 12/141 10485760B 3250000B/s}) for people:
     *     {@code 12/141 10.0MiB 3.10MiB/s}; what does not parse (an older node's {@code 12/141}) as announced
     */
    static String streamingForDisplay(String announced) {
        String[] parts = announced.split(" ");
        if (parts.length != 3 || !parts[1].endsWith("B") || !parts[2].endsWith("B/s")) {
            return announced;
        }
        try {
            long bytes = Long.parseLong(parts[1].substring(0, parts[1].length() - 1));
            long rate = Long.parseLong(parts[2].substring(0, parts[2].length() - 3));
            return parts[0] + " " + humanBytes(bytes) + " " + humanBytes(rate) + "/s";
        } catch (NumberFormatException e) {
            return announced;
        }
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
        if (loading != null && lifecycle.refusal() != null) {
            // a client of a node that refuses to join is told why, not only that the node is JOINING
            loading = lifecycle.refusal();
        }
        if (loading == null && !wasReady) {
            events.accept("ready: serving clients with a ring of " + lifecycle.ring().size() + " node(s) ("
                + (gossiper.hasExchangedWithPeer() ? "heard from a peer"
                    : gossiper.rounds() > 0 ? "no peer answered in " + gossiper.rounds() + " gossip rounds"
                    : "no other node to hear from") + ")");
        }
        Map<NodeId, Double> owned = ownership;
        List<ClusterSnapshot.Member> members = new ArrayList<>();
        for (EndpointView view : gossiper.view()) {
            EndpointState endpoint = view.state();
            Node node = endpoint.node();
            String streaming = streamingForDisplay(endpoint.applicationState().getOrDefault(STREAMING, ""));
            boolean moving = endpoint.status() == NodeStatus.JOINING || endpoint.status() == NodeStatus.LEAVING;
            members.add(new ClusterSnapshot.Member(node.id().value(), view.displayStatus()
                + (moving && !streaming.isEmpty() ? " " + streaming : ""),
                node.host() + ":" + node.peerPort(), node.host() + ":" + node.clientPort(), node.zone(), node.rack(),
                endpoint.applicationState().getOrDefault("load", "?"),
                endpoint.applicationState().getOrDefault("records", "?"),
                endpoint.applicationState().getOrDefault("disk", "?"), owned.getOrDefault(node.id(), 0.0),
                endpoint.tokenCount(), endpoint.generation(), view.liveness().name(), endpoint.status().name(),
                sorted(endpoint.tokens()), streaming,
                io.ringkv.gossip.NodeStats.decode(endpoint.applicationState().get(io.ringkv.gossip.NodeStats.STATE))));
        }
        snapshot = new ClusterSnapshot(config.id().value(), lifecycle.ring().size(), List.copyOf(members),
            loading == null ? "" : loading);
    }
}
