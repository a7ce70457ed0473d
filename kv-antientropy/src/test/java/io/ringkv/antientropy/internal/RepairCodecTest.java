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
    void aKeyGoneNoticeNamingAKeyLongerThanTheLimitIsRefused() {
        int length = codec.encodeKeyGone(7, 1, new byte[17]);
        KvException refused = assertThrows(KvException.class, () -> codec.decode(codec.sendBuffer(), 0, length));
        assertEquals(ErrorCode.INVALID_ARGUMENT, refused.code());
    }
}
