package io.ringkv.replication.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ringkv.api.Consistency;
import io.ringkv.api.ErrorCode;
import io.ringkv.api.Expiry;
import io.ringkv.api.Key;
import io.ringkv.api.KvException;
import io.ringkv.api.Limits;
import io.ringkv.api.Value;
import io.ringkv.replication.sbe.CoordinateEncoder;
import io.ringkv.replication.sbe.MessageHeaderEncoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/**
 * A peer's Coordinate carries the client's expiry as a kind and a number: decoded as sent, and a kind or number
 * that makes no expiry (an unknown kind, a time to live of 0, a number on a kind that takes none) is a malformed
 * message ({@code INVALID_ARGUMENT}, which the replication handler counts and drops), never another exception.
 */
class CoordinateExpiryCodecTest {
    private static final int KIND = MessageHeaderEncoder.ENCODED_LENGTH + CoordinateEncoder.expiryKindEncodingOffset();
    private static final int MILLIS = MessageHeaderEncoder.ENCODED_LENGTH
        + CoordinateEncoder.expiryMillisEncodingOffset();

    private final MessageCodec codec = new MessageCodec(Limits.DEFAULT, 8, 64 * 1024);

    private UnsafeBuffer coordinate(Expiry expiry) {
        int length = codec.encodeCoordinate(3, 9, Key.utf8("k"), Value.utf8("v"), expiry, null,
            Consistency.DEFAULT, false);
        UnsafeBuffer copy = new UnsafeBuffer(new byte[length]);
        copy.putBytes(0, codec.sendBuffer(), 0, length);
        return copy;
    }

    @Test
    void everyKindOfExpiryDecodesAsSent() {
        for (Expiry expiry : new Expiry[] {Expiry.NONE, Expiry.KEEP, Expiry.after(1), Expiry.at(Long.MAX_VALUE),
            Expiry.NONE.ofLiveValueOnly(), Expiry.at(5).ofLiveValueOnly()}) {
            UnsafeBuffer buffer = coordinate(expiry);
            Message.Coordinate decoded = (Message.Coordinate) codec.decode(buffer, 0, buffer.capacity());
            assertEquals(expiry, decoded.expiry());
        }
    }

    @Test
    void aSuccessWithoutAVersionIsAChangeOfExpiryThatWroteNothing() {
        int length = codec.encodeCoordinateReply(4, null, "", null, false, false);
        Message.CoordinateReply reply = (Message.CoordinateReply) codec.decode(codec.sendBuffer(), 0, length);
        assertEquals(new Message.CoordinateReply(4, null, "", null, false, false), reply);
    }

    @Test
    void anExpiryThatIsNoneOfTheKindsIsAMalformedMessage() {
        long[][] bent = {{3, 5}, {1, 0}, {2, -1}, {0, 7}, {4, 0}, {255, 0}, {1, Long.MIN_VALUE}};
        for (long[] fields : bent) {
            UnsafeBuffer buffer = coordinate(Expiry.after(1_000));
            buffer.putByte(KIND, (byte) fields[0]);
            buffer.putLong(MILLIS, fields[1], java.nio.ByteOrder.LITTLE_ENDIAN);
            KvException refused = assertThrows(KvException.class, () -> codec.decode(buffer, 0, buffer.capacity()),
                "kind " + fields[0] + " millis " + fields[1]);
            assertEquals(ErrorCode.INVALID_ARGUMENT, refused.code());
        }
    }
}
