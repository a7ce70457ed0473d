/**
 * Replication: the coordinator that hashes a key to its preference list and waits for R reads or W writes of N
 * replicas, the replica side that applies versioned writes to its storage engine, conflict resolution
 * ({@code lww} and {@code vector-clock} as ServiceLoader plugins, more from any jar on the module path), and read
 * repair. Every piece is an I/O-free state machine written against the Transport and Clock seams, so it runs
 * unchanged in the deterministic simulator. Sloppy quorum and durable hinted handoff ({@code HintedHandoff}) keep
 * writes available through down replicas and hand them over when the replicas return.
 */
module io.ringkv.replication {
    requires io.ringkv.api;
    requires io.ringkv.ring;
    requires io.ringkv.storage;

    exports io.ringkv.replication;

    uses io.ringkv.api.ConflictResolver;

    provides io.ringkv.api.ConflictResolver with
        io.ringkv.replication.internal.LwwResolver,
        io.ringkv.replication.internal.VectorClockResolver;
}
