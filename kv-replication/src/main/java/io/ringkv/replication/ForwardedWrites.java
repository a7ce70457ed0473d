package io.ringkv.replication;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.NodeId;
import io.ringkv.api.Version;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * The writes this node took from other nodes, by (sender, correlation id), so a retransmission never makes a second
 * write: a repeat of one in flight is ignored, a repeat of a finished one gets the same answer again. A write in
 * flight is never forgotten; a finished one is kept for a retention longer than any sender keeps retransmitting it,
 * then forgotten. When {@link #capacity} writes are remembered, a new one is not taken on ({@link Begin#FULL}) rather
 * than forgetting one a sender may still repeat. A write refused for that can be remembered too ({@link #refuse}), so
 * a repeat that arrives once there is room gets the same refusal, not a write: its sender may have handed it to
 * another replica already. Lost on restart. Agent thread only.
 * <ul>
 *   <li>The coordinator keeps the Coordinate requests it coordinates for other nodes ({@link Answer}): it refuses a
 *       hand-over when full, and a restarted replica refuses retransmitted hand-overs it does not know until every
 *       request of its previous run has timed out.</li>
 *   <li>Hinted handoff keeps the hinted writes it stores for other nodes (a {@code WriteOutcome}): when full, it
 *       stores the write untracked, since a second hint of the same versions only costs space.</li>
 * </ul>
 */
final class ForwardedWrites<A> {
    record Id(NodeId sender, long correlationId) {
    }

    /**
     * How a forwarded write ended: {@code error} null with the version written; {@code nothingWritten} when this
     * replica refused before issuing a dot (the sender may hand the write to another replica); {@code supersededLive}
     * when the write superseded a live value this replica held.
     */
    record Answer(ErrorCode error, String message, Version version, boolean nothingWritten,
                  boolean supersededLive) {
    }

    /** What {@link #begin} found. */
    enum Begin { NEW, REPEAT, FULL }

    private record Finished(Id id, long atNanos) {
    }

    private record Refused<A>(A answer, long atNanos) {
    }

    private final int capacity;
    private final long retentionNanos;
    /** The answer of each write remembered, null while it is in flight. */
    private final Map<Id, A> byId = new HashMap<>();
    // by retention, each in the order they finished, so expiry looks only at the oldest of each
    private final Map<Long, ArrayDeque<Finished>> finished = new java.util.TreeMap<>();
    // the writes refused for want of room, oldest first, at most capacity of them
    private final java.util.LinkedHashMap<Id, Refused<A>> refused = new java.util.LinkedHashMap<>();
    // until then a refusal forgotten for room (not by age) may still be repeated
    private boolean refusalForgotten;
    private long refusalForgottenUntil;

    /**
     * @param capacity the most hand-overs remembered at once, in flight or finished
     * @param retentionNanos how long a finished hand-over's answer is kept for a repeat, unless
     *     {@link #finish(Id, Object, long, long)} says otherwise, and a refusal's
     */
    ForwardedWrites(int capacity, long retentionNanos) {
        this.capacity = capacity;
        this.retentionNanos = retentionNanos;
    }

    /**
     * @return {@code NEW} when {@code id} is now tracked as in flight, {@code REPEAT} (of one taken or refused), or
     *     {@code FULL} (not taken)
     */
    Begin begin(Id id, long nowNanos) {
        expire(nowNanos);
        if (isTracked(id)) {
            return Begin.REPEAT;
        }
        if (byId.size() >= capacity) {
            return Begin.FULL;
        }
        byId.put(id, null);
        return Begin.NEW;
    }

    /** @return the answer of a finished or refused write, or null while it is in flight or forgotten */
    A answer(Id id) {
        A answer = byId.get(id);
        if (answer == null) {
            Refused<A> refusal = refused.get(id);
            return refusal == null ? null : refusal.answer();
        }
        return answer;
    }

    /** @return true when {@code id} was taken on (in flight or finished) or refused, and is still remembered */
    boolean isTracked(Id id) {
        return byId.containsKey(id) || refused.containsKey(id);
    }

    /**
     * Remembers that {@code id}, which {@link #begin} found {@code FULL}, was refused with {@code answer}, for the
     * retention from {@code nowNanos}, so a repeat is answered the same. When {@link #capacity} refusals are
     * remembered, the oldest is forgotten first (see {@link #mayHaveForgottenARefusal}).
     */
    void refuse(Id id, A answer, long nowNanos) {
        java.util.Objects.requireNonNull(answer, "answer");
        if (isTracked(id)) {
            return;
        }
        if (refused.size() >= capacity) {
            long until = refused.pollFirstEntry().getValue().atNanos() + retentionNanos;
            if (!refusalForgotten || until - refusalForgottenUntil > 0) {
                refusalForgottenUntil = until;
            }
            refusalForgotten = true;
        }
        refused.put(id, new Refused<>(answer, nowNanos));
    }

    /**
     * @return true while a refusal forgotten before its retention ended (to make room for newer ones) may still be
     *     repeated: a repeat of a write not {@linkplain #isTracked tracked} may be one, so it must not be taken on
     */
    boolean mayHaveForgottenARefusal(long nowNanos) {
        return refusalForgotten && refusalForgottenUntil - nowNanos > 0;
    }

    /** Records how {@code id} ended; its answer is kept for the retention from {@code nowNanos}. */
    void finish(Id id, A answer, long nowNanos) {
        finish(id, answer, nowNanos, retentionNanos);
    }

    /**
     * Records how {@code id} ended; its answer is kept for {@code retentionNanos} from {@code nowNanos} (a write
     * whose sender stops retransmitting sooner than others need not hold a place as long).
     */
    void finish(Id id, A answer, long nowNanos, long retentionNanos) {
        java.util.Objects.requireNonNull(answer, "answer");
        if (byId.containsKey(id) && byId.get(id) == null) {
            byId.put(id, answer);
            finished.computeIfAbsent(retentionNanos, r -> new ArrayDeque<>()).addLast(new Finished(id, nowNanos));
        }
    }

    /** @return hand-overs remembered, in flight or finished (refusals not counted) */
    int size() {
        return byId.size();
    }

    /** @return refusals remembered */
    int refusals() {
        return refused.size();
    }

    private void expire(long nowNanos) {
        finished.forEach((retention, inOrder) -> {
            while (!inOrder.isEmpty() && nowNanos - inOrder.peekFirst().atNanos() >= retention) {
                byId.remove(inOrder.pollFirst().id());
            }
        });
        while (!refused.isEmpty() && nowNanos - refused.firstEntry().getValue().atNanos() >= retentionNanos) {
            refused.pollFirstEntry();
        }
    }
}
