package io.ringkv.ring;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import io.ringkv.api.Node;

/**
 * Chooses the virtual-node tokens of a node that joins a ring. Implementations are deterministic given the
 * {@link java.util.random.RandomGenerator} they were created with; create them with {@link TokenAllocators}.
 */
public interface TokenAllocator {
    /** @return the name the strategy is chosen by in configuration */
    String name();

    /**
     * @param current the ring before the join
     * @param joining the node that joins; its failure domain may be ignored (see the implementation)
     * @param vnodes how many tokens to choose, 1 to {@link TokenAllocators#MAX_VNODES}
     * @return {@code vnodes} distinct tokens in ascending order, none already on {@code current} and none
     *     {@code Long.MIN_VALUE}; {@code current.withNode(joining, tokens)} always succeeds
     * @throws KvException with {@link ErrorCode#INVALID_ARGUMENT} when {@code joining} is already on the ring
     *     or {@code vnodes} is out of range
     */
    long[] allocate(Ring current, Node joining, int vnodes);
}
