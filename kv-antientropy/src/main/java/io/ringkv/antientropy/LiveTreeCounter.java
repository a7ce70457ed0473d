package io.ringkv.antientropy;

import io.ringkv.api.CounterDescriptor;
import io.ringkv.api.CounterKind;
import io.ringkv.api.CounterSpec;

/** The live trees' counters in the node's registry (INFO section {@code repair}); written on the agent thread. */
public enum LiveTreeCounter implements CounterDescriptor {
    RANGES("live_tree_ranges", CounterKind.GAUGE,
        "token ranges this node replicates, each with a live hash tree"),
    READY("live_tree_ranges_ready", CounterKind.GAUGE,
        "ranges whose live tree is ready: their repairs need no scan"),
    MEMORY_BYTES("live_tree_memory_bytes", CounterKind.GAUGE,
        "heap the live trees hold: 8 bytes a leaf of every ready range"),
    REBUILDS("live_tree_rebuilds", CounterKind.COUNTER,
        "range trees rebuilt from a token-ordered scan (start-up, ring change, schedule)"),
    REBUILD_BYTES("live_tree_rebuild_bytes", CounterKind.COUNTER,
        "bytes of records the rebuild scans read"),
    REBUILDS_RACED("live_tree_rebuilds_raced", CounterKind.COUNTER,
        "rebuilds thrown away because writes landed in the range during the scan; retried"),
    REBUILDS_FAILED("live_tree_rebuilds_failed", CounterKind.COUNTER,
        "rebuilds the storage stage refused (full) or failed; retried after a pause");

    private final CounterSpec spec;

    LiveTreeCounter(String counterName, CounterKind kind, String help) {
        this.spec = new CounterSpec(counterName, help, kind, "repair");
    }

    @Override
    public CounterSpec spec() {
        return spec;
    }
}
