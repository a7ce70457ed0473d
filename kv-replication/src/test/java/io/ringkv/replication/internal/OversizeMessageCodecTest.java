package io.ringkv.replication.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.CausalContext;
import io.ringkv.api.Consistency;
import io.ringkv.api.Dot;
import io.ringkv.api.ErrorCode;
import io.ringkv.api.HybridTimestamp;
import io.ringkv.api.Key;
import io.ringkv.api.KvException;
import io.ringkv.api.Limits;
import io.ringkv.api.NodeId;
import io.ringkv.api.SiblingSet;
import io.ringkv.api.Value;
import io.ringkv.api.VectorClock;
import io.ringkv.api.Version;
import io.ringkv.api.Versioned;
import io.ringkv.replication.ReplicationConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A message that would not fit the send buffer is refused before a byte is written, with a clear error, never a
 * buffer error on the agent thread; and the configuration's worst case is what the encoder writes.
 */
class OversizeMessageCodecTest {
    private static final int MESSAGE = ReplicationConfig.MAX_MESSAGE_BYTES;
    private final MessageCodec codec = new MessageCodec(Limits.DEFAULT, 64, MESSAGE);

    private static String id(int i) {
        return String.format("%0" + NodeId.MAX_LENGTH + "d", i);
    }

    private static VectorClock clock(int entries) {
        Map<NodeId, Long> counters = new HashMap<>();
        for (int i = 0; i < entries; i++) {
            counters.put(NodeId.of(id(i)), Dot.MAX_COUNTER);
        }
        return VectorClock.of(counters);
    }

    /** {@code count} siblings of {@code valueBytes}, each with a past of {@code entries} 64-character ids. */
    private static List<Versioned> siblings(int count, int entries, int valueBytes) {
        List<Versioned> versions = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Version version = new Version(new Dot(NodeId.of(id(10_000 + i)), Dot.MAX_COUNTER), clock(entries),
                new HybridTimestamp(Long.MAX_VALUE, Integer.MAX_VALUE));
            versions.add(Versioned.of(version, Value.of(new byte[valueBytes])));
        }
        return versions;
    }

    private static Key largestKey() {
        return Key.of(new byte[Limits.DEFAULT.maxKeyBytes()]);
    }

    private void assertRefusedUntouched(org.junit.jupiter.api.function.Executable encode) {
        byte[] before = new byte[MESSAGE];
        codec.sendBuffer().getBytes(0, before);
        KvException e = assertThrows(KvException.class, encode);
        assertEquals(ErrorCode.VALUE_TOO_LARGE, e.code());
        assertTrue(e.getMessage().contains("more than the " + MESSAGE + "-byte"), e.getMessage());
        byte[] after = new byte[MESSAGE];
        codec.sendBuffer().getBytes(0, after);
        assertTrue(Arrays.equals(before, after), "nothing was written");
    }

    @Test
    void anOversizeSiblingSetIsRefusedByEveryEncoderThatCarriesIt() {
        // 4 siblings of 10 KiB values and 200 clock entries of 64-character ids: about 105 KB
        List<Versioned> versions = siblings(4, 199, 10 * 1024);
        codec.encodeRead(1, 2, Key.utf8("k"));
        assertRefusedUntouched(() -> codec.encodeWrite(1, 2, largestKey(), versions));
        assertRefusedUntouched(() -> codec.encodeHintedWrite(1, 2, largestKey(), versions, NodeId.of(id(1)), 3));
        assertRefusedUntouched(() -> codec.encodeReadReply(1, true, new SiblingSet(versions)));
        assertRefusedUntouched(() -> codec.encodeCoordinate(1, 2, largestKey(), Value.of(new byte[10 * 1024]),
            io.ringkv.api.Expiry.NONE,
            new CausalContext(clock(700)), Consistency.DEFAULT, false));
    }

    @Test
    void theDefaultsWorstCaseIsWhatTheEncoderWritesAndItFits() {
        ReplicationConfig d = ReplicationConfig.DEFAULT;
        List<Versioned> versions = siblings(d.maxSiblings(), d.maxClockEntries() - 1, d.limits().maxValueBytes());
        long worst = MessageSizes.worstCase(d.limits().maxKeyBytes(), d.limits().maxValueBytes(), d.maxSiblings(),
            d.maxClockEntries());
        int hinted = codec.encodeHintedWrite(1, 2, largestKey(), versions, NodeId.of(id(1)), 3);
        assertEquals(worst, hinted);
        assertTrue(hinted <= MESSAGE);
        assertEquals(MessageSizes.put(d.limits().maxKeyBytes(), versions),
            codec.encodeWrite(1, 2, largestKey(), versions));
        assertEquals(MessageSizes.readReply(versions), codec.encodeReadReply(1, true, new SiblingSet(versions)));
        assertEquals(versions.size(), ((Message.Write) codec.decode(codec.sendBuffer(), 0,
            codec.encodeWrite(1, 2, largestKey(), versions))).versions().size());
    }
}
