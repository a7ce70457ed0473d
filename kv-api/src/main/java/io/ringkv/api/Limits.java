package io.ringkv.api;

/**
 * Size limits for keys and values, enforced at every edge where data enters a node.
 *
 * @param maxKeyBytes largest key accepted, in bytes (default 1 KiB)
 * @param maxValueBytes largest value accepted, in bytes (default 10 KiB)
 */
public record Limits(int maxKeyBytes, int maxValueBytes) {
    /** Largest key limit that may be configured: keys are held in memory indexes, so they stay small. */
    public static final int KEY_LIMIT_CEILING = 64 * 1024;
    /** Largest value limit that may be configured: a value must cross the network in one logical message. */
    public static final int VALUE_LIMIT_CEILING = 1024 * 1024;

    /**
     * The ceilings themselves: for bytes already accepted once under the configured limits, read back from
     * storage or checked by a codec against them. A limit lowered later never makes data a node holds unreadable.
     */
    public static final Limits CEILING = new Limits(KEY_LIMIT_CEILING, VALUE_LIMIT_CEILING);

    /** The defaults: 1 KiB keys, 10 KiB values. */
    public static final Limits DEFAULT = new Limits(1024, 10 * 1024);

    /**
     * @throws KvException with {@link ErrorCode#INVALID_CONFIGURATION} when a limit is outside its range
     */
    public Limits {
        if (maxKeyBytes < 1 || maxKeyBytes > KEY_LIMIT_CEILING) {
            throw new KvException(ErrorCode.INVALID_CONFIGURATION,
                "max key size must be between 1 and " + KEY_LIMIT_CEILING + " bytes, was " + maxKeyBytes);
        }
        if (maxValueBytes < 0 || maxValueBytes > VALUE_LIMIT_CEILING) {
            throw new KvException(ErrorCode.INVALID_CONFIGURATION,
                "max value size must be between 0 and " + VALUE_LIMIT_CEILING + " bytes, was " + maxValueBytes);
        }
    }

    /**
     * @param length a key's length in bytes
     * @throws KvException with {@link ErrorCode#KEY_TOO_LARGE} when over the limit
     */
    public void checkKeyLength(int length) {
        if (length > maxKeyBytes) {
            throw new KvException(ErrorCode.KEY_TOO_LARGE,
                "key is " + length + " bytes; the limit is " + maxKeyBytes + " bytes");
        }
    }

    /**
     * @param length a value's length in bytes
     * @throws KvException with {@link ErrorCode#VALUE_TOO_LARGE} when over the limit
     */
    public void checkValueLength(int length) {
        if (length > maxValueBytes) {
            throw new KvException(ErrorCode.VALUE_TOO_LARGE,
                "value is " + length + " bytes; the limit is " + maxValueBytes + " bytes");
        }
    }
}
