package io.ringkv.benchmarks.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The seeded fault schedule: replayable, one fault at a time, within bounds. */
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
    }

    @Test
    void aTimedScheduleEndsBeforeItsDuration() {
        List<Fault> faults = FaultSchedule.generate(3, ALL, 5, 900_000, false);
        assertTrue(faults.size() > 20);
        assertTrue(faults.getLast().endMillis() <= 900_000);
        assertOneAtATimeWithinBounds(faults, 5);
    }

    @Test
    void faultsThatCannotBeMadeHereAreRefusedWithTheReason() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> FaultKind.parse("delay")).getMessage()
            .contains("netem"));
        assertThrows(IllegalArgumentException.class, () -> FaultKind.parse("kill,bogus"));
        assertEquals(EnumSet.of(FaultKind.KILL, FaultKind.LOSS), FaultKind.parse("kill, loss"));
    }

    private static void assertOneAtATimeWithinBounds(List<Fault> faults, int nodes) {
        for (int i = 0; i < faults.size(); i++) {
            Fault fault = faults.get(i);
            assertTrue(fault.durationMillis() >= fault.kind().minMillis()
                && fault.durationMillis() <= fault.kind().maxMillis(), fault.describe());
            assertTrue(fault.nodes().stream().allMatch(n -> n >= 1 && n <= nodes), fault.describe());
            assertEquals(fault.nodes().size(), fault.nodes().stream().distinct().count(), fault.describe());
            if (i > 0) {
                assertTrue(faults.get(i - 1).endMillis() < fault.startMillis(), fault.describe());
            }
        }
    }
}
