package io.ringkv.replication.internal;

import io.ringkv.api.ConflictResolver;
import io.ringkv.api.SiblingSet;
import io.ringkv.api.Versioned;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * {@code vector-clock}, with dotted version vectors: a version is dropped exactly when another version's past
 * covers its dot (a write whose client saw it), or when it is a change of expiry another version's past makes moot
 * ({@link io.ringkv.api.Version#yieldsTo}: a write that saw all the change read, such as a {@code DEL} racing an
 * {@code EXPIRE}); every other version survives as a sibling. Two writes with the same context, through one
 * coordinator or two, have distinct dots that neither past covers, so both survive. Both relations together order
 * versions strictly and transitively (a version that supersedes or makes moot one that makes another moot covers
 * that one's past too), and the survivors are the maximal elements of the union, which makes resolution
 * idempotent, commutative and associative; {@code ResolversTest} checks that over random histories.
 */
public final class VectorClockResolver implements ConflictResolver {
    /** The name clusters choose this resolver by. */
    public static final String NAME = "vector-clock";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public SiblingSet resolve(Collection<Versioned> versions) {
        // a handful of versions (siblings times replies): compared pairwise, where a hash set would hash every
        // value's bytes; two different versions differ in their first field, so most comparisons end there
        List<Versioned> distinct = new ArrayList<>(versions.size());
        for (Versioned versioned : versions) {
            if (!distinct.contains(versioned)) {
                distinct.add(versioned);
            }
        }
        List<Versioned> survivors = new ArrayList<>();
        for (Versioned candidate : distinct) {
            if (!isDominated(candidate, distinct)) {
                survivors.add(candidate);
            }
        }
        return new SiblingSet(survivors);
    }

    private static boolean isDominated(Versioned candidate, List<Versioned> all) {
        for (Versioned other : all) {
            if (candidate.version().isSupersededBy(other.version()) || candidate.version().yieldsTo(other.version())) {
                return true;
            }
        }
        return false;
    }
}
