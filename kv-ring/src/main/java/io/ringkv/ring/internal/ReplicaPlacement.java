package io.ringkv.ring.internal;

/**
 * Computes every token's preference list the way Cassandra's NetworkTopologyStrategy does: walk clockwise from
 * the token, take each new node whose failure domain is not yet used, remember the other new nodes; once every
 * domain (or N of them) is used, fill up with the remembered nodes and then further new nodes, in clockwise
 * order. With one failure domain this is simply the first N distinct nodes clockwise.
 *
 * <p>A walk stops as soon as its list is full, so it usually visits about N tokens; a rare domain (one small
 * rack among big ones) makes walks longer.
 */
public final class ReplicaPlacement {
    private final int[] owners;
    private final int[] domainOf;
    private final int domainCount;
    private final int replicaCount;
    private final int[] nodeSeen;
    private final int[] domainSeen;
    private final int[] skipped;
    private int stamp;

    private ReplicaPlacement(int[] owners, int[] domainOf, int domainCount, int replicaCount) {
        this.owners = owners;
        this.domainOf = domainOf;
        this.domainCount = domainCount;
        this.replicaCount = replicaCount;
        this.nodeSeen = new int[domainOf.length];
        this.domainSeen = new int[domainCount];
        this.skipped = new int[replicaCount];
    }

    /**
     * @param owners node index of each token, in token order
     * @param domainOf failure-domain index of each node
     * @param domainCount number of distinct failure domains
     * @param replicaCount list length, at most the number of nodes
     * @return the lists, flat: entry {@code tokenIndex * replicaCount + i} is the i-th replica's node index
     */
    public static int[] place(int[] owners, int[] domainOf, int domainCount, int replicaCount) {
        ReplicaPlacement placement = new ReplicaPlacement(owners, domainOf, domainCount, replicaCount);
        int[] lists = new int[owners.length * replicaCount];
        for (int start = 0; start < owners.length; start++) {
            placement.fill(start, lists, start * replicaCount);
        }
        return lists;
    }

    private void fill(int start, int[] out, int offset) {
        stamp++;
        int wanted = Math.min(replicaCount, domainCount);
        int taken = 0;
        int skippedCount = 0;
        int position = start;
        while (taken < wanted) {
            int node = owners[position];
            position = next(position);
            if (nodeSeen[node] == stamp) {
                continue;
            }
            nodeSeen[node] = stamp;
            if (domainSeen[domainOf[node]] != stamp) {
                domainSeen[domainOf[node]] = stamp;
                out[offset + taken++] = node;
            } else if (skippedCount < skipped.length) {
                skipped[skippedCount++] = node;
            }
        }
        for (int s = 0; s < skippedCount && taken < replicaCount; s++) {
            out[offset + taken++] = skipped[s];
        }
        while (taken < replicaCount) {
            int node = owners[position];
            position = next(position);
            if (nodeSeen[node] != stamp) {
                nodeSeen[node] = stamp;
                out[offset + taken++] = node;
            }
        }
    }

    private int next(int position) {
        return position + 1 == owners.length ? 0 : position + 1;
    }
}
