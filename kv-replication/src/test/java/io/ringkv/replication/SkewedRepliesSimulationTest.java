package io.ringkv.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.Consistency;
import io.ringkv.api.Key;
import io.ringkv.api.NodeId;
import io.ringkv.api.Value;
import io.ringkv.api.Version;
import io.ringkv.ring.Partitioner;
import io.ringkv.ring.PreferenceList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A reply whose timestamps run further ahead of this node's wall clock than its hybrid clock accepts (the key's
 * replicas' clocks are ahead, this node's behind) still answers the client: the clock stays where it is, as it does
 * when the coordinating replica stamps a blind write after such a version.
 */
class SkewedRepliesSimulationTest {
    private static final Consistency ALL = new Consistency(3, 3, 3);

    @Test
    void aNodeWhoseClockIsFarBehindTheKeysReplicasStillAnswersItsClients() {
        TestCluster cluster = new TestCluster(11, 4, ReplicationConfig.DEFAULT);
        PreferenceList replicas = cluster.ring.preferenceList(Partitioner.token(Key.utf8("k")));
        NodeId outsider = cluster.ids.stream().filter(id -> !replicas.contains(id)).findFirst().orElseThrow();
        for (NodeId id : cluster.ids) {
            // the replicas agree with one another; the outsider is 70 s behind them (the limit is 60 s)
            cluster.sim.node(id).clockSkewMillis(id.equals(outsider) ? -20_000 : 50_000);
        }
        assertTrue(cluster.put(replicas.get(0).id(), "k", "v1", null, ALL).succeeded());

        TestCluster.Outcome<Version> forwarded = cluster.put(outsider, "k", "v2", null, Consistency.DEFAULT);
        assertTrue(forwarded.succeeded(), forwarded.error + " " + forwarded.message);
        TestCluster.Outcome<io.ringkv.api.SiblingSet> read = cluster.get(outsider, "k", Consistency.DEFAULT);
        assertTrue(read.succeeded(), read.error + " " + read.message);
        assertEquals(List.of(Value.utf8("v2")), read.value.values());
        assertEquals(List.of(), cluster.sim.handlerFailures());
    }
}
