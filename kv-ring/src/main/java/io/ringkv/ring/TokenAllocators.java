package io.ringkv.ring;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import io.ringkv.ring.internal.BalancedTokenAllocator;
import io.ringkv.ring.internal.RandomTokenAllocator;
import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * The token allocation strategies, by name: {@value #RANDOM} (uniformly random tokens, as in the Dynamo paper)
 * and {@value #BALANCED} (tokens that even out the replicated ownership of every node, in the manner of
 * Cassandra 4's replication-aware allocator). The default is {@value #BALANCED} with {@value #DEFAULT_VNODES}
 * virtual nodes per node. Neither strategy looks at racks: {@value #BALANCED} models replicas as the first N
 * distinct nodes clockwise, so on a ring with several racks its balance is only approximate (the ring itself
 * still places replicas rack-aware).
 */
public final class TokenAllocators {
    /** Name of the uniformly random strategy. */
    public static final String RANDOM = "random";
    /** Name of the ownership-balancing strategy. */
    public static final String BALANCED = "balanced";
    /** Strategy used when configuration names none. */
    public static final String DEFAULT_STRATEGY = BALANCED;
    /** Virtual nodes per node when configuration names no number. */
    public static final int DEFAULT_VNODES = 16;
    /** Most virtual nodes one node may have. */
    public static final int MAX_VNODES = 4096;

    private static final List<String> NAMES = List.of(BALANCED, RANDOM);

    private TokenAllocators() {
    }

    /** @return the names {@link #create} accepts, sorted */
    public static List<String> names() {
        return NAMES;
    }

    /**
     * @param name a strategy name from {@link #names()}
     * @param random the only source of randomness the allocator will use; seed it to replay an allocation
     * @return a new allocator; it keeps no state between calls other than {@code random}'s
     * @throws KvException with {@link ErrorCode#INVALID_CONFIGURATION} when the name is unknown
     */
    public static TokenAllocator create(String name, RandomGenerator random) {
        Objects.requireNonNull(random, "random");
        return switch (String.valueOf(name)) {
            case RANDOM -> new RandomTokenAllocator(random);
            case BALANCED -> new BalancedTokenAllocator(random);
            default -> throw new KvException(ErrorCode.INVALID_CONFIGURATION,
                "unknown token allocation strategy '" + name + "'; known strategies: " + String.join(", ", NAMES));
        };
    }
}
