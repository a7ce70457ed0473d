package io.ringkv.ring.internal;

import io.ringkv.api.Node;
import io.ringkv.ring.Ring;
import io.ringkv.ring.TokenAllocator;
import io.ringkv.ring.TokenAllocators;
import java.util.random.RandomGenerator;

/**
 * Chooses tokens that even out replicated ownership, in the spirit of Cassandra 4's
 * ReplicationAwareTokenAllocator (own implementation). While the ring has fewer than N nodes every node
 * replicates everything, so a joiner gets evenly spaced tokens ({@link EvenSpacing}); from then on each
 * token is placed by a lazy greedy search that minimises the spread of replicated ownership
 * ({@link BalancedJoin}). Replicas are modelled as the first N distinct nodes clockwise: racks are ignored,
 * so on a ring with several racks the balance is approximate. Randomness is used only for the first node.
 */
public final class BalancedTokenAllocator implements TokenAllocator {
    private final RandomGenerator random;

    /** @param random the source of the first node's offset */
    public BalancedTokenAllocator(RandomGenerator random) {
        this.random = random;
    }

    @Override
    public String name() {
        return TokenAllocators.BALANCED;
    }

    @Override
    public long[] allocate(Ring current, Node joining, int vnodes) {
        AllocationRequests.check(current, joining, vnodes);
        if (current.size() < current.replicationFactor()) {
            return EvenSpacing.allocate(current, vnodes, random);
        }
        return BalancedJoin.allocate(current, vnodes);
    }
}
