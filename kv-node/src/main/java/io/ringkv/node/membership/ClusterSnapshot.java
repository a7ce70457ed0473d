package io.ringkv.node.membership;

import io.ringkv.gossip.NodeStats;
import java.util.List;

/**
 * One node's view of the cluster at a moment, safe to read from any thread: what {@code INFO cluster} and
 * {@code ringkv status} show.
 *
 * @param self the id of the node that made the view
 * @param ringNodes nodes that own ranges of the ring
 * @param members one row per known node, ordered by id
 * @param loading empty when the node serves clients; otherwise why it does not yet (see
 *     {@link io.ringkv.gossip.Readiness})
 */
public record ClusterSnapshot(String self, int ringNodes, List<Member> members, String loading) {
    /** A view with only this node in it, before gossip started. */
    public static ClusterSnapshot empty(String self) {
        return new ClusterSnapshot(self, 0, List.of(), "the node is starting");
    }

    /** @return true when the node serves clients */
    public boolean ready() {
        return loading.isEmpty();
    }

    /**
     * An estimate of the keys the cluster holds (DBSIZE): the record counts the nodes last announced by gossip
     * (tombstones included; nodes that left, or announced none yet, are not counted), summed and divided by how many
     * replicas each key has. It lags by a gossip round or more and is skewed by replicas that missed writes.
     *
     * @param replicationFactor N, the replicas of each key
     * @return the estimate, 0 when no node announced a count
     */
    public long estimatedKeys(int replicationFactor) {
        long records = 0;
        for (Member member : members) {
            String count = member.records();
            if (!member.status().equals("LEFT") && !count.isEmpty() && count.length() <= 18
                && count.chars().allMatch(c -> c >= '0' && c <= '9')) {
                // saturating: a peer announcing absurd counts cannot make the estimate negative
                long announced = Long.parseLong(count);
                records = records > Long.MAX_VALUE - announced ? Long.MAX_VALUE : records + announced;
            }
        }
        int replicas = Math.max(1, Math.min(replicationFactor, Math.max(ringNodes, 1)));
        return records / replicas;
    }

    /**
     * One node as seen from {@code self}.
     *
     * @param id the node's id
     * @param state JOINING, NORMAL, LEAVING or LEFT as announced; SUSPECT or DOWN as judged here
     * @param address peer host and port
     * @param clientAddress client host and port
     * @param zone the node's zone
     * @param rack the node's rack
     * @param load the size of the data the node holds, as it last announced (e.g. 12.3MiB)
     * @param records records the node holds, as it last announced
     * @param disk {@code full} while the node refuses writes for a full disk, {@code ok} otherwise, as it last
     *     announced ({@code ?} before it did)
     * @param owns share of the ring's data the node replicates, 0–1
     * @param tokens how many tokens it owns
     * @param generation its current generation (changes on restart)
     * @param liveness this node's failure detector's judgement
     * @param status JOINING, NORMAL, LEAVING or LEFT as the node announced it
     * @param tokenPositions its ring tokens, ascending (a copy of the gossiped ones; do not modify)
     * @param streaming its join's or leave's streaming progress as announced ({@code 12/141 10.0MiB 3.10MiB/s}), or
     *     empty
     * @param stats its request rate, p99, hints and repair progress as it last announced, or null before it did
     */
    public record Member(String id, String state, String address, String clientAddress, String zone, String rack,
                         String load, String records, String disk, double owns, int tokens, long generation, String liveness,
                         String status, long[] tokenPositions, String streaming, NodeStats stats) {
        /** A member without tokens, streaming or stats known (the first thirteen components alone). */
        public Member(String id, String state, String address, String clientAddress, String zone, String rack,
                      String load, String records, String disk, double owns, int tokens, long generation,
                      String liveness) {
            this(id, state, address, clientAddress, zone, rack, load, records, disk, owns, tokens, generation, liveness,
                state.split(" ", 2)[0], new long[0], "", null);
        }
    }
}
