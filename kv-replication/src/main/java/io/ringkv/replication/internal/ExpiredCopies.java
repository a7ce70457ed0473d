package io.ringkv.replication.internal;

import io.ringkv.api.Dot;
import io.ringkv.api.Versioned;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One write can reach a replica in two forms: with its value, and as a tombstone of the same version when another
 * replica's compaction dropped the value after it expired. Both read as absent; the tombstone is kept, so replicas
 * that compacted and replicas that did not converge on the same record (and the same anti-entropy hash) instead of
 * holding two siblings with one dot.
 */
public final class ExpiredCopies {
    private ExpiredCopies() {
    }

    /** @return {@code versions} without each live copy whose dot is also there as a tombstone */
    public static List<Versioned> collapse(List<Versioned> versions) {
        Set<Dot> deleted = null;
        for (Versioned versioned : versions) {
            if (versioned.isTombstone()) {
                if (deleted == null) {
                    deleted = new HashSet<>();
                }
                deleted.add(versioned.version().dot());
            }
        }
        if (deleted == null) {
            return versions;
        }
        List<Versioned> kept = new ArrayList<>(versions.size());
        for (Versioned versioned : versions) {
            if (versioned.isTombstone() || !deleted.contains(versioned.version().dot())) {
                kept.add(versioned);
            }
        }
        return kept;
    }
}
