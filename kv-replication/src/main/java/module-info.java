/**
 * Replication: the coordinator that hashes a key to its preference list and waits for R reads or W writes
 * of N replicas, the replica side that applies versioned writes to its storage engine, conflict resolution
 * ({@code lww} and {@code vector-clock} as ServiceLoader plugins), read repair, and sloppy quorum with hinted
 * handoff. Every piece is an I/O-free state machine written against the Transport and Clock seams, so it runs
 * unchanged in the deterministic simulator. Nothing lives here yet: versioned quorum replication arrives with
 * the issue that brings a running cluster.
 */
module io.ringkv.replication {
    requires io.ringkv.api;
    requires io.ringkv.ring;
    requires io.ringkv.storage;
}
