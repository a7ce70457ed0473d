package io.ringkv.api;

import java.util.Objects;

/**
 * What a write does to its key's expiry, resolved to an instant ({@link Version#expiresAtMillis()}) by the replica
 * that issues the write's dot, so every replica stores the same instant: a relative time to live counts from the
 * write's hybrid timestamp, not from each replica's clock.
 *
 * @param kind how the instant is chosen
 * @param millis the time to live for {@link Kind#AFTER}, the instant for {@link Kind#AT}, 0 otherwise
 * @param onlyIfLive true for a change of a value's expiry ({@code EXPIRE}, {@code PERSIST}): the replica that issues
 *     the write's dot writes nothing when it has seen all the versions the write replaces and none of them lives
 *     there by the write's timestamp (they expired, or a delete superseded them), so a change that raced the
 *     value's expiry or a delete cannot bring it back
 */
public record Expiry(Kind kind, long millis, boolean onlyIfLive) {
    /** The value never expires (a plain {@code SET}, {@code PERSIST}). */
    public static final Expiry NONE = new Expiry(Kind.NONE, 0);
    /** The value keeps the expiry of the value it replaces ({@code SET ... KEEPTTL}). */
    public static final Expiry KEEP = new Expiry(Kind.KEEP, 0);

    /** How an expiry instant is chosen. */
    public enum Kind {
        /** Never expires. */
        NONE,
        /** {@code millis} after the write's timestamp. */
        AFTER,
        /** At the instant {@code millis} (milliseconds since the epoch). */
        AT,
        /**
         * The instant of the value the write replaces, the newest of them when it replaces siblings (the one a read
         * answers); never when it replaces none, or the newest is a delete.
         */
        KEEP
    }

    /** When a change of a key's expiry applies (Redis' {@code EXPIRE} options), given its current expiry. */
    public enum Condition {
        /** Always. */
        ALWAYS,
        /** Only when the key has no expiry ({@code NX}). */
        NX,
        /** Only when the key has an expiry ({@code XX}). */
        XX,
        /** Only when the new expiry is later; a key without one counts as expiring never, so never ({@code GT}). */
        GT,
        /** Only when the new expiry is earlier; a key without one counts as expiring never, so always ({@code LT}). */
        LT,
        /** Only when the key has an expiry and the new one is earlier ({@code XX LT}). */
        XX_LT;

        /**
         * @param currentMillis the key's expiry, {@link Version#NEVER} for none
         * @param nextMillis the new expiry, {@link Version#NEVER} for none
         * @return true when the change applies
         */
        public boolean allows(long currentMillis, long nextMillis) {
            long current = currentMillis == Version.NEVER ? Long.MAX_VALUE : currentMillis;
            long next = nextMillis == Version.NEVER ? Long.MAX_VALUE : nextMillis;
            return switch (this) {
                case ALWAYS -> true;
                case NX -> currentMillis == Version.NEVER;
                case XX -> currentMillis != Version.NEVER;
                case GT -> currentMillis != Version.NEVER && next > current;
                case LT -> next < current;
                case XX_LT -> currentMillis != Version.NEVER && next < current;
            };
        }
    }

    /** @throws KvException with {@link ErrorCode#INVALID_ARGUMENT} when {@code millis} does not suit the kind */
    public Expiry {
        Objects.requireNonNull(kind, "kind");
        boolean timed = kind == Kind.AFTER || kind == Kind.AT;
        if (timed ? millis < 1 : millis != 0) {
            throw new KvException(ErrorCode.INVALID_ARGUMENT, timed
                ? "an expiry must be at least 1 ms, was " + millis : kind + " expiry takes no time, was " + millis);
        }
    }

    /** An expiry that applies to any write. */
    public Expiry(Kind kind, long millis) {
        this(kind, millis, false);
    }

    /** @return this expiry for a change of a live value's expiry only (see {@link #onlyIfLive()}) */
    public Expiry ofLiveValueOnly() {
        return new Expiry(kind, millis, true);
    }

    /**
     * @return the expiry that writes {@code expiresAtMillis} as it stands, a version's {@link Version#expiresAtMillis()}:
     *     {@link #NONE} for {@link Version#NEVER}, else at that instant
     */
    public static Expiry atInstant(long expiresAtMillis) {
        return expiresAtMillis == Version.NEVER ? NONE : at(expiresAtMillis);
    }

    /** @return expiry {@code millis} (at least 1) after the write */
    public static Expiry after(long millis) {
        return new Expiry(Kind.AFTER, millis);
    }

    /** @return expiry at {@code epochMillis} (at least 1) */
    public static Expiry at(long epochMillis) {
        return new Expiry(Kind.AT, epochMillis);
    }

    /**
     * An expiry a client gave as a count of seconds or milliseconds, the one range rule of every front door.
     *
     * @param amount the count the client sent
     * @param unitMillis what one of it is in milliseconds (1000 for seconds, 1 for milliseconds)
     * @param absolute true when {@code amount} names an instant (since the epoch), false for a time to live
     * @param nowMillis the front door's clock: a time to live must not reach past {@code Long.MAX_VALUE} from it
     * @return the expiry, or empty when {@code amount} is not positive or too large for milliseconds
     */
    public static java.util.Optional<Expiry> ofAmount(long amount, long unitMillis, boolean absolute, long nowMillis) {
        if (amount <= 0 || amount > Long.MAX_VALUE / unitMillis
            || !absolute && amount * unitMillis > Long.MAX_VALUE - Math.max(0, nowMillis)) {
            return java.util.Optional.empty();
        }
        long millis = amount * unitMillis;
        return java.util.Optional.of(absolute ? at(millis) : after(millis));
    }

    /**
     * @param stamp the replica's hybrid time for the write, from which a time to live counts
     * @param replacedMillis the expiry of the live value the write replaces ({@link Version#NEVER} for none)
     * @return the write's {@link Version#expiresAtMillis()}; a time to live that would pass {@code Long.MAX_VALUE}
     *     saturates there
     */
    public long resolve(HybridTimestamp stamp, long replacedMillis) {
        return switch (kind) {
            case NONE -> Version.NEVER;
            case AT -> millis;
            case KEEP -> replacedMillis;
            case AFTER -> {
                long sum = stamp.physicalMillis() + millis;
                yield sum < 0 ? Long.MAX_VALUE : sum;
            }
        };
    }
}
