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
 * <p>It also carries the highest {@link HybridTimestamp} of the versions read ({@link #latest()}): the replica that
 * coordinates a write with it stamps the write after that time, so under last-write-wins a replica whose wall clock
 * runs behind the one that wrote what the client read cannot make the new write lose to it.
 *
 * @param clock the merged clock of the versions read
 * @param latest the highest timestamp of the versions read; {@link HybridTimestamp#ZERO} when unknown (a context of
 *     format 2, from before contexts carried it) or when nothing was read
 */
public record CausalContext(VectorClock clock, HybridTimestamp latest) {
    /** The context of a client that read nothing: a write with it supersedes nothing. */
    public static final CausalContext EMPTY = new CausalContext(VectorClock.empty());

    /** @throws NullPointerException when a part is missing */
    public CausalContext {
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(latest, "latest");
    }

    /** A context that covers {@code clock} and carries no timestamp ({@link HybridTimestamp#ZERO}). */
    public CausalContext(VectorClock clock) {
        this(clock, HybridTimestamp.ZERO);
    }

    /** @return the opaque encoding */
    public byte[] toBytes() {
        return VersionEncoding.encodeContext(this);
    }

    /**
     * @throws KvException with {@link ErrorCode#INVALID_ARGUMENT} when {@code bytes} is not a context of the current
     *     format (3) or the one before it (2, read with no timestamp), saying why
     */
    public static CausalContext fromBytes(byte[] bytes) {
        return VersionEncoding.decodeContext(bytes);
    }
}
