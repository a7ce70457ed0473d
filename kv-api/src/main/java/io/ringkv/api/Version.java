package io.ringkv.api;

import java.util.Comparator;
import java.util.Objects;

/**
 * The version of one write, a dotted version vector (Preguiça et al., "Dotted Version Vectors: Logical Clocks for
 * Optimistic Replication", 2010; what Riak 2.0 adopted): the write's own {@link Dot}, its causal {@link #past()}
 * (the context its client wrote with), and its {@link HybridTimestamp} for last-write-wins.
 *
 * <p>The rules that make it exact:
 * <ul>
 * <li>Only a replica of the key issues a dot, and its counter exceeds every counter of that replica it holds for
 *     the key (in stored dots and pasts), the client's context, and every counter that node id issued before, in
 *     any incarnation (a floor from its ever-growing generation): a dot is never issued twice for a key, even when
 *     pruning, a purged tombstone or a lost data directory left no record of the node's earlier dots. The replica
 *     stores the write durably before anyone else sees the dot.</li>
 * <li>The replica then sends its whole resolved sibling set, not only the new version, and read repair sends a
 *     whole resolved set in one message. So a replica that holds a node's dot {@code n} also holds, or holds a past
 *     covering, every earlier dot of that node for the key; a context (the join of what a read returned) therefore
 *     covers exactly the writes its client saw and what those had superseded, and nothing else.</li>
 * <li>A version is superseded by another exactly when the other's past covers its dot ({@link #isSupersededBy}).
 *     Two writes whose contexts did not cover each other's dots are concurrent: both are kept.</li>
 * </ul>
 * A version's {@link #clock()} (past plus dot) is what a context built from it covers. {@link #LWW_ORDER} is the
 * total order last-write-wins uses: timestamp first, writer id on a tie, so every replica picks the same winner.
 *
 * @param dot the write's identity
 * @param past the versions the write supersedes: the client's causal context (possibly pruned)
 * @param timestamp hybrid logical time of the write
 * @param expiresAtMillis when the written value expires, in milliseconds since the epoch on the same wall clock as
 *     the hybrid timestamp's physical part, or {@link #NEVER}; fixed by the replica that issued the dot (a relative
 *     time to live counts from that replica's hybrid clock, which a blind write's {@code timestamp} may pass when it
 *     is stamped after a version from a clock ahead), so every replica holds the same instant. A value past it reads
 *     as absent; a tombstone's is {@link #NEVER}
 * @param expiryChange true for a change of expiry ({@code EXPIRE}, {@code PERSIST}, {@code GETEX}): the write's value
 *     is the one its coordinator read (its past), written again with another expiry, so it makes no value of its
 *     own. Under the {@code vector-clock} resolver such a version never stands beside a write whose past covers its
 *     own past (one that saw everything the change saw: a {@code DEL} or {@code SET} made after the value the change
 *     read): that write wins, as if the change came first ({@link #yieldsTo}); otherwise a change racing a
 *     {@code DEL} would bring the deleted value back wherever the two versions meet (a read, a hint, a repair).
 *     Last-write-wins keeps its one total order, by timestamp (a rule beside it would make resolution depend on the
 *     order versions meet in). A change that deletes ({@code EXPIRE} to an instant passed) is written as a
 *     tombstone, unmarked: a delete
 */
public record Version(Dot dot, VectorClock past, HybridTimestamp timestamp, long expiresAtMillis,
                      boolean expiryChange) {
    /** The {@link #expiresAtMillis()} of a version that never expires. */
    public static final long NEVER = 0;

    /**
     * Highest timestamp last; at equal timestamps a change of expiry first (it is stamped one tick after what it read,
     * so a write that saw the same value and drew the same stamp still wins over it); then by writer id; then by dot
     * counter for totality.
     */
    public static final Comparator<Version> LWW_ORDER = Comparator.comparing(Version::timestamp)
        .thenComparing(v -> !v.expiryChange())
        .thenComparing(Version::writer)
        .thenComparingLong(v -> v.dot().counter());

    /** @throws NullPointerException when a part is missing */
    public Version {
        Objects.requireNonNull(dot, "dot");
        Objects.requireNonNull(past, "past");
        Objects.requireNonNull(timestamp, "timestamp");
        if (expiresAtMillis < 0) {
            throw new KvException(ErrorCode.INVALID_ARGUMENT, "expiry must be at least 0 (never), was "
                + expiresAtMillis);
        }
    }

    /** A version that never expires. */
    public Version(Dot dot, VectorClock past, HybridTimestamp timestamp) {
        this(dot, past, timestamp, NEVER);
    }

    /** A version that is not a change of expiry. */
    public Version(Dot dot, VectorClock past, HybridTimestamp timestamp, long expiresAtMillis) {
        this(dot, past, timestamp, expiresAtMillis, false);
    }

    /**
     * @return true when this is a change of expiry ({@link #expiryChange()}) that {@code other} makes moot: another
     *     write whose past covers this one's past, and that is not a change of expiry made from the same past (two
     *     changes of the same read stay siblings, as any two concurrent writes)
     */
    public boolean yieldsTo(Version other) {
        return expiryChange && !dot.equals(other.dot) && other.past.covers(past)
            && !(other.expiryChange && past.covers(other.past));
    }

    /** @return true when this version's value expires at some instant */
    public boolean expires() {
        return expiresAtMillis != NEVER;
    }

    /** @return true when this version's value has expired by {@code nowMillis} (wall clock, ms since the epoch) */
    public boolean isExpiredAt(long nowMillis) {
        return expiresAtMillis != NEVER && expiresAtMillis <= nowMillis;
    }

    /** @return the node that coordinated the write (the dot's node) */
    public NodeId writer() {
        return dot.node();
    }

    /** @return the write's causal history including itself: its past with its dot added */
    public VectorClock clock() {
        if (past.covers(dot)) {
            return past;
        }
        return past.with(dot.node(), dot.counter(), timestamp.physicalMillis());
    }

    /** @return true when {@code other}'s past covers this version's dot: the other write saw this one */
    public boolean isSupersededBy(Version other) {
        return other.past.covers(dot);
    }

    /**
     * @return {@link Occurred#EQUAL} for the same dot, {@link Occurred#BEFORE} when {@code other} supersedes this,
     *     {@link Occurred#AFTER} when this supersedes {@code other}, otherwise {@link Occurred#CONCURRENT}
     */
    public Occurred compare(Version other) {
        if (dot.equals(other.dot)) {
            return Occurred.EQUAL;
        }
        if (isSupersededBy(other)) {
            return Occurred.BEFORE;
        }
        return other.isSupersededBy(this) ? Occurred.AFTER : Occurred.CONCURRENT;
    }
}
