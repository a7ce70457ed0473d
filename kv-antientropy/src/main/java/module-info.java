/**
 * Anti-entropy: Merkle trees built over token ranges from token-ordered storage scans, the exchange of trees
 * between replicas, repair of the differing keys only, and tombstone purge once every replica has them.
 * Nothing lives here yet: it arrives after hinted handoff.
 */
module io.ringkv.antientropy {
    requires io.ringkv.api;
    requires io.ringkv.ring;
    requires io.ringkv.storage;
}
