package io.ringkv.replication.internal;

import io.ringkv.api.ConflictResolver;
import io.ringkv.api.SiblingSet;
import io.ringkv.api.Version;
import io.ringkv.api.Versioned;
import java.util.Collection;
import java.util.List;

/**
 * {@code lww}: the version with the highest hybrid timestamp wins, ties broken by the writer's node id
 * ({@link Version#LWW_ORDER}), so every replica picks the same winner. Never keeps siblings. Hybrid timestamps
 * order causally related writes correctly under clock skew; truly concurrent writes lose all but one.
 */
public final class LwwResolver implements ConflictResolver {
    /** The name clusters choose this resolver by. */
    public static final String NAME = "lww";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public SiblingSet resolve(Collection<Versioned> versions) {
        Versioned winner = null;
        for (Versioned candidate : versions) {
            if (winner == null || Version.LWW_ORDER.compare(candidate.version(), winner.version()) > 0) {
                winner = candidate;
            }
        }
        return winner == null ? SiblingSet.EMPTY : new SiblingSet(List.of(winner));
    }
}
