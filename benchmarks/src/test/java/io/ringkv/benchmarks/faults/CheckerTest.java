package io.ringkv.benchmarks.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.benchmarks.faults.Op.Outcome;
import io.ringkv.benchmarks.faults.Op.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The checker on hand-made histories: each anomaly it must find, and the histories it must pass. */
class CheckerTest {
    private final Checker checker = new Checker(3);
    private final List<Op> ops = new ArrayList<>();
    private long clock;

    /** Records an operation that runs from now for one tick, then advances the clock past it. */
    private Op op(Type type, String key, long id, List<String> observed, String level, Outcome outcome) {
        String value = type == Type.WRITE || type == Type.SETV ? Op.valueOf(id) : null;
        Op op = new Op(id, 1, 1, type, key, value, observed, level, clock, clock + 1, outcome,
            outcome == Outcome.OK ? null : "TIMEOUT");
        clock += 2;
        ops.add(op);
        return op;
    }

    private Op write(String key, long id) {
        return op(Type.WRITE, key, id, List.of(), "QUORUM", Outcome.OK);
    }

    private Op setv(String key, long id, List<String> context) {
        return op(Type.SETV, key, id, context, "QUORUM", Outcome.OK);
    }

    private List<Anomaly.Kind> kinds(Map<String, List<String>> finalValues) {
        Checker.Result result = checker.check(ops, new FinalState(finalValues, "ALL", Map.of()));
        return result.anomalies().stream().map(Anomaly::kind).toList();
    }

    @Test
    void anAcknowledgedWriteMissingAfterTheHealIsLost() {
        write("u:1", 1);
        write("u:2", 2);
        assertEquals(List.of(Anomaly.Kind.LOST_WRITE), kinds(Map.of("u:1", List.of("v1"), "u:2", List.of())));
    }

    @Test
    void anIndeterminateWriteMayBeMissing() {
        op(Type.WRITE, "u:1", 1, List.of(), "QUORUM", Outcome.INDETERMINATE);
        assertEquals(List.of(), kinds(Map.of("u:1", List.of())));
    }

    @Test
    void aSetvSupersededByAWriteThatSawItIsNotLost() {
        setv("r:1", 1, List.of());
        setv("r:1", 2, List.of("v1"));
        setv("r:1", 3, List.of("v2"));
        assertEquals(List.of(), kinds(Map.of("r:1", List.of("v3"))));
    }

    @Test
    void aSetvDroppedWithoutAWriterThatSawItIsLost() {
        setv("r:1", 1, List.of());
        setv("r:1", 2, List.of());     // concurrent with v1: did not see it
        assertEquals(List.of(Anomaly.Kind.LOST_WRITE), kinds(Map.of("r:1", List.of("v2"))));
    }

    @Test
    void aSetvSupersededOnlyByAWriteThatWasItselfLostIsLost() {
        setv("r:1", 1, List.of());
        op(Type.SETV, "r:1", 2, List.of("v1"), "QUORUM", Outcome.INDETERMINATE);   // saw v1, never took effect
        setv("r:1", 3, List.of());
        assertEquals(List.of(Anomaly.Kind.LOST_WRITE), kinds(Map.of("r:1", List.of("v3"))));
    }

    @Test
    void concurrentSetvsMayBothStayAsSiblings() {
        setv("r:1", 1, List.of());
        setv("r:1", 2, List.of());
        assertEquals(List.of(), kinds(Map.of("r:1", List.of("v1", "v2"))));
    }

    @Test
    void aSiblingWhoseSuccessorSawItIsSuperseded() {
        setv("r:1", 1, List.of());
        setv("r:1", 2, List.of("v1"));
        assertEquals(List.of(Anomaly.Kind.SUPERSEDED_SIBLING), kinds(Map.of("r:1", List.of("v1", "v2"))));
    }

    @Test
    void aDeletedValueThatReadsBackIsResurrected() {
        write("d:1", 1);
        op(Type.DELETE, "d:1", 2, List.of(), "QUORUM", Outcome.OK);
        assertEquals(List.of(Anomaly.Kind.RESURRECTED_DELETE), kinds(Map.of("d:1", List.of("v1"))));
        assertEquals(List.of(), kinds(Map.of("d:1", List.of())));
    }

    @Test
    void aWriteDeletedAtOneIsNotLostWhenTheKeyReadsDeletedInTheEnd() {
        // a delete at ONE is never taken to have seen a write at ONE (R + W <= N): every SET later deleted at ONE
        // was reported lost
        op(Type.WRITE, "d:1", 1, List.of(), "ONE", Outcome.OK);
        op(Type.DELETE, "d:1", 2, List.of(), "ONE", Outcome.OK);
        assertEquals(List.of(), kinds(Map.of("d:1", List.of())));
        op(Type.WRITE, "d:2", 3, List.of(), "ONE", Outcome.OK);
        assertEquals(List.of(Anomaly.Kind.LOST_WRITE), kinds(Map.of("d:1", List.of(), "d:2", List.of())),
            "a write no delete followed is still lost");
    }

    @Test
    void aQuorumReadOfNothingAfterAnAcknowledgedWriteIsStale() {
        write("u:1", 1);
        op(Type.READ, "u:1", 2, List.of(), "QUORUM", Outcome.OK);
        assertEquals(List.of(Anomaly.Kind.STALE_READ), kinds(Map.of("u:1", List.of("v1"))));
    }

    @Test
    void aReadAtOneOfNothingIsCountedNotAnAnomaly() {
        write("u:1", 1);
        op(Type.READ, "u:1", 2, List.of(), "ONE", Outcome.OK);
        Checker.Result result = checker.check(ops, new FinalState(Map.of("u:1", List.of("v1")), "ALL", Map.of()));
        assertTrue(result.anomalies().isEmpty());
        assertEquals(1, result.weakStaleReads());
    }

    @Test
    void aKeyThatCannotBeReadAfterTheHealIsReported() {
        write("u:1", 1);
        Map<String, List<String>> unreadable = new java.util.HashMap<>();
        unreadable.put("u:1", null);
        assertEquals(List.of(Anomaly.Kind.UNREADABLE), kinds(unreadable));
    }

    @Test
    void divergenceCountsKeysEachNodeLacksOrStillHolds() {
        write("u:1", 1);
        write("d:2", 2);
        op(Type.DELETE, "d:2", 3, List.of(), "QUORUM", Outcome.OK);
        Map<String, List<String>> node1 = Map.of("u:1", List.of("v1"), "d:2", List.of());
        Map<String, List<String>> node2 = Map.of("u:1", List.of(), "d:2", List.of("v2"));
        FinalState state = new FinalState(Map.of("u:1", List.of("v1"), "d:2", List.of()), "ALL",
            Map.of(1, node1, 2, node2));
        Checker.Result result = checker.check(ops, state);
        assertEquals(new Checker.Divergence(0, 0, 0), result.divergence().get(1));
        assertEquals(new Checker.Divergence(1, 1, 0), result.divergence().get(2));
        assertTrue(result.anomalies().isEmpty());
    }
}
