package io.ringkv.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class KeyValueLimitsTest {

    @Test
    void keyAtTheLimitIsAcceptedAndOneMoreByteIsRejected() {
        Limits limits = new Limits(8, 16);
        assertEquals(8, Key.of(new byte[8], limits).length());
        KvException error = assertThrows(KvException.class, () -> Key.of(new byte[9], limits));
        assertEquals(ErrorCode.KEY_TOO_LARGE, error.code());
        assertTrue(error.getMessage().contains("9 bytes") && error.getMessage().contains("8 bytes"),
            error.getMessage());
    }

    @Test
    void defaultLimitsAreOneKibKeysAndTenKibValues() {
        assertEquals(1024, Key.of(new byte[1024]).length());
        assertThrows(KvException.class, () -> Key.of(new byte[1025]));
        assertEquals(10 * 1024, Value.of(new byte[10 * 1024]).length());
        KvException error = assertThrows(KvException.class, () -> Value.of(new byte[10 * 1024 + 1]));
        assertEquals(ErrorCode.VALUE_TOO_LARGE, error.code());
    }

    @Test
    void limitsOutsideTheirRangeAreAConfigurationError() {
        assertEquals(ErrorCode.INVALID_CONFIGURATION,
            assertThrows(KvException.class, () -> new Limits(0, 10)).code());
        assertEquals(ErrorCode.INVALID_CONFIGURATION,
            assertThrows(KvException.class, () -> new Limits(10, Limits.VALUE_LIMIT_CEILING + 1)).code());
    }

    @Test
    void keysCopyTheirBytesInAndOut() {
        byte[] raw = {1, 2, 3};
        Key key = Key.of(raw);
        raw[0] = 9;
        assertArrayEquals(new byte[] {1, 2, 3}, key.toByteArray());
        key.toByteArray()[1] = 9;
        assertEquals(2, key.byteAt(1));
    }

    @Test
    void keysCompareAsUnsignedBytes() {
        Key low = Key.of(new byte[] {0x01});
        Key high = Key.of(new byte[] {(byte) 0xF0});
        Key longer = Key.of(new byte[] {0x01, 0x00});
        assertTrue(low.compareTo(high) < 0, "0x01 sorts before 0xF0 when bytes are unsigned");
        assertTrue(low.compareTo(longer) < 0, "a prefix sorts first");
        assertEquals(0, Key.utf8("a").compareTo(Key.utf8("a")));
    }

    @Test
    void keysAndValuesWithTheSameBytesAreNotEqual() {
        assertEquals(Key.utf8("x"), Key.utf8("x"));
        assertEquals(Key.utf8("x").hashCode(), Key.utf8("x").hashCode());
        assertNotEquals(Key.utf8("x"), Value.utf8("x"));
        assertEquals("x", Value.utf8("x").asUtf8());
    }
}
