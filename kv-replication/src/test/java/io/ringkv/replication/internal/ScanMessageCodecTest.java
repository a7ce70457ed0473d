package io.ringkv.replication.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.Key;
import io.ringkv.api.KvException;
import io.ringkv.api.Limits;
import io.ringkv.replication.sbe.MessageHeaderEncoder;
import io.ringkv.replication.sbe.ScanReplyEncoder;
import io.ringkv.replication.sbe.ScanRequestEncoder;
import java.util.List;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/** A peer's scan messages: decoded as sent, and refused as malformed (never thrown past the codec) when bent. */
class ScanMessageCodecTest {
    private final MessageCodec codec = new MessageCodec(Limits.DEFAULT, 8, 64 * 1024);

    @Test
    void aScanRequestAndReplyDecodeAsEncoded() {
        int length = codec.encodeScanRequest(7, -5, Key.utf8("after"), 90, 10);
        Message.ScanRequest request = (Message.ScanRequest) codec.decode(copy(length), 0, length);
        assertEquals(new Message.ScanRequest(7, -5, Key.utf8("after"), 90, 10), request);

        length = codec.encodeScanReply(8, true, List.of(Key.utf8("a"), Key.utf8("b")), false, 42, Key.utf8("b"));
        Message decoded = codec.decode(copy(length), 0, length);
        assertTrue(decoded.toString().contains("42"), decoded.toString());
    }

    @Test
    void flagsOtherThanZeroOrOneAreMalformedMessagesNotExceptionsOfTheEnumDecoder() {
        int length = codec.encodeScanRequest(7, -5, null, 90, 10);
        UnsafeBuffer request = copy(length);
        request.putByte(MessageHeaderEncoder.ENCODED_LENGTH + ScanRequestEncoder.hasKeyEncodingOffset(), (byte) 2);
        KvException bent = assertThrows(KvException.class, () -> codec.decode(request, 0, length));
        assertEquals(ErrorCode.INVALID_ARGUMENT, bent.code());
        assertTrue(bent.getMessage().contains("hasKey flag is 2"), bent.getMessage());

        int replyLength = codec.encodeScanReply(8, true, List.of(), true, 0, null);
        UnsafeBuffer reply = copy(replyLength);
        reply.putByte(MessageHeaderEncoder.ENCODED_LENGTH + ScanReplyEncoder.exhaustedEncodingOffset(), (byte) 7);
        KvException bentReply = assertThrows(KvException.class, () -> codec.decode(reply, 0, replyLength));
        assertTrue(bentReply.getMessage().contains("exhausted flag is 7"), bentReply.getMessage());
    }

    @Test
    void aScanRequestAskingForTooManyKeysOrRunningBackwardsIsMalformed() {
        int length = codec.encodeScanRequest(7, 100, null, 90, 10);
        KvException backwards = assertThrows(KvException.class, () -> codec.decode(copy(length), 0, length));
        assertTrue(backwards.getMessage().contains("before its start"), backwards.getMessage());
        int tooMany = codec.encodeScanRequest(7, 1, null, 90, MessageCodec.MAX_SCAN_KEYS + 1);
        KvException many = assertThrows(KvException.class, () -> codec.decode(copy(tooMany), 0, tooMany));
        assertTrue(many.getMessage().contains("keys; 1 to"), many.getMessage());
    }

    private UnsafeBuffer copy(int length) {
        UnsafeBuffer copy = new UnsafeBuffer(new byte[length]);
        copy.putBytes(0, codec.sendBuffer(), 0, length);
        return copy;
    }
}
