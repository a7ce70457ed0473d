package io.ringkv.replication;

import io.ringkv.api.Consistency;
import io.ringkv.api.ErrorCode;
import io.ringkv.api.Node;
import io.ringkv.api.NodeId;
import io.ringkv.api.SiblingSet;
import io.ringkv.api.Version;
import io.ringkv.ring.Ring;
import io.ringkv.sim.SimNode;
import io.ringkv.sim.Simulation;
import io.ringkv.storage.EngineConfig;
import io.ringkv.storage.StorageEngine;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A simulated cluster of replication nodes on a static ring, with blocking-style helpers for tests. */
final class TestCluster {
    static final long MS = 1_000_000;
    static final int TOKENS_PER_NODE = 8;

    final Simulation sim;
    final List<NodeId> ids = new ArrayList<>();
    final Ring ring;
    final ReplicationConfig config;
    /** Nodes whose next start finds an empty data directory (a wiped or replaced disk). */
    final java.util.Set<NodeId> wipeOnRestart = new java.util.HashSet<>();
    private final Map<NodeId, Integer> starts = new java.util.HashMap<>();
    private final Map<NodeId, StorageEngine> engines = new java.util.HashMap<>();
    final Map<NodeId, io.ringkv.sim.SimStorageStage> stages = new java.util.HashMap<>();
    final Map<NodeId, io.ringkv.sim.SimStorageStage> hintStages = new java.util.HashMap<>();
    /** Nodes whose hint store's stage refuses every task now (a full stage), as the node's hinted handoff sees it. */
    final java.util.Set<NodeId> hintStoresRefusing = new java.util.HashSet<>();
    /** Nodes whose hint store's stage refuses every write now (reads still run). */
    final java.util.Set<NodeId> hintWritesRefusing = new java.util.HashSet<>();
    private final Map<NodeId, StorageEngine> hintEngines = new java.util.HashMap<>();
    /** Each node's current incarnation's copy of its data store, kept from what its replica reports writing. */
    final Map<NodeId, RecordMirror> mirrors = new java.util.HashMap<>();
    /** Nodes whose data forces take {@link #forcesSlowNanos} from now on. */
    final java.util.Set<NodeId> slowForces = new java.util.HashSet<>();
    long forcesSlowNanos = 5_000_000_000L;
    /** Nodes whose hint store fails every force from now on. */
    final java.util.Set<NodeId> failingHintForces = new java.util.HashSet<>();
    /**
     * Nodes whose data forces fail for want of space: what their engine applied stays there, unforced, until a force
     * after they leave the set (a disk that filled, then was given room).
     */
    final java.util.Set<NodeId> spacelessForces = new java.util.HashSet<>();
    /** Nodes whose data tasks run 20 ms after they were queued, from now on. */
    final java.util.Set<NodeId> slowTasks = new java.util.HashSet<>();

    TestCluster(long seed, int nodes, ReplicationConfig config, LivenessView liveness) {
        this(seed, nodes, config, liveness, java.util.Set.of());
    }

    /** @param fullDisks nodes whose engine refuses every write with {@code DISK_FULL} (and serves reads) */
    TestCluster(long seed, int nodes, ReplicationConfig config, LivenessView liveness,
                java.util.Set<NodeId> fullDisks) {
        this(seed, nodes, config, HintConfig.DEFAULT, liveness, fullDisks);
    }

    /** @param hints sloppy quorum and hinted handoff settings of every node */
    TestCluster(long seed, int nodes, ReplicationConfig config, HintConfig hints, LivenessView liveness,
                java.util.Set<NodeId> fullDisks) {
        this.sim = new Simulation(seed);
        this.config = config;
        Ring.Builder builder = Ring.builder().replicationFactor(config.consistency().n());
        long step = Long.divideUnsigned(-1L, (long) nodes * TOKENS_PER_NODE);
        for (int i = 0; i < nodes; i++) {
            NodeId id = NodeId.of("n" + (i + 1));
            ids.add(id);
            long[] tokens = new long[TOKENS_PER_NODE];
            for (int t = 0; t < TOKENS_PER_NODE; t++) {
                tokens[t] = Long.MIN_VALUE + 1 + step * ((long) t * nodes + i);
            }
            builder.add(Node.of(id.value(), "127.0.0.1", 7000 + i, 8000 + i), tokens);
        }
        this.ring = builder.build();
        EngineConfig store = new EngineConfig(Path.of("sim"), "data", config.storageLimits(),
            EngineConfig.DEFAULT_MAX_VERSION_BYTES, Map.of()).withExpiry(Replication.recordExpiry());
        EngineConfig hintStore = new EngineConfig(Path.of("sim"), "hints", Replication.hintLimits(config),
            EngineConfig.DEFAULT_MAX_VERSION_BYTES, Map.of());
        for (NodeId id : ids) {
            boolean full = fullDisks.contains(id);
            sim.addNode(id, (context, disk) -> {
                int start = starts.merge(id, 1, Integer::sum);
                EngineConfig opened = wipeOnRestart.remove(id) ? new EngineConfig(Path.of("sim"),
                    "data-" + start, config.storageLimits(), EngineConfig.DEFAULT_MAX_VERSION_BYTES, Map.of())
                    .withExpiry(Replication.recordExpiry()) : store;
                StorageEngine engine = full ? new FullDiskEngine(disk.open(opened)) : disk.open(opened);
                engines.put(id, engine);
                // a node in slowForces takes forcesSlowNanos for each force of its data (a stalling disk)
                io.ringkv.sim.LatencyModel forces = random -> slowForces.contains(id) ? forcesSlowNanos
                    : io.ringkv.sim.SimStorageStage.DEFAULT_FORCE_LATENCY.sampleNanos(random);
                // and a node in slowTasks runs each task of its data 20 ms after it was queued (a busy disk)
                io.ringkv.sim.LatencyModel tasks = random -> slowTasks.contains(id) ? 20_000_000L
                    : io.ringkv.sim.SimStorageStage.DEFAULT_TASK_LATENCY.sampleNanos(random);
                StorageEngine forced = new io.ringkv.sim.ForwardingEngine(engine) {
                    @Override
                    public void flush() {
                        if (spacelessForces.contains(id)) {
                            throw new io.ringkv.api.KvException(ErrorCode.DISK_FULL, "no space left on device");
                        }
                        super.flush();
                    }
                };
                stages.put(id, new io.ringkv.sim.SimStorageStage(context, forced, tasks, forces, 10_000));
                // a node in failingHintForces fails every force of its hint store (the hints are applied, not durable)
                StorageEngine hintEngine = new io.ringkv.sim.ForwardingEngine(disk.open(hintStore)) {
                    @Override
                    public void flush() {
                        if (failingHintForces.contains(id)) {
                            throw new io.ringkv.api.KvException(ErrorCode.STORAGE_FAILURE, "the hint device failed");
                        }
                        super.flush();
                    }
                };
                hintEngines.put(id, hintEngine);
                hintStages.put(id, new io.ringkv.sim.SimStorageStage(context, hintEngine));
                RecordMirror mirror = new RecordMirror(engine);
                mirrors.put(id, mirror);
                io.ringkv.sim.SimStorageStage hintStage = hintStages.get(id);
                io.ringkv.storage.StorageStage refusable = new io.ringkv.storage.StorageStage() {
                    @Override
                    public <T> boolean read(long token, io.ringkv.storage.StorageTask<T> task,
                                            io.ringkv.storage.StorageCompletion<T> completion) {
                        return !hintStoresRefusing.contains(id) && hintStage.read(token, task, completion);
                    }

                    @Override
                    public <T> boolean scan(long token, io.ringkv.storage.StorageTask<T> task,
                                            io.ringkv.storage.StorageCompletion<T> completion) {
                        return !hintStoresRefusing.contains(id) && hintStage.scan(token, task, completion);
                    }

                    @Override
                    public <T> boolean write(long token, io.ringkv.storage.StorageTask<T> task,
                                             io.ringkv.storage.StorageCompletion<T> completion) {
                        return !hintStoresRefusing.contains(id) && !hintWritesRefusing.contains(id)
                            && hintStage.write(token, task, completion);
                    }
                };
                return new Replication(context, ring, stages.get(id), refusable, liveness, config, hints,
                    generation(start), mirror);
            });
        }
    }

    /**
     * @return a generation that grows with every start of a node, as a real node's persisted one does: seconds of
     *     true time since 2026 (the simulated wall clock's epoch) plus the start count
     */
    private long generation(int start) {
        return 1_767_225_600L + sim.now() / 1_000_000_000L + start;
    }

    TestCluster(long seed, int nodes, ReplicationConfig config) {
        this(seed, nodes, config, LivenessView.ALL_ALIVE);
    }

    /** @return every record the node's data engine holds, read straight from it */
    Map<io.ringkv.storage.StorageKey, io.ringkv.storage.StorageRecord> contents(NodeId id) {
        return RecordMirror.contents(engines.get(id));
    }

    /** @return the data engine of the node's current incarnation */
    StorageEngine engine(NodeId id) {
        return engines.get(id);
    }

    Replication node(NodeId id) {
        SimNode<Replication> node = sim.node(id);
        return node.instance();
    }

    /** @return what the node's current incarnation holds for {@code key}, read straight from its engine */
    SiblingSet stored(NodeId id, String key) {
        io.ringkv.api.Key k = io.ringkv.api.Key.utf8(key);
        return ReplicaTasks.read(engines.get(id), io.ringkv.ring.Partitioner.token(k), k, config.limits());
    }

    /** @return the key's first N replicas on the cluster's ring */
    List<NodeId> owners(String key) {
        io.ringkv.ring.PreferenceList list = ring.preferenceList(io.ringkv.api.Key.utf8(key));
        List<NodeId> owners = new ArrayList<>();
        for (int i = 0; i < Math.min(config.consistency().n(), list.size()); i++) {
            owners.add(list.get(i).id());
        }
        return owners;
    }

    /** @return hints every running node holds, summed */
    /** @return the keys {@code holder}'s hint store holds hints of for {@code owner} */
    java.util.Set<String> hintedKeys(NodeId holder, NodeId owner) {
        java.util.Set<String> keys = new java.util.HashSet<>();
        for (HintTasks.Hint hint : HintTasks.next(hintEngines.get(holder), owner, Long.MIN_VALUE, 100_000, 1L << 30,
            HintTasks.engineLimits(config)).hints()) {
            keys.add(new String(hint.key().toByteArray(), java.nio.charset.StandardCharsets.UTF_8));
        }
        return keys;
    }

    int hintsPending() {
        int pending = 0;
        for (NodeId id : ids) {
            if (sim.node(id).isUp()) {
                pending += node(id).hints().pendingByTarget().values().stream().mapToInt(Integer::intValue).sum();
            }
        }
        return pending;
    }

    /** @return the hints the node's hint store holds, by owner, read straight from it (corrupt records left out) */
    Map<NodeId, Integer> hintsStored(NodeId id) {
        Map<NodeId, Integer> stored = new java.util.TreeMap<>();
        HintTasks.summarize(hintEngines.get(id), HintTasks.engineLimits(config), Long.MAX_VALUE)
            .forEach((owner, summary) -> {
                if (summary.count() > 0) {
                    stored.put(owner, summary.count());
                }
            });
        return stored;
    }

    /**
     * Flips a bit in the value of {@code holder}'s first hint for {@code owner}, keeping its header: its CRC no
     * longer checks, as after a bad sector under the hint store.
     */
    void corruptFirstHint(NodeId holder, NodeId owner) {
        StorageEngine engine = hintEngines.get(holder);
        long token = HintTasks.ownerToken(owner);
        io.ringkv.storage.StorageRecord[] first = {null};
        engine.scan(token - 1, token, record -> {
            if (record.isTombstone()) {
                return true;
            }
            first[0] = record;
            return false;
        });
        if (first[0] == null) {
            throw new IllegalStateException(holder + " holds no hint for " + owner);
        }
        byte[] value = first[0].value();
        value[value.length - 1] ^= 1;
        engine.put(token, first[0].key(), first[0].version(), value);
        engine.flush();
    }

    /** @return a hint counter summed over the running nodes (counters restart with a node) */
    long hintCounter(HintCounter counter) {
        long sum = 0;
        for (NodeId id : ids) {
            if (sim.node(id).isUp()) {
                sum += node(id).hints().counter(counter);
            }
        }
        return sum;
    }

    Coordinator coordinator(NodeId id) {
        return node(id).coordinator();
    }

    /** The outcome of one request, filled in by its callback. */
    static final class Outcome<T> {
        T value;
        ErrorCode error;
        String message;
        boolean done;

        boolean succeeded() {
            return done && error == null;
        }
    }

    static PutCallback putInto(Outcome<Version> outcome) {
        return new PutCallback() {
            @Override
            public void onSuccess(Version written) {
                outcome.value = written;
                outcome.done = true;
            }

            @Override
            public void onFailure(ErrorCode code, String message) {
                outcome.error = code;
                outcome.message = message;
                outcome.done = true;
            }
        };
    }

    static GetCallback getInto(Outcome<SiblingSet> outcome) {
        return new GetCallback() {
            @Override
            public void onSuccess(SiblingSet siblings) {
                outcome.value = siblings;
                outcome.done = true;
            }

            @Override
            public void onFailure(ErrorCode code, String message) {
                outcome.error = code;
                outcome.message = message;
                outcome.done = true;
            }
        };
    }

    /** Runs the simulation until the request finished (or 5 s of virtual time passed) and returns it. */
    <T> Outcome<T> await(Outcome<T> outcome) {
        return await(outcome, 5_000 * MS);
    }

    /** Runs the simulation until {@code outcome} is done, for at most {@code maxNanos} of virtual time. */
    <T> Outcome<T> await(Outcome<T> outcome, long maxNanos) {
        sim.runUntil(() -> outcome.done, maxNanos);
        if (!outcome.done) {
            throw new AssertionError("request never finished");
        }
        return outcome;
    }

    Outcome<Version> put(NodeId via, String key, String value, io.ringkv.api.CausalContext context,
                         Consistency consistency) {
        Outcome<Version> outcome = new Outcome<>();
        coordinator(via).put(io.ringkv.api.Key.utf8(key), io.ringkv.api.Value.utf8(value), context, consistency,
            putInto(outcome));
        return await(outcome);
    }

    Outcome<SiblingSet> get(NodeId via, String key, Consistency consistency) {
        Outcome<SiblingSet> outcome = new Outcome<>();
        coordinator(via).get(io.ringkv.api.Key.utf8(key), consistency, getInto(outcome));
        return await(outcome);
    }

    Outcome<Version> delete(NodeId via, String key, io.ringkv.api.CausalContext context, Consistency consistency) {
        Outcome<Version> outcome = new Outcome<>();
        coordinator(via).delete(io.ringkv.api.Key.utf8(key), context, consistency, putInto(outcome));
        return await(outcome);
    }

    /** Asks {@code via} for one page of a scan from {@code cursor} and runs the simulation until it answers. */
    Outcome<ScanPage> scan(NodeId via, ScanCursor cursor, int count) {
        return scan(via, cursor, count, 5_000 * MS);
    }

    /** As {@link #scan(NodeId, ScanCursor, int)}, waiting up to {@code maxNanos} for the call. */
    Outcome<ScanPage> scan(NodeId via, ScanCursor cursor, int count, long maxNanos) {
        Outcome<ScanPage> outcome = new Outcome<>();
        node(via).scans().scan(cursor, count, new ScanCallback() {
            @Override
            public void onSuccess(ScanPage page) {
                outcome.value = page;
                outcome.done = true;
            }

            @Override
            public void onFailure(ErrorCode code, String message) {
                outcome.error = code;
                outcome.message = message;
                outcome.done = true;
            }
        });
        return await(outcome, maxNanos);
    }
}
