package io.ringkv.benchmarks.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The seeded fault schedule: replayable, one fault at a time, within bounds; joins and leaves keep the cluster at N
 * or N + 1 members, a removal comes only with N + 1, and every fault targets members of its moment.
 */
class FaultScheduleTest {
    private static final Set<FaultKind> ALL = EnumSet.allOf(FaultKind.class);

    @Test
    void theSameSeedGivesTheSameScheduleAndAnotherSeedAnother() {
        assertEquals(FaultSchedule.generate(7, ALL, 3, 600_000, false),
            FaultSchedule.generate(7, ALL, 3, 600_000, false));
        assertNotEquals(FaultSchedule.generate(7, ALL, 3, 600_000, false),
            FaultSchedule.generate(8, ALL, 3, 600_000, false));
    }

    @Test
    void theCiScheduleHasEveryKindOnceOneAtATime() {
        List<Fault> faults = FaultSchedule.generate(1, ALL, 3, 0, true);
        assertEquals(ALL, EnumSet.copyOf(faults.stream().map(Fault::kind).toList()));
        assertEquals(ALL.size(), faults.size());
        assertOneAtATimeWithinBounds(faults, 3);
        assertTrue(indexOf(faults, FaultKind.JOIN) < indexOf(faults, FaultKind.LEAVE), faults.toString());
    }

    @Test
    void theCiScheduleRemovesAMemberBetweenTheJoinAndTheLeave() {
        for (long seed = 1; seed <= 20; seed++) {
            List<Fault> faults = FaultSchedule.generate(seed, ALL, 3, 0, true);
            assertEquals(ALL.size(), faults.size(), "seed " + seed + ": " + faults);
            int remove = indexOf(faults, FaultKind.REMOVE);
            assertTrue(indexOf(faults, FaultKind.JOIN) < remove && remove < indexOf(faults, FaultKind.LEAVE),
                "seed " + seed + ": " + faults);
            long wait = faults.get(remove).amount();
            assertTrue(wait >= 1 && wait <= 4, faults.get(remove).describe());
            assertOneAtATimeWithinBounds(faults, 3);
        }
    }

    @Test
    void aRemovalWithoutAJoinGetsAJoinFirstAndALeaveAtTheEnd() {
        List<Fault> faults = FaultSchedule.generate(1, EnumSet.of(FaultKind.REMOVE, FaultKind.KILL), 3, 0, true);
        assertEquals(List.of(FaultKind.JOIN, FaultKind.REMOVE, FaultKind.LEAVE), faults.stream().map(Fault::kind)
            .filter(FaultKind::changesMembership).toList(), faults.toString());
        assertOneAtATimeWithinBounds(faults, 3);
        for (long seed = 1; seed <= 10; seed++) {
            List<Fault> timed = FaultSchedule.generate(seed, EnumSet.of(FaultKind.REMOVE, FaultKind.LEAVE,
                FaultKind.JOIN, FaultKind.PAUSE), 3, 900_000, false);
            assertTrue(timed.stream().filter(f -> f.kind() == FaultKind.REMOVE).count() > 2, timed.toString());
            assertOneAtATimeWithinBounds(timed, 3);
        }
    }

    @Test
    void theCiScheduleJoinsAFreshNodeKilledMidStreamBeforeAMemberLeaves() {
        for (long seed = 1; seed <= 20; seed++) {
            List<Fault> faults = FaultSchedule.generate(seed, ALL, 3, 0, true);
            Fault join = faults.get(indexOf(faults, FaultKind.JOIN));
            assertEquals(List.of(4), join.nodes(), join.describe());
            assertEquals(1, join.amount(), "the CI schedule kills the joiner mid-stream: " + join.describe());
            assertTrue(indexOf(faults, FaultKind.JOIN) < indexOf(faults, FaultKind.LEAVE), "seed " + seed);
            assertOneAtATimeWithinBounds(faults, 3);
        }
    }

    @Test
    void aLeaveWithoutAJoinGetsAJoinFirstAndAJoinWithoutALeaveGetsOneAfter() {
        List<Fault> leave = FaultSchedule.generate(1, EnumSet.of(FaultKind.LEAVE, FaultKind.KILL), 3, 0, true);
        assertEquals(List.of(FaultKind.JOIN, FaultKind.LEAVE), leave.stream().map(Fault::kind)
            .filter(FaultKind::changesMembership).toList(), leave.toString());
        assertOneAtATimeWithinBounds(leave, 3);

        List<Fault> join = FaultSchedule.generate(1, EnumSet.of(FaultKind.JOIN), 3, 0, true);
        assertEquals(List.of(FaultKind.JOIN, FaultKind.LEAVE), join.stream().map(Fault::kind).toList());
        assertOneAtATimeWithinBounds(join, 3);
    }

    @Test
    void aTimedScheduleWithJoinsAndLeavesKeepsNOrNPlusOneMembersAndEndsWithN() {
        for (long seed = 1; seed <= 10; seed++) {
            List<Fault> faults = FaultSchedule.generate(seed, EnumSet.of(FaultKind.JOIN, FaultKind.LEAVE,
                FaultKind.KILL, FaultKind.ONE_WAY_PARTITION), 3, 900_000, false);
            assertTrue(faults.stream().filter(f -> f.kind() == FaultKind.JOIN).count() > 3, faults.toString());
            assertOneAtATimeWithinBounds(faults, 3);
        }
    }

    @Test
    void aTimedScheduleEndsBeforeItsDurationButForALeaveThatUndoesAJoin() {
        List<Fault> faults = FaultSchedule.generate(3, ALL, 5, 900_000, false);
        assertTrue(faults.size() > 20);
        List<Fault> timed = faults.getLast().kind() == FaultKind.LEAVE && faults.getLast().endMillis() > 900_000
            ? faults.subList(0, faults.size() - 1) : faults;
        assertTrue(timed.getLast().endMillis() <= 900_000);
        assertOneAtATimeWithinBounds(faults, 5);
    }

    @Test
    void aTimedScheduleFillsItsDurationWhenALongKindNoLongerFits() {
        for (long seed = 1; seed <= 20; seed++) {
            List<Fault> faults = FaultSchedule.generate(seed, ALL, 3, 120_000, false);
            List<Fault> timed = faults.getLast().kind() == FaultKind.LEAVE && faults.getLast().endMillis() > 120_000
                ? faults.subList(0, faults.size() - 1) : faults;
            // a pause (at most 3 s) fits after any fault that ends more than 3 s plus a gap before the end
            assertTrue(timed.getLast().endMillis() > 120_000 - 3_000 - 5_000, "seed " + seed + ": " + faults);
            assertOneAtATimeWithinBounds(faults, 3);
        }
    }

    @Test
    void faultsThatCannotBeMadeHereAreRefusedWithTheReason() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> FaultKind.parse("delay")).getMessage()
            .contains("netem"));
        assertThrows(IllegalArgumentException.class, () -> FaultKind.parse("kill,bogus"));
        assertEquals(EnumSet.of(FaultKind.KILL, FaultKind.LOSS), FaultKind.parse("kill, loss"));
        assertEquals(EnumSet.of(FaultKind.JOIN, FaultKind.LEAVE), FaultKind.parse("join,leave"));
        assertTrue(FaultKind.parse("all").containsAll(EnumSet.of(FaultKind.JOIN, FaultKind.LEAVE)));
    }

    @Test
    void joinsAndLeavesSayWhichNodeAndWhetherTheJoinerIsKilled() {
        assertEquals("join node4 (killed mid-stream, restarted) in a slot of 25.0 s",
            new Fault(FaultKind.JOIN, List.of(4), 0, 25_000, 1).describe());
        assertEquals("leave node2 in a slot of 15.0 s", new Fault(FaultKind.LEAVE, List.of(2), 0, 15_000, 0).describe());
        assertEquals("remove node3 (started again on its data 5 s after the removal) in a slot of 55.0 s",
            new Fault(FaultKind.REMOVE, List.of(3), 0, 55_000, 5).describe());
        assertFalse(Absence.silences(FaultKind.JOIN));
        assertFalse(Absence.silences(FaultKind.LEAVE));
        assertFalse(Absence.silences(FaultKind.REMOVE), "a removed node owes nothing of its absence: it drops it all");
    }

    /**
     * Checks one fault at a time within its bounds, and membership: each fault targets members of its moment, a
     * join a fresh node (the next number), a leave a member; N or N + 1 members throughout, N at the end.
     */
    private static void assertOneAtATimeWithinBounds(List<Fault> faults, int nodes) {
        List<Integer> members = new ArrayList<>();
        for (int n = 1; n <= nodes; n++) {
            members.add(n);
        }
        int next = nodes + 1;
        for (int i = 0; i < faults.size(); i++) {
            Fault fault = faults.get(i);
            assertTrue(fault.durationMillis() >= fault.kind().minMillis()
                && fault.durationMillis() <= fault.kind().maxMillis(), fault.describe());
            assertEquals(fault.nodes().size(), fault.nodes().stream().distinct().count(), fault.describe());
            if (fault.kind() == FaultKind.JOIN) {
                assertEquals(List.of(next), fault.nodes(), fault.describe());
                members.add(next++);
            } else {
                assertTrue(members.containsAll(fault.nodes()), fault.describe() + " targets a node that is not a"
                    + " member: " + members);
            }
            if (fault.kind() == FaultKind.LEAVE) {
                members.remove(fault.nodes().getFirst());
            }
            if (fault.kind() == FaultKind.REMOVE) {
                assertEquals(nodes + 1, members.size(), fault.describe() + " with fewer than N + 1 members");
            }
            assertTrue(members.size() == nodes || members.size() == nodes + 1, fault.describe() + ": " + members);
            if (i > 0) {
                assertTrue(faults.get(i - 1).endMillis() < fault.startMillis(), fault.describe());
            }
        }
        assertEquals(nodes, members.size(), "members at the end: " + members);
    }

    private static int indexOf(List<Fault> faults, FaultKind kind) {
        for (int i = 0; i < faults.size(); i++) {
            if (faults.get(i).kind() == kind) {
                return i;
            }
        }
        return -1;
    }
}
