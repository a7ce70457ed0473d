package io.ringkv.api;

import java.util.ArrayList;
import java.util.List;

/**
 * What a key holds after resolution: zero or more concurrent versions (siblings), tombstones included, in a
 * deterministic order ({@link Version#LWW_ORDER}). Immutable.
 *
 * @param versions the siblings
 */
public record SiblingSet(List<Versioned> versions) {
    /** A key that holds nothing. */
    public static final SiblingSet EMPTY = new SiblingSet(List.of());

    /** Copies and orders {@code versions}. */
    public SiblingSet {
        List<Versioned> sorted = new ArrayList<>(versions);
        sorted.sort((a, b) -> Version.LWW_ORDER.compare(a.version(), b.version()));
        versions = List.copyOf(sorted);
    }

    /** @return the number of siblings, tombstones included */
    public int size() {
        return versions.size();
    }

    /** @return true when the key holds nothing, not even a tombstone */
    public boolean isEmpty() {
        return versions.isEmpty();
    }

    /** @return the live values, in the set's order; empty when the key is absent or deleted */
    public List<Value> values() {
        List<Value> values = new ArrayList<>();
        for (Versioned versioned : versions) {
            if (!versioned.isTombstone()) {
                values.add(versioned.value());
            }
        }
        return List.copyOf(values);
    }

    /** @return true when no sibling holds a value (absent, or every sibling is a tombstone) */
    public boolean isDeleted() {
        return values().isEmpty();
    }

    /** @return the last-write-wins winner (a tombstone when the newest write was a delete), or null when empty */
    public Versioned newest() {
        return versions.isEmpty() ? null : versions.getLast();
    }

    /**
     * @return the context a client passes back to supersede every sibling here, carrying their highest timestamp
     */
    public CausalContext context() {
        VectorClock merged = VectorClock.empty();
        HybridTimestamp latest = HybridTimestamp.ZERO;
        for (Versioned versioned : versions) {
            merged = merged.merge(versioned.version().clock());
            if (versioned.version().timestamp().isAfter(latest)) {
                latest = versioned.version().timestamp();
            }
        }
        return new CausalContext(merged, latest);
    }

    /**
     * @return this set as a reader sees it at {@code nowMillis}: every value that has expired by then shown as a
     *     tombstone of the same version (so {@link #values()} leaves it out and {@link #context()} still covers it,
     *     and a write with that context supersedes it); this set itself when nothing expired
     */
    public SiblingSet visibleAt(long nowMillis) {
        boolean any = false;
        for (Versioned versioned : versions) {
            any |= versioned.isExpiredAt(nowMillis);
        }
        if (!any) {
            return this;
        }
        List<Versioned> visible = new ArrayList<>(versions.size());
        for (Versioned versioned : versions) {
            visible.add(versioned.isExpiredAt(nowMillis) ? Versioned.tombstone(versioned.version()) : versioned);
        }
        return new SiblingSet(visible);
    }

    /**
     * @return the instant the key's live values stop reading, {@link Version#NEVER} when a live value never expires
     *     or none is live: the latest expiry among the live siblings
     */
    public long expiresAtMillis() {
        long latest = Version.NEVER;
        for (Versioned versioned : versions) {
            if (versioned.isTombstone()) {
                continue;
            }
            if (!versioned.version().expires()) {
                return Version.NEVER;
            }
            latest = Math.max(latest, versioned.version().expiresAtMillis());
        }
        return latest;
    }

    /** @return true when {@code versioned} is one of the siblings */
    public boolean contains(Versioned versioned) {
        return versions.contains(versioned);
    }
}
