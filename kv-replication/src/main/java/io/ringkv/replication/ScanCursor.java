package io.ringkv.replication;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.Key;
import io.ringkv.api.KvException;
import io.ringkv.api.Limits;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Where a SCAN stands: after {@code afterKey} among the keys of ring token {@code token}, or before every key of
 * {@code token} when {@code afterKey} is null. A scan walks the token space in signed order, from
 * {@link Long#MIN_VALUE} (the {@link #START}) to {@link Long#MAX_VALUE}, and every key's place in it is fixed by its
 * token, so the cursor alone says what was visited: any node can continue a scan another started, and nothing is
 * kept between calls.
 *
 * <p>On the wire ({@link #encode}) a cursor is an unsigned decimal number, as Redis' is. A position before every
 * key of a token (the only kind a call ends at, unless more keys share one token than a page holds) is the token's
 * place in the token space, {@code token - Long.MIN_VALUE}: an unsigned 64-bit number, which clients that keep the
 * cursor in a 64-bit integer as unsigned (go-redis, redis-rs) hand back unchanged. No key has the token
 * {@link Long#MIN_VALUE}, so {@code "0"} is the start alone, and a page whose next cursor is {@code "0"} ends the
 * scan. A position within a token is a longer number (at least 22 digits), whose bytes are a format byte, the token,
 * a flag and the key; clients that parse the cursor as an arbitrary integer (redis-py does) hand that back too.
 *
 * @param token the position's token
 * @param afterKey the last key of {@code token} already visited, or null
 */
public record ScanCursor(long token, Key afterKey) {
    /** The start of a scan (and, as the next cursor of a page, its end): {@code "0"}. */
    public static final ScanCursor START = new ScanCursor(Long.MIN_VALUE, null);
    private static final byte FORMAT = 1;
    private static final int FIXED_BYTES = 1 + Long.BYTES + 1;
    private static final String INVALID = "invalid cursor";
    /** The most digits of an unsigned 64-bit number; a position within a token takes at least 22. */
    private static final int TOKEN_DIGITS = 20;

    /**
     * @param text a cursor as a client sent it
     * @param limits the cluster's key limits
     * @return the position it names
     * @throws KvException with {@link ErrorCode#INVALID_ARGUMENT} and the message {@code invalid cursor} when it is
     *     not one this encoding produced
     */
    public static ScanCursor parse(String text, Limits limits) {
        if (text.equals("0")) {
            return START;
        }
        // the longest cursor: the fixed bytes and a key of the largest size, in decimal (< 2.5 digits a byte)
        int maxDigits = (FIXED_BYTES + limits.maxKeyBytes()) * 5 / 2 + 1;
        if (text.isEmpty() || text.length() > maxDigits || !text.chars().allMatch(c -> c >= '0' && c <= '9')
            || text.charAt(0) == '0') {
            // only "0" starts with a zero: one position, one spelling
            throw invalid();
        }
        if (text.length() <= TOKEN_DIGITS) {
            long place;
            try {
                place = Long.parseUnsignedLong(text);
            } catch (NumberFormatException e) {
                throw invalid();
            }
            return new ScanCursor(place ^ Long.MIN_VALUE, null);
        }
        byte[] bytes = new BigInteger(text).toByteArray();
        if (bytes.length < FIXED_BYTES || bytes[0] != FORMAT || bytes[FIXED_BYTES - 1] > 1 || bytes[FIXED_BYTES - 1] < 0
            || bytes[FIXED_BYTES - 1] == 0 && bytes.length != FIXED_BYTES
            || bytes.length - FIXED_BYTES > limits.maxKeyBytes()) {
            throw invalid();
        }
        long token = ByteBuffer.wrap(bytes, 1, Long.BYTES).getLong();
        Key afterKey = bytes[FIXED_BYTES - 1] == 0 ? null
            : Key.of(Arrays.copyOfRange(bytes, FIXED_BYTES, bytes.length), limits);
        ScanCursor cursor = new ScanCursor(token, afterKey);
        if (cursor.equals(START)) {
            // only "0" names the start: one position, one spelling
            throw invalid();
        }
        return cursor;
    }

    /** @return the cursor a client sends back: {@code "0"} for {@link #START} */
    public String encode() {
        if (equals(START)) {
            return "0";
        }
        if (afterKey == null) {
            return Long.toUnsignedString(token ^ Long.MIN_VALUE);
        }
        byte[] key = afterKey.toByteArray();
        ByteBuffer bytes = ByteBuffer.allocate(FIXED_BYTES + key.length);
        bytes.put(FORMAT).putLong(token).put((byte) 1).put(key);
        return new BigInteger(1, bytes.array()).toString();
    }

    private static KvException invalid() {
        return new KvException(ErrorCode.INVALID_ARGUMENT, INVALID);
    }
}
