package io.ringkv.antientropy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class RangeStreamerProgressTest {
    @Test
    void aMovesProgressCountsOnlyWhatItAddedToTheNodesLifelongCounts() {
        // a leave after a join in the same process used to report the join's keys and retries as its own
        RangeStreamer.Progress afterTheJoin = new RangeStreamer.Progress(48, 48, 2, 3_400, 12, 1_048_576, "refused");
        RangeStreamer.Progress duringTheLeave = new RangeStreamer.Progress(3, 10, 3, 3_400, 112, 1_148_576, null);
        assertEquals("3/10 sessions, 0 keys received, 100 sent, 100000 bytes, 1 retried",
            duringTheLeave.since(afterTheJoin).toString());
    }
}
