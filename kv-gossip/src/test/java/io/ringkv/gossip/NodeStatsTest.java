package io.ringkv.gossip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class NodeStatsTest {
    @Test
    void statsSurviveTheirAnnouncement() {
        NodeStats stats = new NodeStats(125.5, 2500, 7, 3, 40, true);
        assertEquals("rps=125.5,p99us=2500,hints=7,repair=3/40,repairing=1", stats.encode());
        assertEquals(stats, NodeStats.decode(stats.encode()));
    }

    @Test
    void aWindowWithoutRequestsAnnouncesNoPercentile() {
        NodeStats idle = new NodeStats(0, NodeStats.NO_REQUESTS, 0, 0, 0, false);
        assertEquals("rps=0.0,hints=0,repair=0/0,repairing=0", idle.encode());
        assertEquals(idle, NodeStats.decode(idle.encode()));
    }

    @Test
    void aPercentileBeyondTheLargestBucketIsAnnouncedAsInfinite() {
        NodeStats slow = new NodeStats(1, NodeStats.OVER_RANGE, 0, 0, 0, false);
        assertEquals(slow, NodeStats.decode(slow.encode()));
    }

    @Test
    void theRateIsRoundedToOneDecimal() {
        assertEquals(0.3, NodeStats.decode(new NodeStats(0.333333, 10, 0, 0, 0, false).encode()).requestsPerSecond());
    }

    @Test
    void aLaterVersionsFiguresAreIgnored() {
        assertEquals(new NodeStats(3, 50, 0, 1, 2, false),
            NodeStats.decode("rps=3,p99us=50,hints=0,repair=1/2,repairing=0,queue=9"));
    }

    @Test
    void malformedAnnouncementsAreUnreadableNotFatal() {
        for (String text : new String[] {null, "", "rps", "rps=1", "rps=-1,hints=0,repair=0/0,repairing=0",
            "rps=1e9,hints=0,repair=0/0,repairing=0", "rps=NaN,hints=0,repair=0/0,repairing=0",
            "rps=1,hints=x,repair=0/0,repairing=0", "rps=1,hints=0,repair=00,repairing=0",
            "rps=1,hints=0,repair=0/0,repairing=2", "rps=1,p99us=-5,hints=0,repair=0/0,repairing=0",
            "rps=1,hints=99999999999999999999,repair=0/0,repairing=0", "rps=1.,hints=0,repair=0/0,repairing=0",
            "x".repeat(300)}) {
            assertNull(NodeStats.decode(text), String.valueOf(text));
        }
    }

    @Test
    void negativeFiguresAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new NodeStats(-1, 0, 0, 0, 0, false));
        assertThrows(IllegalArgumentException.class, () -> new NodeStats(Double.NaN, 0, 0, 0, 0, false));
        assertThrows(IllegalArgumentException.class, () -> new NodeStats(1, -2, 0, 0, 0, false));
        assertThrows(IllegalArgumentException.class, () -> new NodeStats(1, 0, -1, 0, 0, false));
    }
}
