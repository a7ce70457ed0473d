package io.ringkv.gossip.sim;

import io.ringkv.api.Node;
import io.ringkv.api.NodeContext;
import io.ringkv.api.NodeId;
import io.ringkv.gossip.EndpointState;
import io.ringkv.gossip.GossipConfig;
import io.ringkv.gossip.Leftovers;
import io.ringkv.gossip.MembershipRing;
import io.ringkv.gossip.Gossiper;
import io.ringkv.gossip.NodeLifecycle;
import io.ringkv.gossip.NodeStatus;
import io.ringkv.gossip.RangeMover;
import io.ringkv.ring.Ring;
import io.ringkv.sim.SimNode;
import io.ringkv.sim.Simulation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A simulated cluster of nodes running {@link NodeLifecycle} over gossip, with a simulated {@link RangeMover} (it
 * finishes after a few rounds of virtual time, and gives up on a share of moves, which the lifecycle tries again),
 * tokens kept across crashes as a node's token store would keep them, and the whole history recorded: every
 * status a node announced, every move it asked for and how it ended, every time any node's view held two NORMAL
 * nodes claiming one token.
 */
final class LifecycleCluster {
    static final int N = 3;
    static final int VNODES = 8;
    static final long INTERVAL = GossipFigures.INTERVAL;
    private static final int SEEDS = 3;

    /** One status a node announced for itself. */
    record Announcement(long at, NodeId node, int incarnation, NodeStatus status, long[] tokens,
                        boolean ringWasEmpty) {
    }

    /** A drop of every record of a node, as it ended. */
    record Drop(NodeId node, int incarnation, long at, boolean hiddenThen, long[] storedThen) {
    }

    /** One move a node's lifecycle asked for, and how it ended (at -1 while it runs). */
    static final class MoveRecord {
        final long requestedAt;
        final NodeId node;
        final int incarnation;
        final RangeMover.Move move;
        final EndpointState selfAtRequest;
        long finishedAt = -1;
        long failedAt = -1;

        MoveRecord(long requestedAt, NodeId node, int incarnation, RangeMover.Move move, EndpointState self) {
            this.requestedAt = requestedAt;
            this.node = node;
            this.incarnation = incarnation;
            this.move = move;
            this.selfAtRequest = self;
        }

        @Override
        public String toString() {
            return move.direction() + " by " + node + "#" + incarnation + " at " + requestedAt / INTERVAL
                + (finishedAt >= 0 ? ", finished at " + finishedAt / INTERVAL : "")
                + (failedAt >= 0 ? ", failed at " + failedAt / INTERVAL : "");
        }
    }

    private final Simulation simulation;
    private GossipConfig config;
    private int vnodes = VNODES;
    private final List<NodeId> ids = new ArrayList<>();
    private final Map<NodeId, long[]> storedTokens = new HashMap<>();
    /** The generation of the run that stored each node's tokens, as node.state keeps it. */
    private final Map<NodeId, Long> storedGenerations = new HashMap<>();
    /** Views a node's next start restores, as a node's peers file would give it back. */
    private final Map<NodeId, Gossiper.Remembered> rememberedViews = new HashMap<>();
    /** The future ring each node's current run last told its ring listener of (as the node's replication hears it). */
    private final Map<NodeId, io.ringkv.ring.Ring> futuresTold = new HashMap<>();
    /** Nodes whose data held their tokens (stored once, even none since; not wiped since), as node.state. */
    private final java.util.Set<NodeId> heldTokens = new java.util.HashSet<>();
    /**
     * An independent model of what each node may hold records of: every ring, current or future, that any node's
     * view held since the node's last cleanup (any coordinator sends a node the writes of the ranges it replicates in
     * that coordinator's rings, and streams follow the rings too). Kept across restarts, as data is.
     */
    private final Map<NodeId, List<Ring>> mayHold = new HashMap<>();
    /** Each node's leftovers mark as stored across its restarts, and each current run's tracker of it. */
    private final Map<NodeId, Boolean> leftoversStored = new HashMap<>();
    private final Map<NodeId, Leftovers> leftovers = new HashMap<>();
    private final List<Announcement> announcements = new ArrayList<>();
    private final List<MoveRecord> moves = new ArrayList<>();
    private final List<String> violations = new ArrayList<>();
    /** Drops of a node's records its lifecycle asked for, as they ended: node, incarnation, time, hidden then. */
    private final List<Drop> drops = new ArrayList<>();
    private final Map<NodeId, List<String>> events = new HashMap<>();
    private double moveFailureRate = 0.25;
    private int minMoveRounds = 1;
    private int maxMoveRounds = 4;

    LifecycleCluster(long seed, double loss) {
        this.simulation = new Simulation(seed);
        simulation.network().dropRate(loss);
        List<NodeId> seeds = new ArrayList<>();
        for (int i = 0; i < SEEDS; i++) {
            seeds.add(idOf(i));
        }
        this.config = GossipConfig.withSeeds(seeds).withInterval(INTERVAL);
    }

    static NodeId idOf(int ordinal) {
        return NodeId.of(String.format("node-%04d", ordinal));
    }

    /** Sets how long a simulated move takes, in rounds, and the share of moves it gives up on. */
    LifecycleCluster moves(int minRounds, int maxRounds, double failureRate) {
        this.minMoveRounds = minRounds;
        this.maxMoveRounds = maxRounds;
        this.moveFailureRate = failureRate;
        return this;
    }

    /** Gives nodes started from now on a quarantine of removed nodes of {@code rounds} gossip rounds. */
    LifecycleCluster quarantine(int rounds) {
        this.config = config.withQuarantine(rounds * INTERVAL);
        return this;
    }

    /**
     * Gives nodes added from now on {@code count} tokens each and gossip messages of at most {@code bytes}: large
     * states in small messages, so that an answer takes several datagrams.
     */
    LifecycleCluster shapes(int count, int bytes) {
        this.vnodes = count;
        this.config = config.withMaxMessageBytes(bytes);
        return this;
    }

    /** Adds and starts the next node; it replaces {@code replace} when not null. */
    NodeId add(NodeId replace) {
        return add(replace, Node.DEFAULT_RACK);
    }

    /** Adds and starts the next node, in {@code rack} of the default zone; it replaces {@code replace} when not null. */
    NodeId add(NodeId replace, String rack) {
        NodeId id = idOf(ids.size());
        int ordinal = ids.size();
        ids.add(id);
        simulation.addNode(id, (context, disk) -> start(context, id, ordinal, replace, rack));
        return id;
    }

    /** Adds and starts {@code count} nodes at once. */
    List<NodeId> addAll(int count) {
        List<NodeId> added = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            added.add(add(null));
        }
        return added;
    }

    private NodeLifecycle start(NodeContext context, NodeId id, int ordinal, NodeId replace, String rack) {
        int incarnation = simulation.node(id).incarnation();
        Node node = new Node(id, "10.0.0." + ordinal, 7400, 7379, Node.DEFAULT_ZONE, rack);
        NodeLifecycle[] holder = new NodeLifecycle[1];
        Gossiper.Listener observer = new Gossiper.Listener() {
            @Override
            public void onStateChange(EndpointState previous, EndpointState current) {
                if (current.id().equals(id) && (previous == null || previous.status() != current.status()
                    || !Arrays.equals(previous.tokens(), current.tokens()))) {
                    announcements.add(new Announcement(simulation.now(), id, incarnation, current.status(),
                        current.tokens(), holder[0].ring().isEmpty()));
                }
                checkNoTokenClaimedTwice(id, holder[0].gossiper().states());
            }
        };
        List<String> log = events.computeIfAbsent(id, k -> new ArrayList<>());
        long generation = context.clock().wallClockMillis() + 1;
        NodeLifecycle lifecycle = new NodeLifecycle(context,
            new NodeLifecycle.Settings(N, vnodes, replace), config, node,
            generation, storedTokens.getOrDefault(id, new long[0]),
            GossipFigures.fixed().get(), tokens -> {
                storedTokens.put(id, tokens.clone());
                storedGenerations.put(id, generation);
                heldTokens.add(id);
            }, observer,
            line -> log.add(simulation.now() / INTERVAL + " #" + incarnation + " " + line));
        holder[0] = lifecycle;
        if (!heldTokens.contains(id)) {
            lifecycle.startedOnNewData();
        }
        lifecycle.tokensStoredAt(storedGenerations.getOrDefault(id, 0L));
        Gossiper.Remembered view = rememberedViews.remove(id);
        if (view != null) {
            lifecycle.restore(view);
        }
        futuresTold.remove(id);
        Leftovers marks = new Leftovers(lifecycle.gossiper(), leftoversStored.getOrDefault(id, false),
            held -> leftoversStored.put(id, held), line -> log.add(simulation.now() / INTERVAL + " #" + incarnation
            + " " + line));
        leftovers.put(id, marks);
        lifecycle.onRing(ring -> {
            futuresTold.put(id, lifecycle.futureRing());
            marks.ringChanged(ring, lifecycle.futureRing());
            for (Ring seen : List.of(ring, lifecycle.futureRing())) {
                for (Node member : seen.nodes()) {
                    List<Ring> rings = mayHold.computeIfAbsent(member.id(), k -> new ArrayList<>());
                    if (!rings.contains(seen)) {
                        rings.add(seen);
                    }
                }
            }
        });
        lifecycle.moveWith((move, listener) -> move(context, id, incarnation, lifecycle, move, listener));
        lifecycle.dropWith(listener -> context.timers().schedule(INTERVAL + context.random().nextLong(INTERVAL),
            timer -> {
                // the node holds nothing from here on (a crash before this keeps its records, and its tokens gone)
                mayHold.remove(id);
                marks.droppedEverything();
                drops.add(new Drop(id, incarnation, simulation.now(), lifecycle.gossiper().isHidden(), stored(id)));
                listener.dropped(1);
            }));
        lifecycle.start();
        return lifecycle;
    }

    /** The simulated mover: ends after a few rounds, on the node's own timers (a crash ends it unreported). */
    private void move(NodeContext context, NodeId id, int incarnation, NodeLifecycle lifecycle,
                      RangeMover.Move move, RangeMover.Listener listener) {
        MoveRecord record = new MoveRecord(simulation.now(), id, incarnation, move, lifecycle.gossiper().self());
        moves.add(record);
        long rounds = minMoveRounds + context.random().nextInt(maxMoveRounds - minMoveRounds + 1);
        // a node's first move always fails when failures are on, so every run tries the lifecycle's retry
        boolean first = moves.stream().noneMatch(m -> m.node.equals(id) && m != record);
        boolean fails = moveFailureRate > 0 && (first || context.random().nextDouble() < moveFailureRate);
        // halfway, one session of the move has failed (a mover counts each move's failures from zero)
        context.timers().schedule(rounds * INTERVAL / 2, timer ->
            listener.progress(new RangeMover.Progress(1, 2, 1, "simulated session failure", "1/2")));
        context.timers().schedule(rounds * INTERVAL, timer -> {
            if (fails) {
                record.failedAt = simulation.now();
                listener.failed("simulated failure");
            } else {
                record.finishedAt = simulation.now();
                listener.finished(new RangeMover.Progress(2, 2, 0, "", "2/2"));
            }
        });
    }

    /**
     * In the ring {@code observer} builds from its view, every NORMAL node owns every token it claims: no token went
     * to another node, unless the node is a dead one that a replacement named.
     */
    private void checkNoTokenClaimedTwice(NodeId observer, List<EndpointState> view) {
        Ring ring = MembershipRing.build(view, N);
        for (EndpointState state : view) {
            if (state.status() != NodeStatus.NORMAL || state.tokenCount() == 0) {
                continue;
            }
            boolean replaced = view.stream().anyMatch(other -> other.applicationState()
                .getOrDefault(MembershipRing.REPLACING, "").equals(MembershipRing.replacing(state)));
            long[] owned = ring.contains(state.id()) ? ring.tokensOf(state.id()) : new long[0];
            if (!replaced && owned.length != state.tokenCount() && violations.size() < 20) {
                violations.add("at round " + simulation.now() / INTERVAL + " " + observer + " saw NORMAL "
                    + state.id() + " own " + owned.length + " of its " + state.tokenCount() + " tokens");
            }
        }
    }

    /** @return the future ring {@code id}'s current run last told its ring listener of; null before any */
    io.ringkv.ring.Ring futureTold(NodeId id) {
        return futuresTold.get(id);
    }

    /** @return the current run's tracker of {@code id}'s leftovers */
    Leftovers leftovers(NodeId id) {
        return leftovers.get(id);
    }

    /** @return the nodes that may hold leftovers as {@code id} sees them, against the ring it holds */
    List<NodeId> holders(NodeId id) {
        return leftovers(id).holders(lifecycle(id).ring());
    }

    /**
     * Tells {@code id}'s tracker that a cleanup started now against its ring ended: it clears the mark, and the
     * node holds records of that ring's ranges only.
     */
    boolean cleanedNow(NodeId id) {
        NodeLifecycle lifecycle = lifecycle(id);
        boolean cleared = leftovers(id).cleaned(lifecycle.ring(), leftovers(id).epoch(), lifecycle.ring(),
            lifecycle.futureRing());
        if (cleared) {
            mayHold.put(id, new ArrayList<>(List.of(lifecycle.ring())));
        }
        return cleared;
    }

    /**
     * @return the up nodes that, by the independent model, may hold records of ranges {@code ring} does not give
     *     them (a node that left is not counted: it drops its data before it joins again)
     */
    List<NodeId> mayHoldLeftovers(Ring ring) {
        List<NodeId> holders = new ArrayList<>();
        for (NodeId id : upIds()) {
            List<Ring> rings = mayHold.getOrDefault(id, List.of());
            if (lifecycle(id).gossiper().self().status() != NodeStatus.LEFT
                && Ring.losesRanges(id, ring, rings.toArray(Ring[]::new))) {
                holders.add(id);
            }
        }
        return holders;
    }


    /** Keeps the node's view now for its next start to restore (what its peers file would hold). */
    void rememberView(NodeId id) {
        rememberedViews.put(id, lifecycle(id).gossiper().remembered());
    }

    Simulation simulation() {
        return simulation;
    }

    List<NodeId> ids() {
        return ids;
    }

    NodeLifecycle lifecycle(NodeId id) {
        SimNode<NodeLifecycle> node = simulation.node(id);
        return node.instance();
    }

    boolean isUp(NodeId id) {
        return simulation.node(id).isUp();
    }

    List<NodeId> upIds() {
        return ids.stream().filter(this::isUp).toList();
    }

    long[] stored(NodeId id) {
        return storedTokens.getOrDefault(id, new long[0]).clone();
    }

    List<Announcement> announcements() {
        return announcements;
    }

    List<Drop> drops() {
        return drops;
    }

    List<MoveRecord> moves() {
        return moves;
    }

    List<String> violations() {
        return violations;
    }

    /** Takes {@code id}'s stored tokens away and keeps the rest of its data: as a node that gave them up itself. */
    void forgetTokens(NodeId id) {
        storedTokens.remove(id);
    }

    /** Forgets what {@code id} stored (its tokens and its view): its data directory lost, for its next start. */
    void wipe(NodeId id) {
        heldTokens.remove(id);
        storedTokens.remove(id);
        storedGenerations.remove(id);
        rememberedViews.remove(id);
    }

    /** @return the events of {@code id}, for failure messages */
    String events(NodeId id) {
        return String.join("\n", events.getOrDefault(id, List.of()));
    }

    void runRounds(double rounds) {
        simulation.runFor((long) (rounds * INTERVAL));
    }

    /**
     * Runs until every up node but {@code except} is NORMAL and such node's ring (and future ring) is the same and
     * holds exactly those nodes.
     *
     * @throws AssertionError when that takes more than {@code maxRounds}
     */
    void awaitSettled(int maxRounds, List<NodeId> except) {
        boolean settled = simulation.runUntil(() -> settled(except), maxRounds * INTERVAL);
        if (!settled) {
            StringBuilder why = new StringBuilder("not settled after " + maxRounds + " rounds (seed "
                + simulation.seed() + ")");
            for (NodeId id : upIds()) {
                NodeLifecycle lifecycle = lifecycle(id);
                why.append("\n").append(id).append(": ").append(lifecycle.gossiper().self().status())
                    .append(", ring of ").append(lifecycle.ring().size()).append("\n").append(events(id));
            }
            throw new AssertionError(why.toString());
        }
    }

    private boolean settled(List<NodeId> except) {
        List<NodeId> members = upIds().stream().filter(id -> !except.contains(id)).toList();
        Ring first = null;
        for (NodeId id : members) {
            NodeLifecycle lifecycle = lifecycle(id);
            if (lifecycle.gossiper().self().status() != NodeStatus.NORMAL) {
                return false;
            }
            Ring ring = lifecycle.ring();
            if (first == null) {
                first = ring;
            } else if (!first.equals(ring) || !lifecycle.futureRing().equals(ring)) {
                return false;
            }
        }
        return first != null && first.size() == members.size() && members.stream().allMatch(first::contains);
    }
}
