package io.ringkv.replication;

import static io.ringkv.replication.TestCluster.MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.Consistency;
import io.ringkv.api.NodeId;
import io.ringkv.sim.LatencyModel;
import io.ringkv.sim.SimulationSeeds;
import io.ringkv.storage.StorageRecord;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The replica reports every record it writes to its data store, with the record it replaced: coordinated writes,
 * replica writes, deletes, hints delivered to a replica that was cut off, read repair and repair merges. A listener
 * that keeps a copy from nothing but these reports ends up holding exactly what the engine holds, and every "before"
 * it was told was what the key held (what anti-entropy's live trees rely on).
 */
class RecordListenerSimulationTest {
    private static final Consistency QUORUM = new Consistency(3, 2, 2);
    private static final Consistency ALL = new Consistency(3, 3, 2);
    private static final ReplicationConfig CONFIG = ReplicationConfig.DEFAULT.withConsistency(QUORUM);

    @Test
    void aListenerToldOfEveryWriteHoldsWhatTheEngineHolds() {
        SimulationSeeds.run(getClass(), "aListenerToldOfEveryWriteHoldsWhatTheEngineHolds", "kv-replication", 4,
            seed -> {
                Set<NodeId> down = new HashSet<>();
                TestCluster cluster = new TestCluster(seed, 5, CONFIG, HintConfig.DEFAULT,
                    node -> !down.contains(node), Set.of());
                SplittableRandom random = new SplittableRandom(seed);
                cluster.sim.network().latency(LatencyModel.exponential(100_000, MS));
                NodeId absent = cluster.ids.get(random.nextInt(cluster.ids.size()));
                List<NodeId> others = new ArrayList<>(cluster.ids);
                others.remove(absent);
                down.add(absent);
                cluster.sim.network().partition(List.of(absent), others);
                for (int i = 0; i < 300; i++) {
                    NodeId via = others.get(random.nextInt(others.size()));
                    String key = "key" + random.nextInt(100);
                    if (random.nextInt(5) == 0) {
                        cluster.delete(via, key, null, QUORUM);
                    } else {
                        cluster.put(via, key, "v" + i, null, QUORUM);
                    }
                }
                cluster.sim.network().heal();
                down.remove(absent);
                cluster.sim.runFor(10_000 * MS);
                for (int i = 0; i < 100; i++) {
                    cluster.get(others.get(random.nextInt(others.size())), "key" + i, ALL);
                }
                // a repair merge: one node's record of a key handed to every node
                StorageRecord record = cluster.contents(others.getFirst()).values().iterator().next();
                for (NodeId id : cluster.ids) {
                    cluster.node(id).mergeRecord(record.token(), record.key(), record.version(),
                        record.isTombstone() ? null : record.value(), stored -> { });
                }
                cluster.sim.runFor(2_000 * MS);
                assertTrue(cluster.mirrors.get(absent).reported() > 0, "the cut-off node was told of no write");
                for (NodeId id : cluster.ids) {
                    RecordMirror mirror = cluster.mirrors.get(id);
                    assertEquals(0, mirror.wrongBefore(), id + " was told a wrong record was replaced");
                    assertEquals(cluster.contents(id), mirror.records(), id + "'s listener missed writes");
                }
            });
    }
}
