package io.ringkv.antientropy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.NodeId;
import io.ringkv.ring.TokenRange;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which tombstones the repair history lets compaction drop. */
class RepairHistoryTest {
    private static final Set<NodeId> PEERS = Set.of(NodeId.of("b"), NodeId.of("c"));
    private static final RepairHistory.Shared LOW = new RepairHistory.Shared(new TokenRange(-100, 0), PEERS);
    private static final RepairHistory.Shared HIGH = new RepairHistory.Shared(new TokenRange(100, 200), PEERS);
    /** Wraps past Long.MAX_VALUE to -1000. */
    private static final RepairHistory.Shared WRAPPING = new RepairHistory.Shared(new TokenRange(500, -1000), PEERS);

    @Test
    void nothingIsPurgedBeforeAPassCoveredTheRange() {
        RepairHistory history = new RepairHistory(false);
        history.ringChanged(List.of(LOW, HIGH, WRAPPING));
        assertFalse(history.mayPurge(-50, 0));
        assertEquals(0, history.coveredRanges());
        assertEquals(3, history.ranges());
    }

    @Test
    void aCoveredRangePurgesTombstonesWrittenBeforeThePassBeganAndOnlyThose() {
        RepairHistory history = new RepairHistory(false);
        history.ringChanged(List.of(LOW, HIGH, WRAPPING));
        history.covered(HIGH, 5_000);
        assertTrue(history.mayPurge(150, 4_999));
        assertFalse(history.mayPurge(150, 5_000), "written as the pass began: it may not have been sent");
        assertFalse(history.mayPurge(-50, 0), "another range, not covered");
        assertTrue(history.mayPurge(200, 0), "the range's end is in it");
        assertFalse(history.mayPurge(100, 0), "the range's start is not");
        history.covered(HIGH, 4_000);
        assertTrue(history.mayPurge(150, 4_999), "an older pass never moves the time back");
    }

    @Test
    void theWrappingRangeIsFoundOnBothSidesOfTheRingsEnd() {
        RepairHistory history = new RepairHistory(false);
        history.ringChanged(List.of(LOW, HIGH, WRAPPING));
        history.covered(WRAPPING, 10);
        assertTrue(history.mayPurge(Long.MAX_VALUE, 0));
        assertTrue(history.mayPurge(501, 0));
        assertTrue(history.mayPurge(Long.MIN_VALUE + 1, 0));
        assertTrue(history.mayPurge(-1000, 0));
        assertFalse(history.mayPurge(-999, 0), "between ranges this node does not replicate");
        assertFalse(history.mayPurge(300, 0), "a token of a range this node does not replicate");
    }

    @Test
    void aRangeWithNoOtherReplicaIsCoveredOnlyOnANodeAloneForGood() {
        RepairHistory alone = new RepairHistory(true);
        alone.ringChanged(List.of(new RepairHistory.Shared(TokenRange.wholeRing(), Set.of())));
        assertTrue(alone.mayPurge(42, Long.MAX_VALUE - 1));
        assertEquals(1, alone.coveredRanges());
        // a cluster node whose ring does not show its peers yet (a restart still learning them) purges nothing
        RepairHistory learning = new RepairHistory(false);
        learning.ringChanged(List.of(new RepairHistory.Shared(TokenRange.wholeRing(), Set.of())));
        assertFalse(learning.mayPurge(42, 0));
        assertEquals(0, learning.coveredRanges());
    }

    @Test
    void aRingChangeKeepsTheTimeOfUnchangedRangesOnly() {
        RepairHistory history = new RepairHistory(false);
        history.ringChanged(List.of(LOW, HIGH));
        history.covered(LOW, 100);
        history.covered(HIGH, 100);
        RepairHistory.Shared newPeers = new RepairHistory.Shared(HIGH.range(), Set.of(NodeId.of("b"), NodeId.of("d")));
        history.ringChanged(List.of(LOW, newPeers));
        assertTrue(history.mayPurge(-50, 0), "same bounds, same peers");
        assertFalse(history.mayPurge(150, 0), "a new replica was never repaired against");
        history.covered(HIGH, 200);
        assertFalse(history.mayPurge(150, 0), "a pass over the old ring does not cover the new one");
    }
}
