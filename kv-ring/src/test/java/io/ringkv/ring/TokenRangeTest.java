package io.ringkv.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;

class TokenRangeTest {
    private static final BigInteger TWO_TO_64 = BigInteger.ONE.shiftLeft(64);

    @Test
    void plainRangeExcludesStartAndIncludesEnd() {
        TokenRange range = new TokenRange(10, 20);
        assertFalse(range.contains(10));
        assertTrue(range.contains(11));
        assertTrue(range.contains(20));
        assertFalse(range.contains(21));
        assertFalse(range.contains(Long.MIN_VALUE));
        assertFalse(range.wraps());
        assertEquals(BigInteger.TEN, range.size());
    }

    @Test
    void wrappingRangePassesTheRingStart() {
        TokenRange range = new TokenRange(Long.MAX_VALUE - 1, Long.MIN_VALUE + 1);
        assertTrue(range.wraps());
        assertTrue(range.contains(Long.MAX_VALUE));
        assertTrue(range.contains(Long.MIN_VALUE));
        assertTrue(range.contains(Long.MIN_VALUE + 1));
        assertFalse(range.contains(Long.MAX_VALUE - 1));
        assertFalse(range.contains(0));
        assertEquals(BigInteger.valueOf(3), range.size());
    }

    @Test
    void equalBoundsMeanTheWholeRing() {
        TokenRange range = new TokenRange(7, 7);
        assertTrue(range.isWholeRing());
        assertTrue(range.contains(7));
        assertTrue(range.contains(Long.MIN_VALUE));
        assertTrue(range.contains(Long.MAX_VALUE));
        assertEquals(TWO_TO_64, range.size());
        assertEquals(1.0, range.fraction());
        assertEquals(TokenRange.wholeRing().size(), range.size());
    }

    @Test
    void sizeIsExactUnsignedWidthAndFractionIsItsShareOfTheRing() {
        assertEquals(0.25, new TokenRange(0, 1L << 62).fraction());
        assertEquals(0.5, new TokenRange(Long.MIN_VALUE, 0).fraction());
        TokenRange almostAll = new TokenRange(0, -1);
        assertEquals(TWO_TO_64.subtract(BigInteger.ONE), almostAll.size());
        assertEquals(1.0, almostAll.fraction(), 1e-15);
        // (-1, MIN]: the 2^63 tokens 0..MAX, then MIN itself.
        assertEquals(BigInteger.ONE.shiftLeft(63).add(BigInteger.ONE), new TokenRange(-1, Long.MIN_VALUE).size());
    }

    @Test
    void printsAsHalfOpenInterval() {
        assertEquals("(-5, 9]", new TokenRange(-5, 9).toString());
    }
}
