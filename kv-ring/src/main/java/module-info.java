/**
 * The ring: a 64-bit token space (Murmur3 of the key), immutable ring snapshots of virtual nodes, preference
 * lists of N distinct physical nodes (rack aware), token allocation strategies and ownership diffs between two
 * rings. Pure computation: no I/O, no threads, no clocks.
 */
module io.ringkv.ring {
    requires transitive io.ringkv.api;

    exports io.ringkv.ring;
}
