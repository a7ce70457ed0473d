package io.ringkv.node.membership;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** DBSIZE's estimate: the announced record counts, summed, divided by the replicas each key has. */
class ClusterSnapshotTest {
    @Test
    void estimatedKeysSumsAnnouncedCountsAndDividesByN() {
        ClusterSnapshot view = new ClusterSnapshot("n0", 3, List.of(member("n0", "NORMAL", "3000"),
            member("n1", "NORMAL", "2990"), member("n2", "NORMAL", "3010"), member("n3", "LEFT", "5000"),
            member("n4", "JOINING", "?")), "");
        assertEquals(3000, view.estimatedKeys(3), "LEFT and unannounced nodes are not counted");
    }

    @Test
    void aRingSmallerThanNHoldsEachKeyOnEveryNode() {
        ClusterSnapshot view = new ClusterSnapshot("n0", 2, List.of(member("n0", "NORMAL", "100"),
            member("n1", "NORMAL", "100")), "");
        assertEquals(100, view.estimatedKeys(3));
        assertEquals(0, new ClusterSnapshot("n0", 0, List.of(), "").estimatedKeys(3));
    }

    private static ClusterSnapshot.Member member(String id, String state, String records) {
        return new ClusterSnapshot.Member(id, state, "127.0.0.1:7000", "127.0.0.1:6379", "z", "r", "1.0KiB", records,
            "ok", 0.5, 8, 1, "ALIVE");
    }
}
