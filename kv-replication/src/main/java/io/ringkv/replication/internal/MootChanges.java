package io.ringkv.replication.internal;

import io.ringkv.api.Version;
import io.ringkv.api.Versioned;
import java.util.ArrayList;
import java.util.List;

/**
 * A change of expiry ({@code EXPIRE}, {@code PERSIST}, {@code GETEX}) writes again the value its coordinator read. When
 * it races a {@code DEL} (or a {@code SET} of another value) that also saw that value, the two versions are concurrent
 * by their clocks, and kept side by side the change would answer the old value again. The rule here makes the change
 * count as made first wherever the two meet, before the resolver sees them: a change of expiry is left out when
 * another version's past covers its own ({@link Version#yieldsTo}). The coordinator's second round settles such a race
 * too, but only where it runs; a change that reaches the other replicas by a hint, a read repair or anti-entropy (its
 * coordinator was paused, or cut off past the request timeout) meets the {@code DEL} here.
 *
 * <p>It keeps every replica converging on the same set: the version that makes a change moot stays, and any later
 * write that supersedes it has a past covering it too, so a copy of the change arriving later is left out again.
 */
public final class MootChanges {
    private MootChanges() {
    }

    /** @return {@code versions} without each change of expiry another of them makes moot (itself when none is) */
    public static List<Versioned> drop(List<Versioned> versions) {
        if (versions.size() < 2) {
            return versions;
        }
        List<Versioned> kept = null;
        for (int i = 0; i < versions.size(); i++) {
            Versioned candidate = versions.get(i);
            boolean moot = moot(candidate.version(), versions);
            if (moot && kept == null) {
                kept = new ArrayList<>(versions.subList(0, i));
            } else if (!moot && kept != null) {
                kept.add(candidate);
            }
        }
        return kept == null ? versions : kept;
    }

    private static boolean moot(Version version, List<Versioned> versions) {
        if (!version.expiryChange()) {
            return false;
        }
        for (Versioned other : versions) {
            if (version.yieldsTo(other.version())) {
                return true;
            }
        }
        return false;
    }
}
