package io.ringkv.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A client's causal context is hostile input: anything malformed is refused with INVALID_ARGUMENT. */
class CausalContextDecodingTest {
    private static final NodeId A = NodeId.of("a");

    /** Encodes a context of {@code entries} (id, counter) as they are, unchecked, claiming {@code count} entries. */
    private static byte[] context(int count, Object... entries) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write('C');
        out.write(2);
        out.write(count & 0xFF);
        out.write(count >>> 8);
        for (int i = 0; i < entries.length; i += 2) {
            byte[] id = ((String) entries[i]).getBytes(StandardCharsets.US_ASCII);
            out.write(id.length);
            out.writeBytes(id);
            ByteBuffer numbers = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            numbers.putLong((Long) entries[i + 1]).putLong(0);
            out.writeBytes(numbers.array());
        }
        return out.toByteArray();
    }

    private static KvException refused(byte[] bytes) {
        KvException e = assertThrows(KvException.class, () -> CausalContext.fromBytes(bytes));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code(), e.getMessage());
        return e;
    }

    @Test
    void aContextWithACounterAboveTheBoundIsDecodedForTheKeysReplicaToJudge() {
        // a key a context at the bound was written to goes on above it; only its replica can tell a counter read
        // from it from a forged one
        assertEquals(Dot.MAX_COUNTER, CausalContext.fromBytes(context(1, "a", Dot.MAX_COUNTER)).clock().counter(A));
        assertEquals(Dot.MAX_COUNTER + 1,
            CausalContext.fromBytes(context(1, "a", Dot.MAX_COUNTER + 1)).clock().counter(A));
        assertEquals(Long.MAX_VALUE, CausalContext.fromBytes(context(2, "a", 5L, "b", Long.MAX_VALUE)).clock()
            .counter(NodeId.of("b")));
    }

    @Test
    void aContextWithAZeroOrNegativeCounterIsRefused() {
        refused(context(1, "a", 0L));
        refused(context(1, "a", -1L));
        refused(context(1, "a", Long.MIN_VALUE));
    }

    @Test
    void aContextWithUnsortedOrDuplicateNodesIsRefused() {
        assertTrue(refused(context(2, "b", 1L, "a", 1L)).getMessage().contains("ascending"));
        assertTrue(refused(context(2, "a", 1L, "a", 2L)).getMessage().contains("ascending"));
    }

    @Test
    void aContextWithABadNodeIdIsRefused() {
        refused(context(1, "", 1L));
        refused(context(1, "a b", 1L));
    }

    @Test
    void everyTruncationOfAValidContextIsRefused() {
        byte[] valid = context(3, "a", 1L, "b", 2L, "c", 3L);
        assertEquals(3, CausalContext.fromBytes(valid).clock().size());
        for (int length = 0; length < valid.length; length++) {
            refused(java.util.Arrays.copyOf(valid, length));
        }
    }

    @Test
    void aContextClaimingMoreEntriesThanItsBytesHoldIsRefusedBeforeReadingThem() {
        KvException e = refused(context(0xFFFF, "a", 1L));
        assertTrue(e.getMessage().contains("65535 entries"), e.getMessage());
        refused(context(2, "a", 1L));
    }

    @Test
    void trailingBytesAreRefused() {
        byte[] valid = context(1, "a", 1L);
        refused(java.util.Arrays.copyOf(valid, valid.length + 1));
    }

    @Test
    void aLargeContextSurvivesItsEncoding() {
        // as large as a 64 KiB message holds: decoding it is linear, not one copy of the clock per entry
        Object[] entries = new Object[2 * 3000];
        for (int i = 0; i < 3000; i++) {
            entries[2 * i] = String.format("n%05d", i);
            entries[2 * i + 1] = (long) i + 1;
        }
        CausalContext decoded = CausalContext.fromBytes(context(3000, entries));
        assertEquals(3000, decoded.clock().size());
        assertEquals(3000L, decoded.clock().counter(NodeId.of("n02999")));
        assertEquals(decoded, CausalContext.fromBytes(decoded.toBytes()));
        assertEquals(decoded.clock(), VectorClock.of(decoded.clock().asMap()));
        assertEquals(Map.of(A, 7L), CausalContext.fromBytes(context(1, "a", 7L)).clock().asMap());
    }

    @Test
    void aContextCarriesTheHighestTimestampOfTheVersionsRead() {
        Version older = new Version(new Dot(A, 1), VectorClock.empty(), new HybridTimestamp(5_000, 2));
        Version newer = new Version(new Dot(NodeId.of("b"), 1), VectorClock.empty(), new HybridTimestamp(9_000, 1));
        CausalContext context = new SiblingSet(java.util.List.of(Versioned.of(newer, Value.of(new byte[] {1})),
            Versioned.tombstone(older))).context();
        assertEquals(new HybridTimestamp(9_000, 1), context.latest());
        CausalContext decoded = CausalContext.fromBytes(context.toBytes());
        assertEquals(context, decoded);
        assertEquals(3, context.toBytes()[1], "the current format");
    }

    @Test
    void aContextOfFormatTwoIsStillReadWithoutATimestamp() {
        CausalContext decoded = CausalContext.fromBytes(context(1, "a", 7L));
        assertEquals(HybridTimestamp.ZERO, decoded.latest());
        assertEquals(Map.of(A, 7L), decoded.clock().asMap());
    }

    @Test
    void everyTruncationOfACurrentContextAndANegativeTimestampAreRefused() {
        byte[] valid = new CausalContext(VectorClock.of(Map.of(A, 3L)), new HybridTimestamp(70, 4)).toBytes();
        for (int length = 0; length < valid.length; length++) {
            refused(java.util.Arrays.copyOf(valid, length));
        }
        byte[] negative = valid.clone();
        ByteBuffer.wrap(negative).order(ByteOrder.LITTLE_ENDIAN).putLong(valid.length - 12, -1);
        assertTrue(refused(negative).getMessage().contains("timestamp"));
        byte[] unknown = valid.clone();
        unknown[1] = 4;
        assertTrue(refused(unknown).getMessage().contains("format 4"));
    }
}
