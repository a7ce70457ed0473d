package io.ringkv.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The worst-case sizes the message-size check is built on are the sizes the encoder writes. */
class VersionSizeTest {
    private static String longId(int i) {
        return String.format("%0" + NodeId.MAX_LENGTH + "d", i);
    }

    private static VectorClock clockOf(int entries) {
        Map<NodeId, Long> counters = new HashMap<>();
        for (int i = 0; i < entries; i++) {
            counters.put(NodeId.of(longId(i)), Dot.MAX_COUNTER);
        }
        return VectorClock.of(counters);
    }

    @Test
    void theLargestVersionOfSoManyEntriesIsWhatTheEncoderWrites() {
        for (int entries : new int[] {0, 1, 15, 1023}) {
            Version version = new Version(new Dot(NodeId.of(longId(9999)), Dot.MAX_COUNTER), clockOf(entries),
                new HybridTimestamp(Long.MAX_VALUE, Integer.MAX_VALUE));
            assertEquals(VersionEncoding.versionLength(version), VersionEncoding.maxVersionLength(entries));
            assertEquals(VersionEncoding.encodeVersion(version).length, VersionEncoding.maxVersionLength(entries));
        }
    }

    @Test
    void theLargestContextOfSoManyEntriesIsWhatTheEncoderWrites() {
        for (int entries : new int[] {0, 1, 16}) {
            CausalContext context = new CausalContext(clockOf(entries), new HybridTimestamp(1, 1));
            assertEquals(context.toBytes().length, VersionEncoding.maxContextLength(entries));
        }
    }
}
