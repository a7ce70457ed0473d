package io.ringkv.benchmarks.availability;

import io.ringkv.api.Node;
import io.ringkv.ring.Ring;
import io.ringkv.ring.RingSimulation;
import io.ringkv.ring.TokenAllocator;
import io.ringkv.ring.TokenAllocators;
import java.util.random.RandomGenerator;

/** The experiment's ring: nodes n1..nN joined one by one with the balanced allocator, spread over racks. */
public final class ExperimentRing {
    private static final int ZONES = 3;

    private ExperimentRing() {
    }

    /**
     * @param nodes how many nodes
     * @param vnodes tokens per node
     * @param racks failure domains, assigned round-robin (rack r is in zone r mod 3)
     * @param n the replication factor
     * @param random the allocator's only randomness
     * @return the ring, the same for the same arguments and seed
     */
    public static Ring build(int nodes, int vnodes, int racks, int n, RandomGenerator random) {
        TokenAllocator allocator = TokenAllocators.create(TokenAllocators.BALANCED, random);
        Ring ring = Ring.empty(n);
        for (int number = 1; number <= nodes; number++) {
            int rack = (number - 1) % racks;
            Node node = RingSimulation.node(number).inRack("zone" + rack % ZONES, "rack" + rack);
            ring = ring.withNode(node, allocator.allocate(ring, node, vnodes));
        }
        return ring;
    }
}
