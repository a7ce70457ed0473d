package io.ringkv.benchmarks.faults;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.benchmarks.faults.Op.Outcome;
import io.ringkv.benchmarks.faults.Op.Type;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The report's hinted-handoff parts: the drain, each node's hint counters and replica, the summary line. */
class ReportTest {
    private final HarnessOptions options = HarnessOptions.parse(new String[] {"--short", "--seed", "1"});
    private final Op write = new Op(7, 1, 1, Type.WRITE, "u:7", "v7", List.of(), "QUORUM", 160, 170, Outcome.OK,
        null);
    private final Checker.HandoffResult handoff = new Checker.HandoffResult(
        List.of(new Anomaly(Anomaly.Kind.HINT_NOT_DELIVERED, "u:7", "node2 lacks v7", List.of(write))),
        new TreeMap<>(Map.of(1, new Checker.Handoff(0, 0, 1, 0, 0), 2, new Checker.Handoff(1, 1, 1, 1, 0))));
    private final Checker.Result result = new Checker.Result(handoff.anomalies(), 0,
        Map.of(1, new Checker.Divergence(0, 0, 0), 2, new Checker.Divergence(1, 0, 0)), 1);

    @Test
    void aDrainedRunShowsTheTimeEachNodesCountersAndItsReplica() {
        LocalCluster.HintDrain drain = new LocalCluster.HintDrain(true, 12_300, 0, new TreeMap<>(
            Map.of(1, Map.of("hints_pending", "0", "hints_delivered", "42"), 2, Map.of("hints_pending", "0"))));
        String report = Report.render(options, List.of(), List.of(), List.of(write), result, null, 0, 1_000, drain,
            handoff);
        assertTrue(report.contains("`hints_pending:0` 12.3 s after the settle (13.3 s after the heal)"), report);
        assertTrue(report.contains("| node1 | 0 | ? | 42 |"), report);
        assertTrue(report.contains("| node2 | 1 | 1 | 1 of 1 | 0 | 1 | 0 | 0 |"), report);
        assertTrue(report.contains("write acknowledged while a replica was down never reached it: 1"), report);
        String summary = Report.summary(options, List.of(), List.of(write), result, drain, handoff);
        assertTrue(summary.contains("hints_drained=12.3s absent_missing=0/0,1/1 unique_missing=0/1"), summary);
    }

    @Test
    void anUndrainedRunSaysSo() {
        LocalCluster.HintDrain drain = new LocalCluster.HintDrain(false, 120_000, 0, Map.of(1, Map.of()));
        String report = Report.render(options, List.of(), List.of(), List.of(write), result, null, 0, 1_000, drain,
            handoff);
        assertTrue(report.contains("NOT drained"), report);
        assertTrue(Report.summary(options, List.of(), List.of(write), result, drain, handoff)
            .contains("hints_drained=NO"));
    }
}
