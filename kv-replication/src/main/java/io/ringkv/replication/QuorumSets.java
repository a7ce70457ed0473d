package io.ringkv.replication;

import io.ringkv.api.NodeId;
import java.util.List;

/**
 * The extra replica sets a request must also reach a quorum in while the ring changes (joint quorums): the key's
 * replicas in the ring the cluster moves to, and for a short while after a change, in the ring before it. While
 * gossip spreads a join or a leave, two coordinators may route one key by different rings; a quorum in each of both
 * sets makes a write acknowledged by one and a read by the other meet on a replica, as a quorum in one set does when
 * both route alike. A set is required to answer {@code min(quorum, its live members)}: a DOWN member does not make
 * the request fail, it is the same DOWN node in either ring.
 *
 * <p>The coordinator's own rule (R or W of the key's current replicas, hints by mode) is kept as it was; this adds
 * conditions on top. One instance per request, on the agent thread.
 */
final class QuorumSets {
    /** For each target of the request, which extra sets it is a member of (bit j for set j). */
    private final int[] membership;
    private final int[] required;
    private final int[] members;
    private final int[] answered;
    private final int[] failed;

    /**
     * @param targets the request's targets
     * @param sets the extra sets (live members only), at most 31
     * @param quorum R or W
     */
    QuorumSets(NodeId[] targets, List<List<NodeId>> sets, int quorum) {
        int count = sets.size();
        membership = new int[targets.length];
        required = new int[count];
        members = new int[count];
        answered = new int[count];
        failed = new int[count];
        for (int j = 0; j < count; j++) {
            List<NodeId> set = sets.get(j);
            for (int i = 0; i < targets.length; i++) {
                if (set.contains(targets[i])) {
                    membership[i] |= 1 << j;
                    members[j]++;
                }
            }
            required[j] = Math.min(quorum, members[j]);
        }
    }

    /** Target {@code index} answered: it stored the write or returned its versions. */
    void answered(int index) {
        count(index, answered);
    }

    /** Target {@code index} could not store the write or read the key. */
    void failed(int index) {
        count(index, failed);
    }

    private void count(int index, int[] tally) {
        if (index < 0) {
            return;
        }
        for (int j = 0; j < required.length; j++) {
            if ((membership[index] & (1 << j)) != 0) {
                tally[j]++;
            }
        }
    }

    /** @return whether every extra set has its quorum */
    boolean satisfied() {
        for (int j = 0; j < required.length; j++) {
            if (answered[j] < required[j]) {
                return false;
            }
        }
        return true;
    }

    /** @return whether some extra set can no longer reach its quorum (too many of its members failed) */
    boolean impossible() {
        for (int j = 0; j < required.length; j++) {
            if (members[j] - failed[j] < required[j]) {
                return true;
            }
        }
        return false;
    }

    /** @return e.g. "1 of 2 in the ring the cluster moves to", for a timeout's message; empty when satisfied */
    String shortfall() {
        StringBuilder text = new StringBuilder();
        for (int j = 0; j < required.length; j++) {
            if (answered[j] < required[j]) {
                text.append(text.isEmpty() ? "" : ", ").append(answered[j]).append(" of ").append(required[j])
                    .append(" replicas of the key in another view of the changing ring");
            }
        }
        return text.toString();
    }
}
