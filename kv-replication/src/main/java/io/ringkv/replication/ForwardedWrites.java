package io.ringkv.replication;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.NodeId;
import io.ringkv.api.Version;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The writes this replica coordinates for other nodes, by (sender, correlation id), so a retransmitted Coordinate
 * never makes a second write: a repeat of one in flight is ignored, a repeat of a finished one gets the same answer
 * again. Holds the most recent {@link #CAPACITY}; older entries go first (a sender gives up after its timeout).
 * Lost on restart, so a restarted replica refuses retransmitted hand-overs it does not know until every request of
 * its previous run has timed out. Agent thread only.
 */
final class ForwardedWrites {
    static final int CAPACITY = 4096;

    record Id(NodeId sender, long correlationId) {
    }

    /**
     * How a forwarded write ended: {@code error} null with the version written; {@code nothingWritten} when this
     * replica refused before issuing a dot (the sender may hand the write to another replica).
     */
    record Answer(ErrorCode error, String message, Version version, boolean nothingWritten) {
    }

    private static final Answer IN_FLIGHT = new Answer(null, "in flight", null, false);

    private final Map<Id, Answer> byId = new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Id, Answer> eldest) {
            return size() > CAPACITY;
        }
    };

    /** @return true when {@code id} is new (now tracked as in flight); false for a repeat */
    boolean begin(Id id) {
        return byId.putIfAbsent(id, IN_FLIGHT) == null;
    }

    /** @return the answer of a finished write, or null while it is in flight or forgotten */
    Answer answer(Id id) {
        Answer answer = byId.get(id);
        return answer == IN_FLIGHT ? null : answer;
    }

    /** @return true when {@code id} was taken on (in flight or finished) and is still remembered */
    boolean isTracked(Id id) {
        return byId.containsKey(id);
    }

    void finish(Id id, Answer answer) {
        byId.replace(id, answer);
    }
}
