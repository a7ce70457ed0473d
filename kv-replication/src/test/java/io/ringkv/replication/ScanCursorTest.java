package io.ringkv.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.Key;
import io.ringkv.api.KvException;
import io.ringkv.api.Limits;
import org.junit.jupiter.api.Test;

class ScanCursorTest {
    @Test
    void zeroIsTheStartAndTheStartIsZero() {
        assertEquals(ScanCursor.START, ScanCursor.parse("0", Limits.DEFAULT));
        assertEquals("0", ScanCursor.START.encode());
    }

    @Test
    void aCursorIsAnUnsignedDecimalThatRoundTrips() {
        for (ScanCursor cursor : new ScanCursor[] {
            new ScanCursor(Long.MIN_VALUE, Key.of(new byte[0])), new ScanCursor(-1, null),
            new ScanCursor(Long.MAX_VALUE, Key.utf8("user:42")), new ScanCursor(0, Key.of(new byte[] {0, 0, -1}))}) {
            String text = cursor.encode();
            assertTrue(text.chars().allMatch(c -> c >= '0' && c <= '9'), text);
            assertEquals(cursor, ScanCursor.parse(text, Limits.DEFAULT));
        }
    }

    @Test
    void aPositionBeforeEveryKeyOfATokenIsAnUnsigned64BitNumber() {
        // clients that keep the cursor in a 64-bit integer as unsigned (go-redis, redis-rs) failed on every
        // cursor but "0": each was a number of at least 2^72
        for (long token : new long[] {Long.MIN_VALUE + 1, -1, 0, 1, Long.MAX_VALUE}) {
            ScanCursor cursor = new ScanCursor(token, null);
            String text = cursor.encode();
            assertEquals(token - Long.MIN_VALUE, Long.parseUnsignedLong(text), text);
            assertEquals(cursor, ScanCursor.parse(text, Limits.DEFAULT));
        }
        assertEquals("1", new ScanCursor(Long.MIN_VALUE + 1, null).encode());
        assertEquals("18446744073709551615", new ScanCursor(Long.MAX_VALUE, null).encode());
        // a position within a token keeps the longer form, which no 64-bit number can be mistaken for
        assertTrue(new ScanCursor(Long.MIN_VALUE, Key.of(new byte[0])).encode().length() >= 22);
    }

    @Test
    void anythingElseIsAnInvalidCursor() {
        String tooLongKey = new ScanCursor(5, Key.of(new byte[40])).encode();
        for (String text : new String[] {"", "-1", "abc", "12x", "00", "01", "18446744073709551616", tooLongKey,
            new java.math.BigInteger(1, new byte[] {1, -128, 0, 0, 0, 0, 0, 0, 0, 0}).toString(),
            new java.math.BigInteger(1, new byte[] {2, 0, 0, 0, 0, 0, 0, 0, 9, 0}).toString(),
            new java.math.BigInteger(1, new byte[] {1, 0, 0, 0, 0, 0, 0, 0, 9, 2}).toString()}) {
            KvException e = assertThrows(KvException.class, () -> ScanCursor.parse(text, new Limits(32, 100)),
                text);
            assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
            assertEquals("invalid cursor", e.getMessage());
        }
    }
}
