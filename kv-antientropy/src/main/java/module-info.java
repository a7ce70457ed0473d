/**
 * Anti-entropy: Merkle trees over token ranges and their comparison, so replicas exchange only the keys that
 * differ. Today it holds the I/O-free data structures, in {@code io.ringkv.antientropy}: {@code RangeTree}
 * (a TicTac-style hash tree of one range, updated in O(1) per write, rebuilt from a token-ordered scan),
 * {@code TreeShape} (its leaves' token slices), {@code TreeDiff} (level-by-level comparison), {@code KeyHash} (the
 * 64-bit hash of a key's state) and {@code LeafDigest} (the keys of one differing leaf, and which to send and
 * fetch), and {@code LiveTrees} (one tree per replicated range kept up to date as writes land, a
 * {@code RecordListener} of the replica's writes, made ready by {@code LiveTreeRebuilder}'s paced scans), so a repair
 * session normally needs no full scan. The exchange protocol, scheduling and tombstone purge after repair build on
 * them.
 */
module io.ringkv.antientropy {
    requires transitive io.ringkv.api;
    requires transitive io.ringkv.ring;
    requires transitive io.ringkv.storage;

    exports io.ringkv.antientropy;
}
