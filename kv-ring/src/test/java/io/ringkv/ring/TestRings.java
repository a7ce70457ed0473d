package io.ringkv.ring;

import io.ringkv.api.Node;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/** Builds random rings for tests and answers lookups the slow, obviously correct way. */
final class TestRings {
    private TestRings() {
    }

    /** @return node {@code i} in rack {@code rack} of zone "z1" */
    static Node node(int i, String rack) {
        return RingSimulation.node(i).inRack("z1", rack);
    }

    /** @return a ring of {@code nodes} nodes with random token counts up to {@code maxVnodes}, spread over racks */
    static Ring random(SplittableRandom random, int nodes, int maxVnodes, int rf, int racks) {
        Ring.Builder builder = Ring.builder().replicationFactor(rf);
        Set<Long> used = new HashSet<>();
        for (int i = 1; i <= nodes; i++) {
            long[] tokens = new long[1 + random.nextInt(maxVnodes)];
            for (int k = 0; k < tokens.length; k++) {
                long token;
                do {
                    token = random.nextLong();
                } while (token == Long.MIN_VALUE || !used.add(token));
                tokens[k] = token;
            }
            builder.add(node(i, "r" + random.nextInt(racks)), tokens);
        }
        return builder.build();
    }

    /** @return the index of the range holding {@code token}, by linear scan */
    static int scanTokenIndex(Ring ring, long token) {
        for (int i = 0; i < ring.tokenCount(); i++) {
            if (ring.token(i) >= token) {
                return i;
            }
        }
        return 0;
    }

    /**
     * @return the preference list of range {@code tokenIndex} by the rule itself: the first node of each failure
     *     domain in clockwise order (at most N), then the other distinct nodes in clockwise order
     */
    static List<Node> referenceList(Ring ring, int tokenIndex) {
        Set<Node> clockwise = new LinkedHashSet<>();
        for (int step = 0; step < ring.tokenCount(); step++) {
            clockwise.add(ring.node(ring.ownerIndex((tokenIndex + step) % ring.tokenCount())));
        }
        int n = Math.min(ring.replicationFactor(), ring.size());
        List<Node> picks = new ArrayList<>();
        Set<String> domains = new HashSet<>();
        for (Node node : clockwise) {
            if (picks.size() < n && domains.add(node.failureDomain())) {
                picks.add(node);
            }
        }
        for (Node node : clockwise) {
            if (picks.size() < n && !picks.contains(node)) {
                picks.add(node);
            }
        }
        return picks;
    }
}
