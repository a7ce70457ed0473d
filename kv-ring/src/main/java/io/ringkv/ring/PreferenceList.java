package io.ringkv.ring;

import io.ringkv.api.Node;
import io.ringkv.api.NodeId;
import java.util.List;

/**
 * The replicas of one token range, in preference order: the primary first, then the other distinct nodes
 * (distinct failure domains before repeated ones). Immutable.
 *
 * @param range the token range these replicas hold
 * @param replicas min(N, nodes) distinct nodes
 */
public record PreferenceList(TokenRange range, List<Node> replicas) {
    /** Copies {@code replicas}. */
    public PreferenceList {
        replicas = List.copyOf(replicas);
    }

    /** @return the number of replicas */
    public int size() {
        return replicas.size();
    }

    /** @return replica {@code i}, 0 being the primary */
    public Node get(int i) {
        return replicas.get(i);
    }

    /** @return the first replica */
    public Node primary() {
        return replicas.getFirst();
    }

    /** @return whether node {@code id} is one of the replicas */
    public boolean contains(NodeId id) {
        for (Node node : replicas) {
            if (node.id().equals(id)) {
                return true;
            }
        }
        return false;
    }

    /**
     * A reusable, allocation-free view of one preference list in a {@link Ring}, filled by
     * {@link Ring#lookup(long, Cursor)}. Valid until the next lookup into it; owned by one thread.
     */
    public static final class Cursor {
        private Ring ring;
        private int tokenIndex = -1;

        /** Creates a cursor that points nowhere until the first lookup. */
        public Cursor() {
        }

        Cursor wrap(Ring target, int index) {
            this.ring = target;
            this.tokenIndex = index;
            return this;
        }

        /** @return the ring of the last lookup */
        public Ring ring() {
            return ring;
        }

        /** @return the index of the token whose range the last lookup found */
        public int tokenIndex() {
            return tokenIndex;
        }

        /** @return the number of replicas */
        public int size() {
            return ring.replicaCount();
        }

        /** @return the node index (in {@link #ring()}) of replica {@code i}, 0 being the primary */
        public int nodeIndex(int i) {
            return ring.replicaNodeIndex(tokenIndex, i);
        }

        /** @return replica {@code i}, 0 being the primary */
        public Node node(int i) {
            return ring.node(nodeIndex(i));
        }
    }
}
