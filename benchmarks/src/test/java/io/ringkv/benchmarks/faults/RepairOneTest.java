package io.ringkv.benchmarks.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The harness's final repair of one node, against a node modelled by its {@code REPAIR} answers and its
 * {@code INFO repair} fields.
 */
class RepairOneTest {
    /** A node's repair state: a pass is running for {@code runningPolls} more polls, then ours may start. */
    private static class FakeNode {
        int infoCalls;
        int runningPolls;
        long completed;
        boolean ours;
        int oursPolls;
        int asks;

        Map<String, String> info(String section) {
            assertEquals("repair", section);
            infoCalls++;
            if (runningPolls > 0 && --runningPolls == 0) {
                completed++;
            }
            if (ours && ++oursPolls == 3) {
                ours = false;
                completed++;
            }
            boolean running = runningPolls > 0 || ours;
            return Map.of("repair_pass_running", running ? "1" : "0",
                "repair_passes_completed", Long.toString(completed),
                "repair_pass_sessions", ours || runningPolls > 0 ? "94" : "64",
                "repair_pass_sessions_failed", "0", "repair_pass_sessions_skipped", "0",
                "repair_pass_keys", ours || runningPolls > 0 ? "0" : "12");
        }

        String ask() {
            asks++;
            if (runningPolls > 0 || ours) {
                return "a repair pass is running on this node already (26 of 94 sessions done)";
            }
            ours = true;
            oursPolls = 0;
            return null;
        }
    }

    @Test
    void aPassRunningAlreadyIsLetEndAndOursRunsAfterIt() throws InterruptedException {
        FakeNode node = new FakeNode();
        node.runningPolls = 5;
        LocalCluster.RepairPass pass = LocalCluster.repairOne(4, node::info, node::ask, 60_000, 1);
        assertNull(pass.problem(), pass.toString());
        assertEquals(2, node.completed, "the running pass and ours");
        assertEquals(2, node.asks, "asked once, refused, asked again when the running pass ended");
        assertEquals(64, pass.sessions());
        assertEquals(12, pass.keys(), "the figures of our pass, not of the one that was running");
    }

    @Test
    void aNodeFreeToRepairIsAskedOnce() throws InterruptedException {
        FakeNode node = new FakeNode();
        LocalCluster.RepairPass pass = LocalCluster.repairOne(2, node::info, node::ask, 60_000, 1);
        assertNull(pass.problem(), pass.toString());
        assertEquals(1, node.asks);
        assertEquals(1, node.completed);
    }

    @Test
    void aRunningPassThatOutlastsTheTimeoutIsAProblem() throws InterruptedException {
        FakeNode node = new FakeNode();
        node.runningPolls = Integer.MAX_VALUE;
        LocalCluster.RepairPass pass = LocalCluster.repairOne(3, node::info, node::ask, 50, 1);
        assertNotNull(pass.problem());
        assertTrue(pass.problem().contains("running on this node already"), pass.problem());
    }

    @Test
    void anyOtherRefusalIsTheProblemAtOnce() throws InterruptedException {
        LocalCluster.RepairPass pass = LocalCluster.repairOne(3,
            section -> Map.of("repair_pass_running", "0", "repair_passes_completed", "0"),
            () -> "no other node replicates this node's ranges: nothing to repair against", 60_000, 1);
        assertEquals("no other node replicates this node's ranges: nothing to repair against", pass.problem());
    }

    @Test
    void aNodeWhoseInfoDoesNotAnswerIsNotAskedAndIsAProblem() throws InterruptedException {
        FakeNode node = new FakeNode();
        LocalCluster.RepairPass pass = LocalCluster.repairOne(3, section -> Map.of(), node::ask, 50, 1);
        assertEquals("INFO repair did not answer", pass.problem());
        assertEquals(0, node.asks, "without a count of passes before, the end of ours could not be told");
    }

    @Test
    void aPassChainedAfterOursIsWaitedFor() throws InterruptedException {
        // ours ends (completed goes up) but the node starts another at once: done only when none runs
        FakeNode node = new FakeNode() {
            private int chained = 4;

            @Override
            Map<String, String> info(String section) {
                Map<String, String> fields = new java.util.HashMap<>(super.info(section));
                if (completed > 0 && chained-- > 0) {
                    fields.put("repair_pass_running", "1");
                }
                return fields;
            }
        };
        LocalCluster.RepairPass pass = LocalCluster.repairOne(2, node::info, node::ask, 60_000, 1);
        assertNull(pass.problem(), pass.toString());
        assertTrue(node.infoCalls >= 7, "three polls of ours, four of the chained pass: " + node.infoCalls);
    }
}
