package io.ringkv.benchmarks.faults;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The harness's view of membership changes: when the cluster counts as settled, and the report's section. */
class MembershipChecksTest {
    private static final String NODE1 = "node0:id=node1,state=NORMAL,address=a,liveness=ALIVE";
    private static final String NODE3 = "node1:id=node3,state=NORMAL,address=a,liveness=ALIVE";
    private static final String NODE4 = "node2:id=node4,state=NORMAL,address=a,liveness=ALIVE";

    @Test
    void settledWhenEveryMemberIsNormalAndAliveAndEveryNodeThatLeftIsLeft() {
        List<String> members = List.of("node1", "node3", "node4");
        assertTrue(LocalCluster.settled(List.of(NODE1, "node1:id=node2,state=LEFT,liveness=DOWN", NODE3, NODE4),
            members));
        assertTrue(LocalCluster.settled(List.of(NODE1, NODE3, NODE4), members), "a node that left may be forgotten");
    }

    @Test
    void notSettledWhileANodeThatLeftLooksLikeAMemberOrAMemberIsMissingOrJoining() {
        List<String> members = List.of("node1", "node3", "node4");
        assertFalse(LocalCluster.settled(List.of(NODE1, "node1:id=node2,state=DOWN,liveness=DOWN", NODE3, NODE4),
            members), "node2 left but is still a NORMAL member, DOWN");
        assertFalse(LocalCluster.settled(List.of(NODE1, NODE3), members), "node4 is missing");
        assertFalse(LocalCluster.settled(List.of(NODE1, NODE3, "node2:id=node4,state=JOINING 3/40,liveness=ALIVE"),
            members), "node4 is still joining");
    }

    @Test
    void theReportListsEachJoinAndLeaveWithItsTimesAndStreamingCounters() {
        long start = 1_000_000_000L;
        Nemesis.Membership join = new Nemesis.Membership(new Fault(FaultKind.JOIN, List.of(4), 0, 25_000, 1),
            start + 10_000_000_000L, start + 14_000_000_000L, start + 31_500_000_000L,
            Map.of("stream_sessions", "96", "stream_sessions_done", "96", "stream_keys_received", "4321"),
            "killed at 30/96 sessions", null);
        Nemesis.Membership leave = new Nemesis.Membership(new Fault(FaultKind.LEAVE, List.of(2), 0, 15_000, 0),
            start + 60_000_000_000L, 0, 0, Map.of(), "", "node2 had not left within 180 s");
        String section = Report.membershipSection(List.of(join, leave), start);
        assertTrue(section.contains("| join node4 | 10.0 s | 31.5 s | 21.5 s | 17.5 s | 96/96 | ? | 4321 |"), section);
        assertTrue(section.contains("| leave node2 | 60.0 s | never | - | - | ?/? |"), section);
        assertTrue(section.contains("FAILED: node2 had not left within 180 s"), section);
        assertTrue(Report.membershipSection(List.of(), start).isEmpty());
    }
}
