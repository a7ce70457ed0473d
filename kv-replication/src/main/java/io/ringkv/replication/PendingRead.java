package io.ringkv.replication;

import io.ringkv.api.Key;
import io.ringkv.api.NodeId;
import io.ringkv.api.SiblingSet;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A get waiting for R replies of the key's current replicas (and, while the ring changes, a quorum in each other view
 * of its replicas), then kept open until every target answered or the deadline, for read repair.
 */
final class PendingRead extends PendingRequest {
    final int required;
    final GetCallback callback;
    final Map<NodeId, SiblingSet> byReplica = new LinkedHashMap<>();
    /** The first targets, the key's live replicas in the current ring; the others are only in other views. */
    final int ownerTargets;
    /** The other views' quorums, or null while the ring is stable. */
    final QuorumSets views;
    /** Replies and failures of the first {@link #ownerTargets} targets. */
    int ownerReplies;
    int failures;
    boolean done;
    /**
     * Targets whose answer is waited for beyond R (a retry interval at most): a second round's read waits for the
     * replicas that acknowledged the first write beside other versions, which hold them (empty otherwise). Each is
     * taken out as it answers or fails.
     */
    final java.util.Set<NodeId> awaited = new java.util.HashSet<>();
    /** R answered while {@link #awaited} was not empty: the read answers a retry interval later at the latest. */
    boolean awaitingPastR;

    PendingRead(long correlationId, long token, Key key, NodeId[] targets, int ownerTargets, long deadlineNanos,
                int required, QuorumSets views, GetCallback callback) {
        super(correlationId, token, key, targets, deadlineNanos);
        this.ownerTargets = ownerTargets;
        this.required = required;
        this.views = views;
        this.callback = callback;
    }

    @Override
    boolean isAnswered() {
        return done;
    }
}
