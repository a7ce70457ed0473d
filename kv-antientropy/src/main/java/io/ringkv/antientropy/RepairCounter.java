package io.ringkv.antientropy;

import io.ringkv.api.CounterDescriptor;
import io.ringkv.api.CounterKind;
import io.ringkv.api.CounterSpec;

/** Anti-entropy's counters in the node's registry (INFO section {@code repair}). */
public enum RepairCounter implements CounterDescriptor {
    SESSIONS_STARTED("repair_sessions_started", CounterKind.COUNTER,
        "repair sessions this node started (one token range with one peer)"),
    SESSIONS_COMPLETED("repair_sessions_completed", CounterKind.COUNTER,
        "repair sessions that completed: both replicas hold the merge of what they listed"),
    SESSIONS_FAILED("repair_sessions_failed", CounterKind.COUNTER,
        "repair sessions that stopped before completing: no progress for the session timeout (the peer busy or"
            + " silent), a storage task that failed on either side, or an answer that ended it (FAILED, an unknown"
            + " session, a malformed tree)"),
    SESSIONS_CANCELLED("repair_sessions_cancelled", CounterKind.COUNTER,
        "repair sessions this node stopped before they ended because it no longer needed them (a stream plan"
            + " replaced by another, or a replica that left the ring)"),
    SESSIONS_REFUSED_BUSY("repair_sessions_refused_busy", CounterKind.COUNTER,
        "tree requests of peers' sessions this node answered BUSY, serving its limit or its storage stage full (a"
            + " session waiting for its turn asks again at every retry, and each ask counts)"),
    SESSIONS_SERVING("repair_sessions_serving", CounterKind.GAUGE,
        "peers' sessions this node serves now, each in one of its slots (ended ones still resending take none)"),
    SESSIONS_WAITING("repair_sessions_waiting", CounterKind.GAUGE,
        "peers' sessions this node refused and that wait in line for a slot, longest waiting first"),
    RANGES_IN_SYNC("repair_ranges_in_sync", CounterKind.COUNTER,
        "completed sessions whose trees matched: nothing to exchange"),
    LEAVES_DIFFERING("repair_leaves_differing", CounterKind.COUNTER,
        "tree leaves whose hashes differed, whose keys were listed and compared"),
    KEYS_SENT("repair_keys_sent", CounterKind.COUNTER,
        "records this node sent a peer and the peer merged"),
    KEYS_RECEIVED("repair_keys_received", CounterKind.COUNTER,
        "records peers sent this node, merged and durable"),
    KEYS_GONE("repair_keys_gone", CounterKind.COUNTER,
        "keys a peer asked this node for that were gone by the time it read them (purged, expired or cleaned up"
            + " since it listed them): the peer is told, and stops waiting for them"),
    TOMBSTONES_NOT_SENT("repair_tombstones_not_sent", CounterKind.COUNTER,
        "tombstones (and values expired) past the grace this node did not send to a peer holding nothing for their"
            + " key, which would not take them (others may have purged them): they differ until this node purges them"
            + " too"),
    RECORD_BYTES("repair_record_bytes", CounterKind.COUNTER,
        "bytes of records exchanged by the sessions this node started (both ways)"),
    TREE_BYTES("repair_tree_bytes", CounterKind.COUNTER,
        "bytes of tree and digest traffic of the sessions this node started (both ways)"),
    RETRANSMITS("repair_retransmits", CounterKind.COUNTER,
        "requests and records sent again because they were not answered in time, or were answered BUSY"),
    STORAGE_FAILURES("repair_storage_failures", CounterKind.COUNTER,
        "repair reads or merges the storage stage could not do"),
    STORAGE_DEFERRED("repair_storage_deferred", CounterKind.COUNTER,
        "refusals of repair tasks by a full storage stage (each attempt counts): tried again as the session's"
            + " records complete, or at its next retry"),
    TREES_FROM_LIVE("repair_trees_from_live", CounterKind.COUNTER,
        "range trees sessions took from the live trees kept up to date as writes land: no scan (both sides count)"),
    TREES_SCANNED("repair_trees_scanned", CounterKind.COUNTER,
        "range trees sessions built by a full scan of the range, its live tree not ready (both sides count)"),
    LIVE_LEAVES_HEALED("repair_live_leaves_healed", CounterKind.COUNTER,
        "live tree leaves a session's listing of the leaf found wrong and corrected (a write the tree missed)"),
    RECORDS_REFUSED("repair_records_refused", CounterKind.COUNTER,
        "records a peer sent that this node will never take (they do not decode under its settings: a peer"
            + " configured otherwise), acknowledged as refused so that the session ends without them"),
    RECORDS_REFUSED_BY_PEER("repair_records_refused_by_peer", CounterKind.COUNTER,
        "records this node sent that the peer will never take (a peer configured otherwise): dropped from the"
            + " session; they differ until the settings agree"),
    DROPPED_MALFORMED("repair_dropped_malformed", CounterKind.COUNTER,
        "anti-entropy messages that failed to decode or named no valid range or leaf, listing chunks no responder"
            + " cuts (empty and not the last, past the last), and keys a peer asked for outside its session's range:"
            + " dropped, never thrown"),
    TREE_REQUESTS_REFUSED("repair_tree_requests_refused", CounterKind.COUNTER,
        "peers' tree requests refused (answered FAILED) because their leaf count is not the one this node's"
            + " settings give the range: a peer of other settings, or a request no node of this cluster makes"),
    LISTINGS_TOO_LARGE("repair_listings_too_large", CounterKind.COUNTER,
        "sessions this node started that failed because the peer's newest listing of one leaf, alone in flight,"
            + " outgrew the bytes a session may hold"),
    KEYS_SET_ASIDE("repair_keys_set_aside", CounterKind.COUNTER,
        "keys a peer asked for beyond the bytes of asked-for keys a served session may hold (each time): not"
            + " queued; the initiator asks for them again once it has no leaf in flight and a retry interval passed"
            + " without progress"),
    RECORDS_TOO_LARGE("repair_records_too_large", CounterKind.COUNTER,
        "records a session could not send because they do not fit one anti-entropy message (each attempt: a"
            + " responder reads one again each time it is asked): not sent, and the session that needed them fails");

    private final CounterSpec spec;

    RepairCounter(String counterName, CounterKind kind, String help) {
        this.spec = new CounterSpec(counterName, help, kind, "repair");
    }

    @Override
    public CounterSpec spec() {
        return spec;
    }
}
