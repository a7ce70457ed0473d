package io.ringkv.antientropy.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import java.nio.charset.StandardCharsets;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class RepairCodecTest {
    private final RepairCodec codec = new RepairCodec(16, 64 * 1024);

    @Test
    void aKeyGoneNoticeRoundTripsAndEveryTruncationOfItIsRefused() {
        byte[] key = "user:42".getBytes(StandardCharsets.UTF_8);
        int length = codec.encodeKeyGone(7, -3, key);
        byte[] whole = new byte[length];
        codec.sendBuffer().getBytes(0, whole);
        RepairMessage.KeyGone gone = (RepairMessage.KeyGone) codec.decode(new UnsafeBuffer(whole), 0, length);
        assertEquals(7, gone.sessionId());
        assertEquals(-3, gone.token());
        assertArrayEquals(key, gone.key());
        for (int cut = 0; cut < length; cut++) {
            int at = cut;
            KvException refused = assertThrows(KvException.class,
                () -> codec.decode(new UnsafeBuffer(whole), 0, at), "cut at " + at);
            assertEquals(ErrorCode.INVALID_ARGUMENT, refused.code());
        }
    }

    @Test
    void aKeysRequestCarriesWhetherTheAskerHoldsEachKeyAndAFlagOtherThanZeroOrOneIsRefused() {
        byte[] held = "held".getBytes(StandardCharsets.UTF_8);
        byte[] absent = "absent".getBytes(StandardCharsets.UTF_8);
        int length = codec.encodeKeysRequest(9, java.util.List.of(new RepairMessage.Wanted(5, held, true),
            new RepairMessage.Wanted(-6, absent, false)));
        byte[] whole = new byte[length];
        codec.sendBuffer().getBytes(0, whole);
        RepairMessage.KeysRequest request = (RepairMessage.KeysRequest) codec.decode(new UnsafeBuffer(whole), 0,
            length);
        assertEquals(9, request.sessionId());
        assertEquals(2, request.keys().size());
        assertEquals(5, request.keys().get(0).token());
        assertArrayEquals(held, request.keys().get(0).key());
        assertEquals(true, request.keys().get(0).held());
        assertEquals(-6, request.keys().get(1).token());
        assertArrayEquals(absent, request.keys().get(1).key());
        assertEquals(false, request.keys().get(1).held());
        // header (8), session (8), group header (4), token (8): the first entry's flag
        assertEquals(1, whole[28]);
        whole[28] = 2;
        KvException refused = assertThrows(KvException.class,
            () -> codec.decode(new UnsafeBuffer(whole), 0, length));
        assertEquals(ErrorCode.INVALID_ARGUMENT, refused.code());
    }

    @Test
    void aKeysRequestOfANodeFromBeforeTheHeldFlagCountsItsKeysAsHeld() {
        byte[] key = "k".getBytes(StandardCharsets.UTF_8);
        // its entries end after the token: header, session, group header (8-byte entries, one), token, key
        java.nio.ByteBuffer old = java.nio.ByteBuffer.allocate(8 + 8 + 4 + 8 + 4 + key.length)
            .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        old.putShort((short) 8).putShort((short) 5).putShort((short) RepairCodec.SCHEMA_ID).putShort((short) 1);
        old.putLong(3).putShort((short) 8).putShort((short) 1).putLong(-7).putInt(key.length).put(key);
        RepairMessage.KeysRequest request = (RepairMessage.KeysRequest) codec.decode(
            new UnsafeBuffer(old.array()), 0, old.capacity());
        assertEquals(3, request.sessionId());
        assertEquals(-7, request.keys().getFirst().token());
        assertArrayEquals(key, request.keys().getFirst().key());
        assertEquals(true, request.keys().getFirst().held());
        // an entry shorter still is refused
        old.putShort(16, (short) 7);
        assertThrows(KvException.class, () -> codec.decode(new UnsafeBuffer(old.array()), 0, old.capacity()));
    }

    @Test
    void aDigestReplyNamesItsScanAndOneOfANodeFromBeforeThatIsUnidentified() {
        int length = codec.encodeDigestReply(4, 3, RepairMessage.Status.OK, 1, true, -42,
            java.util.List.of(new RepairMessage.Entry(5, "k".getBytes(StandardCharsets.UTF_8), 9)));
        RepairMessage.DigestReply reply = (RepairMessage.DigestReply) codec.decode(codec.sendBuffer(), 0, length);
        assertEquals(-42, reply.listing());
        assertEquals(true, reply.identified());
        assertEquals(1, reply.chunk());
        assertEquals(9, reply.entries().getFirst().hash());
        // before listings were named: the block ends after the last flag
        java.nio.ByteBuffer old = java.nio.ByteBuffer.allocate(8 + 16 + 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        old.putShort((short) 16).putShort((short) 4).putShort((short) RepairCodec.SCHEMA_ID).putShort((short) 1);
        old.putLong(4).putInt(3).put((byte) 0).putShort((short) 0).put((byte) 1);
        old.putShort((short) 16).putShort((short) 0);
        RepairMessage.DigestReply older = (RepairMessage.DigestReply) codec.decode(new UnsafeBuffer(old.array()), 0,
            old.capacity());
        assertEquals(false, older.identified());
        assertEquals(3, older.leaf());
        assertEquals(true, older.last());
        // a block between the two lengths is neither
        java.nio.ByteBuffer between = java.nio.ByteBuffer.allocate(8 + 20 + 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        between.putShort((short) 20).putShort((short) 4).putShort((short) RepairCodec.SCHEMA_ID).putShort((short) 1);
        between.putLong(4).putInt(3).put((byte) 0).putShort((short) 0).put((byte) 1).putInt(0);
        between.putShort((short) 16).putShort((short) 0);
        assertThrows(KvException.class, () -> codec.decode(new UnsafeBuffer(between.array()), 0, between.capacity()));
    }

    @Test
    void aKeyGoneNoticeNamingAKeyLongerThanTheLimitIsRefused() {
        int length = codec.encodeKeyGone(7, 1, new byte[17]);
        KvException refused = assertThrows(KvException.class, () -> codec.decode(codec.sendBuffer(), 0, length));
        assertEquals(ErrorCode.INVALID_ARGUMENT, refused.code());
    }
}
