package io.ringkv.benchmarks.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.benchmarks.faults.Op.Outcome;
import io.ringkv.benchmarks.faults.Op.Type;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The handoff check on hand-made histories: node 2 absent from t = 100 to t = 200, judged DOWN 50 into it, so
 * writes that start at 150 or later and are acknowledged before 200 must reach node 2's own replica.
 */
class HandoffCheckTest {
    private static final long JUDGED_DOWN = 50;
    private static final List<Absence> NODE2_ABSENT = List.of(new Absence(2, 100, 200, "long-pause node2"));

    private final Checker checker = new Checker(3);
    private final List<Op> ops = new ArrayList<>();
    private final Map<String, List<String>> node1 = new HashMap<>();
    private final Map<String, List<String>> node2 = new HashMap<>();

    private Op op(Type type, String key, long id, long start, long end, Outcome outcome) {
        String value = type == Type.WRITE || type == Type.SETV ? Op.valueOf(id) : null;
        Op op = new Op(id, 1, 1, type, key, value, List.of(), "QUORUM", start, end, outcome, null);
        ops.add(op);
        return op;
    }

    private Op write(String key, long id, long start, long end) {
        return op(Type.WRITE, key, id, start, end, Outcome.OK);
    }

    private Checker.HandoffResult check() {
        return checker.checkHandoff(ops, Map.of(1, node1, 2, node2), NODE2_ABSENT, JUDGED_DOWN);
    }

    @Test
    void aWriteAcknowledgedWhileTheReplicaWasDownAndMissingFromItIsAHintNotDelivered() {
        Op write = write("u:1", 1, 160, 170);
        node1.put("u:1", List.of("v1"));
        node2.put("u:1", List.of());
        Checker.HandoffResult result = check();
        assertEquals(1, result.anomalies().size());
        Anomaly anomaly = result.anomalies().getFirst();
        assertEquals(Anomaly.Kind.HINT_NOT_DELIVERED, anomaly.kind());
        assertEquals(List.of(write), anomaly.evidence());
        assertTrue(anomaly.explanation().contains("node2"), anomaly.explanation());
        assertEquals(new Checker.Handoff(1, 1, 1, 1, 0), result.perNode().get(2));
        assertEquals(new Checker.Handoff(0, 0, 1, 0, 0), result.perNode().get(1));
    }

    @Test
    void aWriteAcknowledgedWhileTheReplicaWasDownAndPresentOnItIsFine() {
        write("u:1", 1, 160, 170);
        node1.put("u:1", List.of("v1"));
        node2.put("u:1", List.of("v1"));
        Checker.HandoffResult result = check();
        assertEquals(List.of(), result.anomalies());
        assertEquals(new Checker.Handoff(1, 0, 1, 0, 0), result.perNode().get(2));
    }

    @Test
    void writesOutsideTheAbsenceMayBeMissingAndAreCounted() {
        write("u:1", 1, 10, 20);       // before the fault
        write("u:2", 2, 120, 130);     // in the fault, before the node could be judged DOWN
        write("u:3", 3, 190, 210);     // acknowledged after the fault ended
        write("u:4", 4, 260, 270);     // after the fault
        for (String key : List.of("u:1", "u:2", "u:3", "u:4")) {
            node1.put(key, List.of("v" + key.substring(2)));
            node2.put(key, List.of());
        }
        Checker.HandoffResult result = check();
        assertEquals(List.of(), result.anomalies());
        assertEquals(new Checker.Handoff(0, 0, 4, 4, 0), result.perNode().get(2));
    }

    @Test
    void anAbsenceOfAnotherNodeDoesNotMakeThisNodesMissAnAnomaly() {
        write("u:1", 1, 160, 170);
        node1.put("u:1", List.of());
        node2.put("u:1", List.of("v1"));
        Checker.HandoffResult result = check();
        assertEquals(List.of(), result.anomalies());
        assertEquals(new Checker.Handoff(0, 0, 1, 1, 0), result.perNode().get(1));
    }

    @Test
    void aFailedReadOfTheReplicaIsCountedAsUnreadNotMissing() {
        write("u:1", 1, 160, 170);
        node1.put("u:1", List.of("v1"));
        node2.put("u:1", null);
        Checker.HandoffResult result = check();
        assertEquals(List.of(), result.anomalies());
        assertEquals(new Checker.Handoff(1, 0, 1, 0, 1), result.perNode().get(2));
    }

    @Test
    void onlyAcknowledgedWritesOfKeysWrittenOnceAreChecked() {
        op(Type.WRITE, "u:1", 1, 160, 170, Outcome.INDETERMINATE);
        op(Type.WRITE, "u:2", 2, 160, 170, Outcome.FAIL);
        write("d:3", 3, 160, 170);
        op(Type.DELETE, "d:3", 4, 175, 180, Outcome.OK);
        op(Type.SETV, "r:1", 5, 160, 170, Outcome.OK);
        op(Type.SETV, "r:1", 6, 175, 180, Outcome.OK);
        op(Type.READ, "u:7", 7, 160, 170, Outcome.OK);
        for (String key : List.of("u:1", "u:2", "d:3", "r:1", "u:7")) {
            node2.put(key, List.of());
        }
        Checker.HandoffResult result = check();
        assertEquals(List.of(), result.anomalies());
        assertEquals(new Checker.Handoff(0, 0, 0, 0, 0), result.perNode().get(2));
    }

    @Test
    void onlyFaultsThatSilenceANodeToEveryPeerAreAbsences() {
        assertTrue(Absence.silences(FaultKind.KILL));
        assertTrue(Absence.silences(FaultKind.LONG_PAUSE));
        assertTrue(Absence.silences(FaultKind.PARTITION));
        assertFalse(Absence.silences(FaultKind.ONE_WAY_PARTITION));
        assertFalse(Absence.silences(FaultKind.LOSS));
        assertFalse(Absence.silences(FaultKind.DISK_FULL));
        assertFalse(Absence.silences(FaultKind.CLOCK_SKEW));
    }
}
