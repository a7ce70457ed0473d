package io.ringkv.benchmarks.faults;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The report's repair section: one row per node, the problem of a failed pass in its own words, then the cleanups and
 * the tombstones they purged.
 */
class RepairSectionTest {
    @Test
    void eachNodesPassIsARowAndAFailureSaysWhy() {
        String section = FaultHarness.repairSection(List.of(
            new LocalCluster.RepairPass(1, null, 64, 0, 0, 12, 2_500),
            new LocalCluster.RepairPass(2, "2 sessions failed | and 0 were skipped", 64, 2, 0, 3, 31_000)),
            java.util.Map.of(1, "ok"), "node1: 7 purged, 0 held for repair; ");
        assertTrue(section.contains("| node1 | 64 | 0 | 0 | 12 | 2.5 s | ok |"), section);
        assertTrue(section.contains("| node2 | 64 | 2 | 0 | 3 | 31.0 s | 2 sessions failed / and 0 were skipped |"),
            section);
        assertTrue(section.contains("before the reads: {1=ok}. Tombstones then: node1: 7 purged"), section);
    }
}
