package io.ringkv.api;

import java.util.Objects;

/**
 * What a client saw when it read a key: the merged clock of every version it was shown. A write that carries it
 * supersedes exactly those versions. Opaque to clients: {@link #toBytes()} and {@link #fromBytes(byte[])} carry it
 * across the front door.
 *
 * @param clock the merged clock of the versions read
 */
public record CausalContext(VectorClock clock) {
    /** The context of a client that read nothing: a write with it supersedes nothing. */
    public static final CausalContext EMPTY = new CausalContext(VectorClock.empty());

    /** @throws NullPointerException when the clock is missing */
    public CausalContext {
        Objects.requireNonNull(clock, "clock");
    }

    /** @return the opaque encoding */
    public byte[] toBytes() {
        return VersionEncoding.encodeContext(clock);
    }

    /**
     * @throws KvException with {@link ErrorCode#INVALID_ARGUMENT} when {@code bytes} is not a context
     */
    public static CausalContext fromBytes(byte[] bytes) {
        return new CausalContext(VersionEncoding.decodeContext(bytes));
    }
}
