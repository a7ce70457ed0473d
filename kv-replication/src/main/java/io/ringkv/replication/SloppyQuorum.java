package io.ringkv.replication;

import io.ringkv.api.Node;
import io.ringkv.api.NodeId;
import io.ringkv.ring.PreferenceList;
import io.ringkv.ring.Ring;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Where a write goes when some of its key's replicas are down: each DOWN replica among the key's first N is
 * replaced by a <em>substitute</em>, the next healthy node clockwise on the ring that is not one of the key's
 * replicas and not already a substitute, which keeps the write as a hint for that replica (Dynamo's sloppy quorum).
 * Like the preference list, substitutes are distinct physical nodes and spread over failure domains: a node whose
 * zone and rack no other copy of the write uses is taken before one that repeats a domain. A pure function of the
 * ring and a liveness view; shared by the coordinator and the availability experiment.
 */
public final class SloppyQuorum {
    private SloppyQuorum() {
    }

    /**
     * The targets of one write.
     *
     * @param owners the key's first N replicas (fewer when the ring has fewer nodes), in preference order
     * @param alive for each owner, whether the liveness view believes it alive
     * @param substitutes for each owner that is down, the node that keeps its hint; null where the owner is alive
     *     or no healthy node is left to stand in (always null without sloppy quorum)
     */
    public record Targets(List<NodeId> owners, boolean[] alive, NodeId[] substitutes) {
        /** @return owners believed alive */
        public int liveOwners() {
            int count = 0;
            for (boolean up : alive) {
                if (up) {
                    count++;
                }
            }
            return count;
        }

        /** @return down owners that got a substitute */
        public int substituted() {
            int count = 0;
            for (NodeId substitute : substitutes) {
                if (substitute != null) {
                    count++;
                }
            }
            return count;
        }
    }

    /**
     * @param ring the ring (not empty)
     * @param token the key's token
     * @param n how many of the key's replicas the request uses (at most the ring's replication factor)
     * @param liveness which nodes are believed alive
     * @param sloppy whether down owners get substitutes
     * @return the owners, which are alive, and their substitutes
     */
    public static Targets select(Ring ring, long token, int n, LivenessView liveness, boolean sloppy) {
        return select(ring, token, n, liveness, sloppy, Set.of());
    }

    /**
     * As {@link #select(Ring, long, int, LivenessView, boolean)}, with nodes that may not stand in.
     *
     * @param notSubstitutes the key's pending replicas (nodes that gain it in the ring the cluster moves to): such a
     *     node takes the write as a replica, and as a substitute would hold it only as a hint for another owner
     */
    public static Targets select(Ring ring, long token, int n, LivenessView liveness, boolean sloppy,
                                 java.util.Collection<NodeId> notSubstitutes) {
        PreferenceList list = ring.preferenceList(token);
        int count = Math.min(n, list.size());
        List<NodeId> owners = new ArrayList<>(count);
        boolean[] alive = new boolean[count];
        NodeId[] substitutes = new NodeId[count];
        boolean anyDown = false;
        for (int i = 0; i < count; i++) {
            NodeId id = list.get(i).id();
            owners.add(id);
            alive[i] = liveness.isAlive(id);
            anyDown |= !alive[i];
        }
        if (!sloppy || !anyDown || ring.size() <= list.size()) {
            return new Targets(List.copyOf(owners), alive, substitutes);
        }
        // the failure domains the write's copies already use: live owners first, then each substitute chosen
        Set<String> usedDomains = new HashSet<>();
        for (int i = 0; i < count; i++) {
            if (alive[i]) {
                usedDomains.add(list.get(i).failureDomain());
            }
        }
        // a few more candidates than down owners, so that a domain not used yet can be preferred
        List<Node> candidates = healthyBeyond(ring, token, list, liveness, 3 * count, notSubstitutes);
        for (int i = 0; i < count; i++) {
            if (alive[i] || candidates.isEmpty()) {
                continue;
            }
            Node chosen = candidates.getFirst();
            for (Node candidate : candidates) {
                if (!usedDomains.contains(candidate.failureDomain())) {
                    chosen = candidate;
                    break;
                }
            }
            candidates.remove(chosen);
            usedDomains.add(chosen.failureDomain());
            substitutes[i] = chosen.id();
        }
        return new Targets(List.copyOf(owners), alive, substitutes);
    }

    /**
     * @return up to {@code wanted} healthy nodes that are not in {@code list}, in the order a clockwise walk from the
     *     key's range meets them (each once)
     */
    private static List<Node> healthyBeyond(Ring ring, long token, PreferenceList list, LivenessView liveness,
                                            int wanted, java.util.Collection<NodeId> excluded) {
        List<Node> found = new ArrayList<>();
        Set<NodeId> seen = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            seen.add(list.get(i).id());
        }
        int listed = seen.size();
        for (NodeId id : excluded) {
            // only members of this ring: the walk stops once it has seen every one of them
            if (ring.contains(id)) {
                seen.add(id);
            }
        }
        int others = ring.size() - list.size();
        int start = ring.tokenIndexFor(token);
        int tokens = ring.tokenCount();
        for (int step = 0; step < tokens && seen.size() - listed < others && found.size() < wanted; step++) {
            Node node = ring.node(ring.ownerIndex((start + step) % tokens));
            if (seen.add(node.id()) && liveness.isAlive(node.id())) {
                found.add(node);
            }
        }
        return found;
    }
}
