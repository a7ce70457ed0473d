package io.ringkv.node.membership;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class HumanBytesTest {

    @Test
    void sizesKeepThreeSignificantDigitsAndABinaryUnit() {
        assertEquals("0B", ClusterMembership.humanBytes(0));
        assertEquals("1023B", ClusterMembership.humanBytes(1023));
        assertEquals("1.00KiB", ClusterMembership.humanBytes(1024));
        assertEquals("1.50KiB", ClusterMembership.humanBytes(1536));
        assertEquals("12.3MiB", ClusterMembership.humanBytes(12_900_000));
        assertEquals("123MiB", ClusterMembership.humanBytes(129_000_000));
        assertEquals("1.00MiB", ClusterMembership.humanBytes(1024 * 1024 - 100), "rounds up into the next unit");
        assertEquals("20.0GiB", ClusterMembership.humanBytes(20L << 30));
        assertEquals("8.00EiB", ClusterMembership.humanBytes(Long.MAX_VALUE));
    }

    @Test
    void streamingProgressIsShownWithUnitsAndAnOlderFormIsShownAsAnnounced() {
        assertEquals("12/141 10.0MiB 3.10MiB/s", ClusterMembership.streamingForDisplay("12/141 10485760B 3250586B/s"));
        assertEquals("12/141", ClusterMembership.streamingForDisplay("12/141"));
        assertEquals("1/2 xB 3B/s", ClusterMembership.streamingForDisplay("1/2 xB 3B/s"));
        assertEquals("", ClusterMembership.streamingForDisplay(""));
    }
}
