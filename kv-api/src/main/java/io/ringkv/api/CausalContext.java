package io.ringkv.api;

import java.util.Objects;

/**
 * What a client saw when it read a key: the join of the {@link Version#clock()}s of every version it was shown. A
 * write that carries it supersedes exactly the writes the client saw and what those had superseded; a write the
 * client did not see (a concurrent one, even one coordinated by the same node) is never superseded by it and stays
 * a sibling. See {@link Version} for why the vector is exact. Opaque to clients: {@link #toBytes()} and
 * {@link #fromBytes(byte[])} carry it across the front door in a versioned format; a context of another format
 * (one from before dotted version vectors included) is refused, never guessed at.
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
     * @throws KvException with {@link ErrorCode#INVALID_ARGUMENT} when {@code bytes} is not a context of the current
     *     format, saying why
     */
    public static CausalContext fromBytes(byte[] bytes) {
        return new CausalContext(VersionEncoding.decodeContext(bytes));
    }
}
