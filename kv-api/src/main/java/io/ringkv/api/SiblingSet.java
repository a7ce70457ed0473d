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

    /** @return true when {@code versioned} is one of the siblings */
    public boolean contains(Versioned versioned) {
        return versions.contains(versioned);
    }
}
