package io.ringkv.replication;

import io.ringkv.api.CounterDescriptor;
import io.ringkv.api.CounterKind;
import io.ringkv.api.CounterSpec;

/** Hinted handoff's counters in the node's registry (INFO section {@code hints}). */
public enum HintCounter implements CounterDescriptor {
    PENDING("hints_pending", CounterKind.GAUGE,
        "hints this node holds for other nodes and has not delivered yet"),
    PENDING_BYTES("hints_pending_bytes", CounterKind.GAUGE,
        "bytes of the hints this node holds"),
    STORED("hints_stored", CounterKind.COUNTER,
        "hints written and forced to this node's hint store (for a down or slow replica)"),
    RECEIVED("hints_received", CounterKind.COUNTER,
        "writes other nodes sent this node as a substitute for a down replica (sloppy quorum)"),
    RECEIVED_REPEATS("hints_received_repeats", CounterKind.COUNTER,
        "retransmitted writes from other nodes for a down replica, recognised and answered without keeping a second"
            + " hint"),
    DELIVERED("hints_delivered", CounterKind.COUNTER,
        "hints their replica acknowledged durably, then deleted"),
    DELIVERED_BYTES("hints_delivered_bytes", CounterKind.COUNTER,
        "bytes of the hints delivered"),
    DROPPED_WINDOW("hints_dropped_window", CounterKind.COUNTER,
        "hints refused because their replica has been down longer than the hint window (anti-entropy must repair it)"),
    DROPPED_EXPIRED("hints_dropped_expired", CounterKind.COUNTER,
        "hints older than the tombstone grace, deleted undelivered (a purged delete must not come back)"),
    DROPPED_CAP("hints_dropped_cap", CounterKind.COUNTER,
        "hints refused because the per-replica or total hint byte cap was reached"),
    DROPPED_UNKNOWN_OWNER("hints_dropped_unknown_owner", CounterKind.COUNTER,
        "hinted writes a peer sent for a replica on neither this node's ring nor the ring it moves to: refused"
            + " before anything is kept for it (mostly a coordinator whose ring still holds a node removed or gone"
            + " here, which then keeps the hint itself; else one whose ring is ahead, or a write no node sends)"),
    STORE_FAILURES("hints_store_failures", CounterKind.COUNTER,
        "hints the hint store could not write (storage failure, full disk, or its queue full)"),
    CORRUPT("hints_corrupt", CounterKind.COUNTER,
        "hint records whose CRC or encoding did not check: deleted, never delivered"),
    DELIVERY_SENDS("hints_delivery_sends", CounterKind.COUNTER,
        "hints sent to their replica, first sends and resends"),
    DELIVERY_RETRIES("hints_delivery_retries", CounterKind.COUNTER,
        "hints sent again because their replica did not acknowledge them in time"),
    DELIVERY_REFUSALS("hints_delivery_refusals", CounterKind.COUNTER,
        "hint deliveries the replica answered with a failure (kept, tried again later)"),
    DROPPED_REFUSED("hints_dropped_refused", CounterKind.COUNTER,
        "hints deleted undelivered after the replica refused them ten times in a row over ten minutes, for another"
            + " reason than a full disk (a sibling limit, a write too large for it): repair brings the replica up to"
            + " date instead"),
    REDIRECTED("hints_redirected", CounterKind.COUNTER,
        "hints whose replica left the ring, delivered to the key's current replicas instead"),
    SUBSTITUTE_WRITES("hints_substitute_writes", CounterKind.COUNTER,
        "writes this coordinator sent to a substitute for a down replica (sloppy quorum)");

    private final CounterSpec spec;

    HintCounter(String counterName, CounterKind kind, String help) {
        this.spec = new CounterSpec(counterName, help, kind, "hints");
    }

    @Override
    public CounterSpec spec() {
        return spec;
    }
}
