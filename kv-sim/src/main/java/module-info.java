/**
 * The deterministic simulator: many nodes in one thread, virtual time, seeded randomness, and a simulated network
 * that delays, drops, duplicates, reorders and partitions; nodes crash (losing what was not durable) and restart;
 * clocks skew and drift. The same seed gives the same history, bit for bit. Test support only.
 */
module io.ringkv.sim {
    requires transitive io.ringkv.api;
    requires transitive io.ringkv.storage;

    exports io.ringkv.sim;
}
