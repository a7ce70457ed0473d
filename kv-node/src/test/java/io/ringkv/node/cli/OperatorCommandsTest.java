package io.ringkv.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code ringkv decommission} and {@code ringkv cleanup} say done only when the node did what was asked. */
class OperatorCommandsTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private int decommission(int port) {
        DecommissionCommand command = new DecommissionCommand();
        command.node.host = "127.0.0.1";
        command.node.port = port;
        command.timeoutSeconds = 60;
        command.confirmNanos = 0;
        return command.run(new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private int cleanup(int port) {
        Launcher launcher = DaggerLauncherComponent.create().launcher();
        return launcher.run(new String[] {"cleanup", "--port", Integer.toString(port)},
            new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    /** {@code INFO cluster} of {@code self} listing n1 (at {@code n1State}) and n2 (clients at the given port). */
    private static String cluster(String self, String n1State, String n1Liveness, int n2Port) {
        return "# Cluster\r\ncluster_self:" + self + "\r\n"
            + "node0:id=n1,state=" + n1State + ",address=127.0.0.1:7401,client=127.0.0.1:7379,liveness=" + n1Liveness
            + "\r\nnode1:id=n2,state=NORMAL,address=127.0.0.1:7402,client=127.0.0.1:" + n2Port + ",liveness=ALIVE\r\n";
    }

    /** {@code INFO streaming} of a node that never streamed. */
    private static final String NO_PLAN = "# Streaming\r\nstream_running:0\r\n";

    private static String streaming(int running, int done) {
        return "# Streaming\r\nstream_running:" + running + "\r\nstream_sessions:48\r\nstream_sessions_done:" + done
            + "\r\nstream_keys_sent:" + done * 10 + "\r\n";
    }

    @Test
    void aNodeKilledWhileItStreamsIsNotReportedDecommissioned() throws Exception {
        // it was: the node stopped answering, so the command said "decommissioned ... the node has exited" and
        // exited 0, and an operator then wiped a disk holding ranges not yet handed over
        try (FakeNode other = new FakeNode(100, Map.of("cluster", cluster("n2", "LEAVING", "DOWN", 0)));
             FakeNode leaver = FakeNode.thenGone(List.of(cluster("n1", "NORMAL", "ALIVE", other.port()),
                 NO_PLAN, "decommissioning: streaming", streaming(1, 3)))) {
            assertEquals(1, decommission(leaver.port()), out() + err());
        }
        assertFalse(out().contains("decommissioned"), out());
        assertTrue(err().contains("node n1 stopped answering"), err());
        assertTrue(err().contains("n2 sees it LEAVING, DOWN"), err());
        assertTrue(err().contains("ringkv removenode n1"), err());
    }

    @Test
    void aNodeThatLeftIsReportedDecommissionedOnceAnotherMemberSeesItLeft() throws Exception {
        try (FakeNode other = new FakeNode(100, Map.of("cluster", cluster("n2", "LEFT", "DOWN", 0)));
             FakeNode leaver = FakeNode.thenGone(List.of(cluster("n1", "NORMAL", "ALIVE", other.port()),
                 NO_PLAN, "decommissioning: streaming", streaming(1, 47), streaming(0, 48),
                 // the sessions are done, and the node is LEAVING while it hands over its hints
                 cluster("n1", "LEAVING", "ALIVE", other.port())))) {
            assertEquals(0, decommission(leaver.port()), out() + err());
        }
        assertTrue(out().contains("decommissioned in"), out());
        assertTrue(out().contains("48 sessions, 480 records sent"), out());
        assertTrue(out().contains("node n2 sees it LEFT"), out());
    }

    @Test
    void whenNoOtherMemberCanBeAskedOnlyANodeThatHandedOverEverySessionCountsAsDecommissioned() throws Exception {
        try (FakeNode other = new FakeNode(1_000, Map.of("cluster", "not a ringkv node"))) {
            int mute = other.port();
            try (FakeNode leaver = FakeNode.thenGone(List.of(cluster("n1", "NORMAL", "ALIVE", mute),
                     NO_PLAN, "decommissioning: streaming", streaming(1, 3)))) {
                assertEquals(1, decommission(leaver.port()), out() + err());
            }
            assertTrue(err().contains("with 3 of 48 sessions handed over"), err());
            assertTrue(err().contains("no other member could be asked whether it left (n2 did not say)"), err());
            assertFalse(err().contains("removenode"), "a node that may have left is not to be removed: " + err());

            // the gauges of the node's join, unchanged since before DECOMMISSION: nothing was handed over
            try (FakeNode leaver = FakeNode.thenGone(List.of(cluster("n1", "NORMAL", "ALIVE", mute),
                     streaming(0, 48), "decommissioning: streaming", streaming(0, 48),
                     cluster("n1", "LEAVING", "ALIVE", mute)))) {
                assertEquals(1, decommission(leaver.port()), out() + err());
            }
            assertFalse(out().contains("as far as this command can tell"), out());

            try (FakeNode leaver = FakeNode.thenGone(List.of(cluster("n1", "NORMAL", "ALIVE", mute),
                     NO_PLAN, "decommissioning: streaming", streaming(1, 40), streaming(0, 48),
                     cluster("n1", "LEAVING", "ALIVE", mute)))) {
                // the leave's plan ran, and its last report had every session done
                assertEquals(0, decommission(leaver.port()), out() + err());
            }
            assertTrue(out().contains("as far as this command can tell"), out());

            out.reset();
            try (FakeNode leaver = FakeNode.thenGone(List.of(cluster("n1", "NORMAL", "ALIVE", mute),
                     streaming(0, 48), "decommissioning: streaming",
                     "# Streaming\r\nstream_running:0\r\nstream_sessions:20\r\nstream_sessions_done:20\r\n",
                     cluster("n1", "LEAVING", "ALIVE", mute)))) {
                // a leave of 20 sessions that started and ended between two looks, after a join of 48
                assertEquals(0, decommission(leaver.port()), out() + err());
            }
            assertTrue(out().contains("as far as this command can tell: 20 sessions"), out());
        }
    }

    @Test
    void aMemberStillLoadingItsViewSaysNothingAboutTheNode() throws Exception {
        // a member that just restarted may not list every member yet: it used to count as "no longer lists it"
        String loading = "# Cluster\r\ncluster_self:n2\r\nloading:1\r\n";
        try (FakeNode other = new FakeNode(100, Map.of("cluster", loading));
             FakeNode leaver = FakeNode.thenGone(List.of(cluster("n1", "NORMAL", "ALIVE", other.port()),
                 NO_PLAN, "decommissioning: streaming", streaming(1, 3)))) {
            assertEquals(1, decommission(leaver.port()), out() + err());
        }
        assertTrue(err().contains("n2 did not say"), err());
    }

    @Test
    void theOtherMembersAreAskedAtOnce() throws Exception {
        // asked one after another, each member down held a poll for the client's timeout (5 s): here each member
        // answers only once all three were asked, within 4 s, and says nothing otherwise
        java.util.concurrent.CountDownLatch allAsked = new java.util.concurrent.CountDownLatch(3);
        java.util.function.Function<String, String> leaving = question -> {
            allAsked.countDown();
            try {
                return allAsked.await(4, java.util.concurrent.TimeUnit.SECONDS)
                    ? cluster("n2", "LEAVING", "ALIVE", 0) : "not asked at once";
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        };
        try (FakeNode n2 = FakeNode.answering(leaving); FakeNode n3 = FakeNode.answering(leaving);
             FakeNode n4 = FakeNode.answering(leaving)) {
            String members = "# Cluster\r\ncluster_self:n1\r\n"
                + "node0:id=n1,state=LEAVING,client=127.0.0.1:1,liveness=ALIVE\r\n"
                + "node1:id=n2,state=NORMAL,client=127.0.0.1:" + n2.port() + ",liveness=ALIVE\r\n"
                + "node2:id=n3,state=NORMAL,client=127.0.0.1:" + n3.port() + ",liveness=ALIVE\r\n"
                + "node3:id=n4,state=NORMAL,client=127.0.0.1:" + n4.port() + ",liveness=ALIVE\r\n";
            DecommissionCommand.Verdict verdict = DecommissionCommand.askOthers("n1", ClusterInfo.parse(members));
            assertEquals("n2 sees it LEAVING, ALIVE; n3 sees it LEAVING, ALIVE; n4 sees it LEAVING, ALIVE",
                verdict.text());
            assertTrue(verdict.alive() && verdict.seen() && !verdict.left(), verdict.toString());
        }
    }

    @Test
    void aNodeNormalAgainAfterItsStreamingStoppedDidNotLeave() throws Exception {
        try (FakeNode leaver = FakeNode.thenGone(List.of(cluster("n1", "NORMAL", "ALIVE", 1),
                 NO_PLAN, "decommissioning: streaming", streaming(1, 3), streaming(0, 3),
                 cluster("n1", "NORMAL", "ALIVE", 1)))) {
            assertEquals(1, decommission(leaver.port()), out() + err());
        }
        assertTrue(err().contains("node n1 is NORMAL again"), err());
        assertFalse(out().contains("decommissioned"), out());
    }

    private static String cleanupInfo(int completed, int failed, int moved, int dropped) {
        return "# Cleanup\r\ncleanup_running:0\r\ncleanups_completed:" + completed + "\r\ncleanups_failed:" + failed
            + "\r\ncleanups_ring_moved:" + moved + "\r\ncleanup_records_dropped:" + dropped
            + "\r\ncleanup_last_millis:1500\r\n";
    }

    @Test
    void aCleanupThatFailedOrThatTheRingMovedUnderIsNotReportedDone() throws Exception {
        String reached = cluster("n1", "NORMAL", "ALIVE", 1);
        try (FakeNode node = new FakeNode(List.of(reached, cleanupInfo(2, 0, 0, 10), "cleanup started",
                 cleanupInfo(3, 1, 0, 15)))) {
            assertEquals(1, cleanup(node.port()), out() + err());
            node.awaitAnswered();
        }
        assertTrue(err().contains("the cleanup failed after 1.5 s, having dropped 5 records"), err());
        assertFalse(out().contains("cleanup done"), out());

        try (FakeNode node = new FakeNode(List.of(reached, cleanupInfo(3, 1, 0, 15), "cleanup started",
                 cleanupInfo(4, 1, 1, 20)))) {
            assertEquals(1, cleanup(node.port()), out() + err());
            node.awaitAnswered();
        }
        assertTrue(err().contains("the ring changed while the cleanup ran (1.5 s, 5 records dropped)"), err());
        assertFalse(out().contains("cleanup done"), out());

        try (FakeNode node = new FakeNode(List.of(reached, cleanupInfo(4, 1, 1, 20), "cleanup started",
                 cleanupInfo(4, 1, 1, 20), cleanupInfo(5, 1, 1, 27)))) {
            assertEquals(0, cleanup(node.port()), out() + err());
            node.awaitAnswered();
        }
        assertTrue(out().contains("cleanup done in 1.5 s: 7 records dropped"), out());
    }

    /** {@code INFO cleanup} of a node whose last cleanup was number {@code last}. */
    private static String numberedCleanupInfo(int completed, int last, int lastFailed, int lastDropped) {
        return cleanupInfo(completed, 1, 0, 100) + "cleanup_last_records_dropped:" + lastDropped
            + "\r\ncleanup_last_failed:" + lastFailed + "\r\ncleanup_last_ring_moved:0\r\ncleanup_last_number:"
            + last + "\r\n";
    }

    @Test
    void aCleanupAnotherCallerRanIsNotTakenForTheOneThisCommandStarted() throws Exception {
        // another caller's cleanup (the autoscaler's) ran when this command first looked and ended before its own
        // started: the command took that one's ending (here, failed) for its own
        String reached = cluster("n1", "NORMAL", "ALIVE", 1);
        try (FakeNode node = new FakeNode(List.of(reached, numberedCleanupInfo(2, 2, 0, 5),
                 "cleanup 4 started: dropping", numberedCleanupInfo(3, 3, 1, 0),
                 // read while cleanup 4 set its figures: the number is 0 then, and the figures may be half set
                 numberedCleanupInfo(4, 0, 1, 99), numberedCleanupInfo(4, 4, 0, 7)))) {
            assertEquals(0, cleanup(node.port()), out() + err());
        }
        assertTrue(out().contains("cleanup done in 1.5 s: 7 records dropped"), out() + err());

        // a third ended before this command looked again: its figures are not this one's
        try (FakeNode node = new FakeNode(List.of(reached, numberedCleanupInfo(4, 4, 0, 7),
                 "cleanup 5 started: dropping", numberedCleanupInfo(6, 6, 0, 3)))) {
            assertEquals(1, cleanup(node.port()), out() + err());
        }
        assertTrue(err().contains("cleanup 5 ended, and cleanup 6 (another caller's) after it"), err());
    }

    @Test
    void theNumberOfTheCleanupStartedIsReadFromTheReply() {
        assertEquals(12, CleanupCommand.numberOf("cleanup 12 started: dropping the records"));
        assertEquals(3, CleanupCommand.numberOf("cleanup 3 starts in 2 s, once writes"));
        assertEquals(-1, CleanupCommand.numberOf("cleanup started: dropping the records"));
    }
}
