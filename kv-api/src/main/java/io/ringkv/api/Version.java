package io.ringkv.api;

import java.util.Comparator;
import java.util.Objects;

/**
 * The version of one write: its causal history as a {@link VectorClock}, its {@link HybridTimestamp} for
 * last-write-wins, and the node that coordinated it. Two versions are the same write exactly when all three are
 * equal. {@link #LWW_ORDER} is the total order last-write-wins uses: timestamp first, writer id on a tie, so every
 * replica picks the same winner.
 *
 * @param clock causal history
 * @param timestamp hybrid logical time of the write
 * @param writer the coordinating node
 */
public record Version(VectorClock clock, HybridTimestamp timestamp, NodeId writer) {
    /** Highest timestamp last; equal timestamps ordered by writer id; then by clock size for totality. */
    public static final Comparator<Version> LWW_ORDER = Comparator.comparing(Version::timestamp)
        .thenComparing(Version::writer)
        .thenComparingInt(v -> v.clock().size());

    /** @throws NullPointerException when a part is missing */
    public Version {
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(timestamp, "timestamp");
        Objects.requireNonNull(writer, "writer");
    }

    /** @return how this version's clock relates to {@code other}'s */
    public Occurred compare(Version other) {
        return clock.compare(other.clock);
    }
}
