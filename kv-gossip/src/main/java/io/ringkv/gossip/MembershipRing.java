package io.ringkv.gossip;

import io.ringkv.api.NodeId;
import io.ringkv.ring.Ring;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds the ring from a gossip view: every endpoint that announced NORMAL or LEAVING with tokens owns them,
 * whatever the failure detector thinks of it (a DOWN node keeps its ranges until an operator removes it). JOINING
 * nodes do not own ranges yet (their announced tokens are pending: see {@link #future}); LEFT ones no longer do. Should two nodes claim the same token (two nodes that joined
 * at the same moment against the same ring), the one with the smaller id keeps it, on every node alike.
 */
public final class MembershipRing {
    /**
     * The application state a node announces when it replaces a dead node: the dead node's id and the generation
     * replaced, {@code id@generation}. While the replacement is JOINING, the future ring gives the dead node's tokens
     * to it; once it is NORMAL, the ring does too, wherever its NORMAL state arrived before the dead node's removal
     * (otherwise the dead node, with the smaller id, would keep the tokens there until the removal arrives). A later
     * generation of the dead node is not affected.
     */
    public static final String REPLACING = "replacing";

    private MembershipRing() {
    }

    /** @return the value of {@link #REPLACING} that names {@code replaced}'s current generation */
    public static String replacing(EndpointState replaced) {
        return replaced.id().value() + "@" + replaced.generation();
    }

    /**
     * @param states the endpoints known
     * @param replicationFactor N of the ring
     * @return the ring those states describe
     */
    public static Ring build(Collection<EndpointState> states, int replicationFactor) {
        return build(withoutReplaced(states, NodeStatus.NORMAL), replicationFactor, NodeStatus.NORMAL,
            NodeStatus.LEAVING);
    }

    /**
     * The ring the cluster is moving to: JOINING nodes that announced tokens own them (they are streaming the
     * ranges they take over), LEAVING ones no longer do. Equal to {@link #build} while no node joins or leaves.
     * Writes also go to the replicas a key has here and not in the current ring.
     */
    public static Ring future(Collection<EndpointState> states, int replicationFactor) {
        return build(withoutReplaced(states, NodeStatus.JOINING, NodeStatus.NORMAL), replicationFactor,
            NodeStatus.NORMAL, NodeStatus.JOINING);
    }

    /** @return {@code states} less those a node in one of {@code replacers} statuses announced it replaces */
    private static List<EndpointState> withoutReplaced(Collection<EndpointState> states, NodeStatus... replacers) {
        List<NodeStatus> statuses = List.of(replacers);
        Map<String, Long> replaced = new HashMap<>();
        for (EndpointState state : states) {
            String target = state.applicationState().get(REPLACING);
            if (statuses.contains(state.status()) && target != null && !target.isEmpty()) {
                int at = target.lastIndexOf('@');
                long generation = Long.MAX_VALUE;
                if (at >= 0) {
                    try {
                        generation = Long.parseLong(target.substring(at + 1));
                    } catch (NumberFormatException e) {
                        generation = Long.MAX_VALUE;
                    }
                }
                replaced.merge(at >= 0 ? target.substring(0, at) : target, generation, Math::max);
            }
        }
        if (replaced.isEmpty()) {
            return List.copyOf(states);
        }
        return states.stream().filter(s -> s.generation() > replaced.getOrDefault(s.id().value(), Long.MIN_VALUE))
            .toList();
    }

    /**
     * @return a ring of every token claimed, owned (NORMAL, LEAVING) or pending (JOINING): what a joiner picks its
     *     tokens against, so that it takes none of them
     */
    public static Ring claimed(Collection<EndpointState> states, int replicationFactor) {
        return build(states, replicationFactor, NodeStatus.NORMAL, NodeStatus.LEAVING, NodeStatus.JOINING);
    }

    /**
     * @return the ring as {@code self} held it: {@link #build}'s without the nodes that claim one of its tokens,
     *     so that {@code self} has every token it claims, the ones those nodes won included; what a node that lost a
     *     token conflict hands over
     */
    public static Ring heldBy(Collection<EndpointState> states, int replicationFactor, NodeId self) {
        Set<Long> mine = new HashSet<>();
        for (EndpointState state : states) {
            if (state.id().equals(self)) {
                for (long token : state.tokens()) {
                    mine.add(token);
                }
            }
        }
        // a node that claims one of this node's tokens is left out altogether: this node did not know it when it
        // held those ranges, and a node still among a range's replicas here would be taken to have it already
        List<EndpointState> held = new ArrayList<>();
        for (EndpointState state : withoutReplaced(states, NodeStatus.NORMAL)) {
            if (state.id().equals(self) || java.util.Arrays.stream(state.tokens()).noneMatch(mine::contains)) {
                held.add(state);
            }
        }
        return build(held, replicationFactor, NodeStatus.NORMAL, NodeStatus.LEAVING);
    }

    private static Ring build(Collection<EndpointState> states, int replicationFactor, NodeStatus... owning) {
        List<NodeStatus> statuses = List.of(owning);
        List<EndpointState> owners = new ArrayList<>();
        for (EndpointState state : states) {
            if (statuses.contains(state.status()) && state.tokenCount() > 0) {
                owners.add(state);
            }
        }
        owners.sort(Comparator.comparing(EndpointState::id));
        Set<Long> claimed = new HashSet<>();
        Ring.Builder builder = Ring.builder().replicationFactor(replicationFactor);
        for (EndpointState owner : owners) {
            long[] kept = java.util.Arrays.stream(owner.tokens()).filter(t -> t != Long.MIN_VALUE && claimed.add(t))
                .toArray();
            if (kept.length > 0) {
                builder.add(owner.node(), kept);
            }
        }
        return builder.build();
    }

    /** @return true when {@code change} can alter the ring (membership, status or tokens changed) */
    public static boolean affectsRing(EndpointState previous, EndpointState current) {
        if (previous == null) {
            return current.tokenCount() > 0;
        }
        return previous.status() != current.status() || !java.util.Arrays.equals(previous.tokens(), current.tokens())
            || !previous.node().equals(current.node()) || previous.generation() != current.generation();
    }
}
