package io.ringkv.antientropy;

import io.ringkv.api.NodeId;
import io.ringkv.ring.TokenRange;

/**
 * What one repair session of a range with one peer did.
 *
 * @param failure null when the session completed; else why it stopped (the peer was busy, silent, or failed)
 * @param differingLeaves leaves whose hashes differed
 * @param keysSent records this node sent the peer
 * @param keysReceived records the peer sent this node (merged here)
 * @param recordBytes bytes of the records exchanged both ways
 * @param treeBytes bytes of tree and digest traffic both ways
 * @param nanos how long the session took
 */
public record RepairResult(TokenRange range, NodeId peer, String failure, int differingLeaves, long keysSent,
                           long keysReceived, long recordBytes, long treeBytes, long nanos) {
    /** @return whether the session completed */
    public boolean completed() {
        return failure == null;
    }
}
