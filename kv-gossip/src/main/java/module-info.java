/**
 * Gossip membership and failure detection: per-node heartbeat, generation, status, tokens and addresses,
 * scuttlebutt-style digest exchange with random peers each round, seeds, and a pluggable failure detector
 * (fixed timeouts or phi accrual) that marks a silent node suspect, then down. The ring is rebuilt from the
 * membership view. Nothing lives here yet: static membership comes first, gossip replaces it in its own issue.
 */
module io.ringkv.gossip {
    requires io.ringkv.api;
    requires io.ringkv.ring;
}
