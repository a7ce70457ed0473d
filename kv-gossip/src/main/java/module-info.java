/**
 * Gossip membership and failure detection: per-node heartbeat, generation, status, tokens and addresses,
 * scuttlebutt-style digest exchange with random peers each round, seeds, and a pluggable failure detector
 * (fixed timeouts or phi accrual) that marks a silent node suspect, then down. The ring is rebuilt from the
 * membership view. The failure detectors are here; membership and the gossip exchange come next.
 */
module io.ringkv.gossip {
    requires transitive io.ringkv.api;
    requires io.ringkv.ring;

    exports io.ringkv.gossip;
}
