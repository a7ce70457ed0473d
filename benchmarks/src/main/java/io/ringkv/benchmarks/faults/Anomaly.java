package io.ringkv.benchmarks.faults;

import java.util.List;

/**
 * A violation of what the cluster promises, with the operations that show it.
 *
 * @param kind which promise
 * @param key the key concerned, or null for the cluster as a whole
 * @param explanation what was seen, in a sentence
 * @param evidence the operations that show it, in start order
 */
public record Anomaly(Kind kind, String key, String explanation, List<Op> evidence) {
    /** The promises the checker holds a run to. */
    public enum Kind {
        /** an acknowledged write is neither in the final state nor superseded by a write that saw it */
        LOST_WRITE("acknowledged write lost"),
        /** a final sibling was superseded by another final sibling's write: siblings that are not concurrent */
        SUPERSEDED_SIBLING("superseded value kept as a sibling"),
        /** an acknowledged delete that followed a write is undone: the value it deleted reads back */
        RESURRECTED_DELETE("deleted value came back"),
        /** under R + W > N a read that started after an acknowledged write returned nothing */
        STALE_READ("quorum read missed an acknowledged write"),
        /**
         * a write acknowledged while a replica was absent (judged DOWN, so its coordinator held a durable hint for
         * it) is missing from that replica once every hint was delivered
         */
        HINT_NOT_DELIVERED("write acknowledged while a replica was down never reached it"),
        /** after the heal the key could not be read at all */
        UNREADABLE("final read failed"),
        /** the cluster did not settle after the heal: some node never saw every member alive */
        NOT_SETTLED("cluster did not settle"),
        /** after the heal and settle, some node still held hints for another when the wait for handoff ended */
        HINTS_NOT_DRAINED("hints not delivered within the bound"),
        /** after the hints drained, a node's repair pass did not end in time, or a session of it failed */
        REPAIR_FAILED("repair pass failed"),
        /** after the repair passes, a node's cleanup (which purges the tombstones they covered) failed or did not end */
        CLEANUP_FAILED("cleanup before the final reads failed"),
        /**
         * a join did not end with the node NORMAL, a leave with the node's process gone by itself with status 0, or a
         * removal with the node, started again on its data, NORMAL after dropping its records, within the harness's
         * bound
         */
        MEMBERSHIP_FAILED("join, leave or removal did not complete"),
        /** a node process exited without the harness killing it */
        NODE_EXITED("node process exited by itself");

        private final String title;

        Kind(String title) {
            this.title = title;
        }

        /** @return a short human title */
        public String title() {
            return title;
        }
    }

    /** Copies the evidence. */
    public Anomaly {
        evidence = List.copyOf(evidence);
    }
}
