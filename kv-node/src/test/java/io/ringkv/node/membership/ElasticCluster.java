package io.ringkv.node.membership;

import io.ringkv.antientropy.AntiEntropy;
import io.ringkv.antientropy.LiveTreeRebuilder;
import io.ringkv.antientropy.LiveTrees;
import io.ringkv.antientropy.RangeStreamer;
import io.ringkv.antientropy.RepairConfig;
import io.ringkv.api.Counter;
import io.ringkv.api.Node;
import io.ringkv.api.NodeContext;
import io.ringkv.api.NodeId;
import io.ringkv.gossip.FixedTimeoutDetector;
import io.ringkv.gossip.GossipConfig;
import io.ringkv.gossip.Gossiper;
import io.ringkv.gossip.HintHandOff;
import io.ringkv.gossip.NodeLifecycle;
import io.ringkv.gossip.NodeStatus;
import io.ringkv.gossip.RangeMover;
import io.ringkv.gossip.Readiness;
import io.ringkv.replication.HintConfig;
import io.ringkv.replication.Replication;
import io.ringkv.replication.ReplicationConfig;
import io.ringkv.ring.Ring;
import io.ringkv.sim.SimDisk;
import io.ringkv.sim.SimNode;
import io.ringkv.sim.SimStorageStage;
import io.ringkv.sim.Simulation;
import io.ringkv.storage.EngineConfig;
import io.ringkv.storage.StorageEngine;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A simulated cluster wired as {@code RingkvNode.start} wires a node, minus the transport and the front door: per
 * node a {@link NodeLifecycle} (gossip, join, leave) whose rings flow to {@link Replication} (coordinator and replica
 * over a {@link SimStorageStage}, hints over a stage of their own) as {@code replication.updateRing(ring, future)},
 * {@link LiveTrees} fed by every replica write and rebuilt by a {@link LiveTreeRebuilder}, {@link AntiEntropy}
 * merging through replication, and a {@link RangeStreamer} moving a join's or leave's ranges through
 * {@link StreamingRangeMover}. Tokens survive a crash as {@code node.state} would keep them. Clients are served only
 * by a node that {@link Readiness} lets serve, as the node's front door does.
 */
final class ElasticCluster {
    static final int N = 3;
    static final int VNODES = 8;
    static final long INTERVAL = TimeUnit.SECONDS.toNanos(1);
    private static final int SEEDS = 3;
    private static final long STREAM_RETRY_NANOS = TimeUnit.SECONDS.toNanos(5);
    /** 2026-01-01 in epoch seconds, the simulated wall clock's epoch: generations grow from it. */
    private static final long EPOCH_SECONDS = 1_767_225_600L;

    /** One running incarnation of a node: what the test drives and inspects. */
    static final class Member {
        final NodeLifecycle lifecycle;
        final Replication replication;
        final RangeStreamer streamer;
        final StorageEngine engine;
        final Readiness readiness = new Readiness(Readiness.DEFAULT_MAX_WAIT_ROUNDS);

        Member(NodeLifecycle lifecycle, Replication replication, RangeStreamer streamer, StorageEngine engine) {
            this.lifecycle = lifecycle;
            this.replication = replication;
            this.streamer = streamer;
            this.engine = engine;
        }

        /** @return whether the node's front door would serve a client now */
        boolean serves() {
            return !lifecycle.hasLeft() && lifecycle.gossiper().self().status() == NodeStatus.NORMAL
                && readiness.judge(lifecycle.gossiper()) == null;
        }
    }

    /** One move a node's lifecycle asked for. */
    record MoveRecord(long at, NodeId node, int incarnation, RangeMover.Move move) {
    }

    private final Simulation simulation;
    /** Names the nodes: a node picks its tokens from its id, so ids that differ by seed make rings that do. */
    private final String prefix;
    private final GossipConfig gossip;
    private final ReplicationConfig replicationConfig = ReplicationConfig.DEFAULT;
    private final EngineConfig store;
    private final EngineConfig hintStore;
    private final List<NodeId> ids = new ArrayList<>();
    private final Map<NodeId, long[]> storedTokens = new HashMap<>();
    private final Map<NodeId, List<String>> events = new HashMap<>();
    private final List<MoveRecord> moves = new ArrayList<>();
    /** Stream and repair counters of incarnations that crashed, summed per node and counter name. */
    private final Map<NodeId, Map<String, Long>> crashedCounters = new HashMap<>();

    ElasticCluster(long seed, double loss) {
        this.simulation = new Simulation(seed);
        this.prefix = "s" + seed + "-node-";
        simulation.network().dropRate(loss);
        List<NodeId> seeds = new ArrayList<>();
        for (int i = 0; i < SEEDS; i++) {
            seeds.add(idOf(i));
        }
        this.gossip = GossipConfig.withSeeds(seeds).withInterval(INTERVAL);
        this.store = new EngineConfig(Path.of("sim"), "data", replicationConfig.storageLimits(),
            EngineConfig.DEFAULT_MAX_VERSION_BYTES, Map.of()).withExpiry(Replication.recordExpiry());
        this.hintStore = new EngineConfig(Path.of("sim"), "hints", Replication.hintLimits(replicationConfig),
            EngineConfig.DEFAULT_MAX_VERSION_BYTES, Map.of());
    }

    private NodeId idOf(int ordinal) {
        return NodeId.of(prefix + ordinal);
    }

    /** Adds and starts the next node. */
    NodeId add() {
        int ordinal = ids.size();
        NodeId id = idOf(ordinal);
        ids.add(id);
        simulation.addNode(id, (context, disk) -> start(context, disk, id, ordinal));
        return id;
    }

    private Member start(NodeContext context, SimDisk disk, NodeId id, int ordinal) {
        int incarnation = simulation.node(id).incarnation();
        List<String> log = events.computeIfAbsent(id, k -> new ArrayList<>());
        java.util.function.Consumer<String> eventLog =
            line -> log.add(simulation.now() / INTERVAL + "s #" + incarnation + " " + line);
        // a generation greater than every earlier run's, as node.state's is
        long generation = EPOCH_SECONDS + simulation.now() / TimeUnit.SECONDS.toNanos(1) + incarnation;
        Node self = new Node(id, "10.0.0." + ordinal, 7400, 7379, Node.DEFAULT_ZONE, Node.DEFAULT_RACK);
        NodeLifecycle lifecycle = new NodeLifecycle(context, new NodeLifecycle.Settings(N, VNODES, null), gossip,
            self, generation, storedTokens.getOrDefault(id, new long[0]),
            new FixedTimeoutDetector(15 * INTERVAL, 30 * INTERVAL), tokens -> storedTokens.put(id, tokens.clone()),
            new Gossiper.Listener() { }, eventLog);
        if (!storedTokens.containsKey(id)) {
            // it never held tokens on its data (as without node.state): it asks the cluster about its id first
            lifecycle.startedOnNewData();
        }
        StorageEngine engine = disk.open(store);
        SimStorageStage stage = new SimStorageStage(context, engine);
        SimStorageStage hintStage = new SimStorageStage(context, disk.open(hintStore));
        LiveTrees liveTrees = new LiveTrees(RepairConfig.DEFAULT.leafCount());
        Replication replication = new Replication(context, lifecycle.ring(), stage, hintStage,
            lifecycle.gossiper()::isAlive, replicationConfig, HintConfig.DEFAULT, generation, liveTrees);
        replication.serveOnlyWhile(() -> !lifecycle.gossiper().isHidden());
        LiveTreeRebuilder rebuilder = new LiveTreeRebuilder(context, stage, liveTrees,
            LiveTreeRebuilder.configFor(TimeUnit.HOURS.toNanos(24)));
        rebuilder.updateRing(replication.coordinator().ring());
        AntiEntropy antiEntropy = new AntiEntropy(context, stage, RepairConfig.DEFAULT, liveTrees,
            new io.ringkv.node.ReplicaMerger(replication), replicationConfig.limits().maxKeyBytes(),
            EngineConfig.DEFAULT_MAX_VERSION_BYTES);
        RangeStreamer streamer = new RangeStreamer(context, antiEntropy, lifecycle.gossiper()::isAlive,
            STREAM_RETRY_NANOS);
        lifecycle.hintsWith(new HintHandOff() {
            @Override
            public void start() {
                replication.hints().handOff();
            }

            @Override
            public long pending() {
                return replication.hints().pending();
            }
        });
        RangeMover streaming = new StreamingRangeMover(streamer, eventLog);
        lifecycle.moveWith((move, listener) -> {
            moves.add(new MoveRecord(simulation.now(), id, incarnation, move));
            streaming.move(move, listener);
        });
        // as RingkvNode: every new ring (or future ring) reaches the coordinator, the hints and the live trees
        lifecycle.onRing(ring -> {
            replication.updateRing(ring, lifecycle.futureRing());
            rebuilder.updateRing(ring);
        });
        lifecycle.start();
        return new Member(lifecycle, replication, streamer, engine);
    }

    Simulation simulation() {
        return simulation;
    }

    List<NodeId> ids() {
        return ids;
    }

    Member member(NodeId id) {
        SimNode<Member> node = simulation.node(id);
        return node.instance();
    }

    NodeLifecycle lifecycle(NodeId id) {
        return member(id).lifecycle;
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

    List<MoveRecord> moves() {
        return moves;
    }

    /** Crashes {@code id}, keeping its stream and repair counters (a restart starts them at zero). */
    void crash(NodeId id) {
        Map<String, Long> kept = crashedCounters.computeIfAbsent(id, k -> new HashMap<>());
        for (Counter counter : simulation.node(id).counters().counters()) {
            if (counter.name().startsWith("stream_") || counter.name().startsWith("repair_")) {
                kept.merge(counter.name(), counter.get(), Long::sum);
            }
        }
        simulation.crash(id);
    }

    /** @return a stream or repair counter of {@code id}, summed over its incarnations (see {@link #crash}) */
    long streamCounter(NodeId id, String name) {
        long sum = crashedCounters.getOrDefault(id, Map.of()).getOrDefault(name, 0L);
        if (isUp(id)) {
            for (Counter counter : simulation.node(id).counters().counters()) {
                if (counter.name().equals(name)) {
                    sum += counter.get();
                }
            }
        }
        return sum;
    }

    /** @return the events of {@code id}, for failure messages */
    String events(NodeId id) {
        return String.join("\n", events.getOrDefault(id, List.of()));
    }

    /**
     * Runs until every up node but {@code except} is NORMAL and every such node's ring and future ring are the same
     * and hold exactly those nodes.
     *
     * @throws AssertionError when that takes more than {@code maxRounds}
     */
    Ring awaitSettled(int maxRounds, List<NodeId> except) {
        boolean settled = simulation.runUntil(() -> settled(except), maxRounds * INTERVAL);
        if (!settled) {
            StringBuilder why = new StringBuilder("not settled after " + maxRounds + " rounds");
            for (NodeId id : upIds()) {
                NodeLifecycle lifecycle = lifecycle(id);
                why.append("\n").append(id).append(": ").append(lifecycle.gossiper().self().status())
                    .append(", ring of ").append(lifecycle.ring().size()).append("\n").append(events(id));
            }
            throw new AssertionError(why.toString());
        }
        return lifecycle(upIds().stream().filter(id -> !except.contains(id)).findFirst().orElseThrow()).ring();
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
            if (!member(id).replication.coordinator().ring().equals(ring)) {
                return false;
            }
        }
        return first != null && first.size() == members.size() && members.stream().allMatch(first::contains);
    }
}
