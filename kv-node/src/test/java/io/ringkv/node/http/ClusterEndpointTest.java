package io.ringkv.node.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.ringkv.gossip.NodeStats;
import io.ringkv.node.membership.ClusterSnapshot;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterEndpointTest {
    private static final ClusterSnapshot.Member SERVING = new ClusterSnapshot.Member("n0", "NORMAL", "127.0.0.1:7400",
        "127.0.0.1:7379", "zone1", "rack\"1", "1.50KiB", "12", "ok", 0.5, 2, 7, "ALIVE", "NORMAL",
        new long[] {Long.MIN_VALUE + 1, 42}, "", new NodeStats(125.5, 2500, 3, 4, 40, true));
    private static final ClusterSnapshot.Member JOINING = new ClusterSnapshot.Member("n1", "JOINING 3/10 1.00MiB 2.00KiB/s",
        "127.0.0.1:7401", "127.0.0.1:7380", "zone1", "rack1", "?", "?", "?", 0, 1, 8, "SUSPECT", "JOINING",
        new long[] {Long.MAX_VALUE}, "3/10 1.00MiB 2.00KiB/s", null);
    private static final ClusterSnapshot.Member SLOW = new ClusterSnapshot.Member("n2", "DOWN", "127.0.0.1:7402",
        "127.0.0.1:7381", "zone1", "rack1", "0B", "0", "ok", 0.5, 0, 9, "DOWN", "NORMAL", new long[0], "",
        new NodeStats(0, NodeStats.OVER_RANGE, 0, 0, 0, false));

    @Test
    void everyNodeIsWrittenWithItsStateLivenessTokensAndStats() {
        Map<String, Object> cluster = parse(new ClusterSnapshot("n0", 2, List.of(SERVING, JOINING, SLOW), ""));
        assertEquals("n0", cluster.get("self"));
        assertEquals(1234.0, cluster.get("time"));
        assertEquals(2.0, cluster.get("ringNodes"));
        assertEquals(true, cluster.get("ready"));
        List<Map<String, Object>> nodes = nodes(cluster);
        assertEquals(3, nodes.size());

        Map<String, Object> serving = nodes.get(0);
        assertEquals("n0", serving.get("id"));
        assertEquals("NORMAL", serving.get("state"));
        assertEquals("ALIVE", serving.get("liveness"));
        assertEquals("rack\"1", serving.get("rack"));
        assertEquals(0.5, serving.get("owns"));
        assertEquals(1536.0, serving.get("loadBytes"));
        assertEquals(12.0, serving.get("records"));
        assertEquals(List.of((double) (Long.MIN_VALUE + 1), 42.0), serving.get("tokens"));
        Map<?, ?> stats = (Map<?, ?>) serving.get("stats");
        assertEquals(125.5, stats.get("rps"));
        assertEquals(2500.0, stats.get("p99Micros"));
        assertEquals(false, stats.get("p99OverRange"));
        assertEquals(3.0, stats.get("hintsPending"));
        assertEquals(4.0, stats.get("repairDone"));
        assertEquals(40.0, stats.get("repairTotal"));
        assertEquals(true, stats.get("repairing"));

        Map<String, Object> joining = nodes.get(1);
        assertEquals("JOINING", joining.get("state"), "the state is the announced one, without the progress");
        assertEquals("SUSPECT", joining.get("liveness"));
        assertEquals("3/10 1.00MiB 2.00KiB/s", joining.get("streaming"));
        assertNull(joining.get("records"), "not announced yet");
        assertNull(joining.get("loadBytes"));
        assertNull(joining.get("stats"));

        Map<?, ?> slow = (Map<?, ?>) nodes.get(2).get("stats");
        assertEquals("DOWN", nodes.get(2).get("liveness"));
        assertEquals(List.of(), nodes.get(2).get("tokens"));
        assertNull(slow.get("p99Micros"));
        assertEquals(true, slow.get("p99OverRange"));
    }

    @Test
    void aStartingNodeAnswersAnEmptyListAndWhyItDoesNotServe() {
        Map<String, Object> cluster = parse(ClusterSnapshot.empty("n0"));
        assertEquals(false, cluster.get("ready"));
        assertEquals("the node is starting", cluster.get("loading"));
        assertEquals(List.of(), cluster.get("nodes"));
    }

    @Test
    void gossipedLoadsReadBackAsAboutTheirBytes() {
        assertEquals(512, ClusterEndpoint.bytes("512B"));
        assertEquals(1536, ClusterEndpoint.bytes("1.50KiB"));
        assertEquals(Math.round(12.3 * 1024 * 1024), ClusterEndpoint.bytes("12.3MiB"));
        assertEquals(-1, ClusterEndpoint.bytes("?"));
        assertEquals(-1, ClusterEndpoint.bytes("B"));
        assertEquals(-1, ClusterEndpoint.bytes("1e5B"));
        assertEquals(-1, ClusterEndpoint.wholeNumber("?"));
        assertEquals(-1, ClusterEndpoint.wholeNumber("-3"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> parse(ClusterSnapshot snapshot) {
        return (Map<String, Object>) TinyJson.parse(ClusterEndpoint.json(snapshot, 1234));
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> nodes(Map<String, Object> cluster) {
        return (List<Map<String, Object>>) cluster.get("nodes");
    }
}
