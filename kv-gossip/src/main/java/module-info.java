/**
 * Gossip membership and failure detection: per-node generation, heartbeat, status, tokens and addresses spread by
 * a scuttlebutt-style digest exchange with random peers each round ({@link io.ringkv.gossip.Gossiper}), seeds, a
 * pluggable failure detector (fixed timeouts or phi accrual) that marks a silent node SUSPECT, then DOWN, operator
 * removal with a quarantine, and the ring rebuilt from the view ({@link io.ringkv.gossip.MembershipRing}).
 * I/O-free: it runs on a {@link io.ringkv.api.NodeContext}, in production and in the simulator alike.
 */
module io.ringkv.gossip {
    requires transitive io.ringkv.api;
    requires transitive io.ringkv.ring;

    exports io.ringkv.gossip;
}
