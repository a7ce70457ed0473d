package io.ringkv.gossip;

import io.ringkv.api.NodeId;
import io.ringkv.ring.Ring;
import java.util.Set;

/**
 * Moves the data of the token ranges a node takes over when it joins, or hands over when it leaves, between the
 * rings {@link NodeLifecycle} gives it. The lifecycle decides when to move and what follows; the mover decides how
 * (production: repair-based range streaming). Agent thread only; a move runs asynchronously and reports back on
 * the agent thread.
 */
public interface RangeMover {
    /** Which way the data goes. */
    enum Direction {
        /** This node joins: it receives every range it replicates in the future ring and not in the current one. */
        RECEIVE("join"),
        /** This node leaves: it sends every range it replicates now to each replica the range gains. */
        SEND("leave");

        private final String purpose;

        Direction(String purpose) {
            this.purpose = purpose;
        }

        /** @return what the move is for, in words: {@code join} or {@code leave} */
        public String purpose() {
            return purpose;
        }
    }

    /**
     * One move.
     *
     * @param direction receive (join) or send (leave)
     * @param current the ring as it is
     * @param future the ring the cluster moves to
     * @param self the node that moves
     * @param skip nodes not to move data with (a DOWN node being replaced: its ranges come from the other replicas)
     */
    record Move(Direction direction, Ring current, Ring future, NodeId self, Set<NodeId> skip) {
        /** Copies {@code skip}. */
        public Move {
            skip = Set.copyOf(skip);
        }
    }

    /**
     * What a move has done so far.
     *
     * @param done sessions completed
     * @param total sessions of the move
     * @param failures sessions that failed so far (each tried again by the mover)
     * @param lastFailure why the last session that failed did, or ""
     * @param description the whole progress in words, for the node's event log
     */
    record Progress(int done, int total, long failures, String lastFailure, String description, long bytes) {
        /** Nothing done of an empty move. */
        public static final Progress NONE = new Progress(0, 0, 0, "", "nothing to move", 0);

        /** A progress report that does not count bytes. */
        public Progress(int done, int total, long failures, String lastFailure, String description) {
            this(done, total, failures, lastFailure, description, 0);
        }

        @Override
        public String toString() {
            return description;
        }
    }

    /** Hears how a move goes; on the agent thread. */
    interface Listener {
        /** Some of the move is done. */
        void progress(Progress progress);

        /** Every range of the move is where it belongs. Called at most once per move. */
        void finished(Progress progress);

        /** The mover gave up on the move; the lifecycle tries the move again later (plan made anew). */
        void failed(String reason);
    }

    /**
     * Starts {@code move}; replaces a move still running, whose outcome is then never reported.
     *
     * @param listener told of progress, and of the end
     */
    void move(Move move, Listener listener);
}
