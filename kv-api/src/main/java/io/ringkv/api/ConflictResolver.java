package io.ringkv.api;

import java.util.Collection;

/**
 * Decides which versions of a key survive when replicas or writes meet. A plugin: implementations are found with
 * {@link java.util.ServiceLoader} and chosen by {@link #name()} per cluster; every node of a cluster must use the
 * same one.
 *
 * <p>Contract: {@link #resolve} is deterministic, idempotent ({@code resolve(resolve(x)) == resolve(x)}),
 * commutative and associative over its input (a union of versions, in any order or grouping, resolves to the same
 * set), and returns a subset of its input without duplicates. Replicas and coordinators rely on this to converge.
 */
public interface ConflictResolver {
    /** @return the name clusters choose this resolver by, e.g. {@code lww} */
    String name();

    /**
     * @param versions versions of one key from any mix of replicas and writes; may repeat
     * @return the versions that survive
     */
    SiblingSet resolve(Collection<Versioned> versions);
}
