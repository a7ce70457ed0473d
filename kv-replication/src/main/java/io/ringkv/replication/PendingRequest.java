package io.ringkv.replication;

import io.ringkv.api.Key;
import io.ringkv.api.NodeId;

/** What a coordinator remembers about one request in flight: its replicas, who answered, when it gives up. */
abstract class PendingRequest {
    final long correlationId;
    final long token;
    final Key key;
    final NodeId[] targets;
    final boolean[] answered;
    /** When the client's answer is due; for an acknowledged write, when its catch-up of lagging replicas ends. */
    long deadlineNanos;
    long timerId = -1;
    int replies;

    PendingRequest(long correlationId, long token, Key key, NodeId[] targets, long deadlineNanos) {
        this.correlationId = correlationId;
        this.token = token;
        this.key = key;
        this.targets = targets;
        this.answered = new boolean[targets.length];
        this.deadlineNanos = deadlineNanos;
    }

    /** Marks {@code node}'s reply. @return false when it is not a target or answered before (a duplicate) */
    boolean markAnswered(NodeId node) {
        for (int i = 0; i < targets.length; i++) {
            if (targets[i].equals(node)) {
                if (answered[i]) {
                    return false;
                }
                answered[i] = true;
                replies++;
                return true;
            }
        }
        return false;
    }

    /** @return the index of {@code node} among the targets, or -1 */
    int indexOf(NodeId node) {
        for (int i = 0; i < targets.length; i++) {
            if (targets[i].equals(node)) {
                return i;
            }
        }
        return -1;
    }

    boolean allAnswered() {
        return replies == targets.length;
    }

    /** @return targets that have not answered */
    int unanswered() {
        return targets.length - replies;
    }

    /** @return true once the client has its answer (a read may stay open afterwards for read repair) */
    abstract boolean isAnswered();
}
