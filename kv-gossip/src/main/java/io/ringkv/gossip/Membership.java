package io.ringkv.gossip;

import io.ringkv.api.NodeId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One node's view of the cluster's endpoint states and the scuttlebutt reconciliation over it (as in Cassandra's
 * SYN / ACK / ACK2): the initiator sends {@link #digests()}; the receiver answers with {@link #newerThan} (states
 * it has that are newer than the digests) and {@link #wanted} (digests of what it lacks); the initiator applies
 * the first and answers the second with {@link #newerThan} again. After a round both hold, for every endpoint,
 * the newer of their two states. Single-threaded; no I/O.
 */
public final class Membership {
    private final Map<NodeId, EndpointState> states = new TreeMap<>();

    /** @return the state known for {@code node} */
    public Optional<EndpointState> state(NodeId node) {
        return Optional.ofNullable(states.get(node));
    }

    /** @return every known state, ordered by node id */
    public Collection<EndpointState> states() {
        return List.copyOf(states.values());
    }

    /** @return one digest per known endpoint, ordered by node id */
    public List<Digest> digests() {
        List<Digest> digests = new ArrayList<>(states.size());
        for (EndpointState state : states.values()) {
            digests.add(new Digest(state.node(), state.generation(), state.version()));
        }
        return digests;
    }

    /**
     * @param remote the digests a peer sent
     * @return the states known here that are newer than the peer's digest, or that the peer has no digest for
     */
    public List<EndpointState> newerThan(List<Digest> remote) {
        Map<NodeId, Digest> byNode = new TreeMap<>();
        remote.forEach(digest -> byNode.put(digest.node(), digest));
        List<EndpointState> newer = new ArrayList<>();
        for (EndpointState state : states.values()) {
            Digest theirs = byNode.get(state.node());
            if (theirs == null || state.isNewerThan(theirs.generation(), theirs.version())) {
                newer.add(state);
            }
        }
        return newer;
    }

    /**
     * @param remote the digests a peer sent
     * @return digests, as known here, of the endpoints for which the peer holds something newer: what to ask for
     */
    public List<Digest> wanted(List<Digest> remote) {
        List<Digest> wanted = new ArrayList<>();
        for (Digest theirs : remote) {
            EndpointState mine = states.get(theirs.node());
            if (mine == null) {
                wanted.add(new Digest(theirs.node(), Long.MIN_VALUE, Long.MIN_VALUE));
            } else if (!mine.isNewerThan(theirs.generation(), theirs.version())
                && (mine.generation() != theirs.generation() || mine.version() != theirs.version())) {
                wanted.add(new Digest(mine.node(), mine.generation(), mine.version()));
            }
        }
        return wanted;
    }

    /**
     * Keeps each incoming state that is newer than what is known here.
     *
     * @return the states that changed this view (a new generation means the node restarted)
     */
    public List<EndpointState> apply(Collection<EndpointState> incoming) {
        List<EndpointState> changed = new ArrayList<>();
        for (EndpointState state : incoming) {
            EndpointState mine = states.get(state.node());
            if (mine == null || state.isNewerThan(mine.generation(), mine.version())) {
                states.put(state.node(), state);
                changed.add(state);
            }
        }
        return changed;
    }

    /** Forgets {@code node} entirely (after its quarantine). */
    public void remove(NodeId node) {
        states.remove(node);
    }
}
