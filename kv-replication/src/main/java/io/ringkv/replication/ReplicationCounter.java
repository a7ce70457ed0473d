package io.ringkv.replication;

import io.ringkv.api.CounterDescriptor;
import io.ringkv.api.CounterKind;
import io.ringkv.api.CounterSpec;

/** Replication's counters in the node's registry (INFO section {@code replication}); see {@link ReplicationCounters}. */
public enum ReplicationCounter implements CounterDescriptor {
    WRITES_ACKNOWLEDGED("replication_writes_acknowledged", CounterKind.COUNTER,
        "puts and deletes answered with success"),
    WRITES_FAILED("replication_writes_failed", CounterKind.COUNTER,
        "puts and deletes answered with an error (timeouts and unavailable included)"),
    READS_SUCCEEDED("replication_reads_succeeded", CounterKind.COUNTER,
        "gets answered with success"),
    READS_FAILED("replication_reads_failed", CounterKind.COUNTER,
        "gets answered with an error"),
    TIMEOUTS("replication_timeouts", CounterKind.COUNTER,
        "requests that failed because replicas did not answer in time"),
    UNAVAILABLE("replication_unavailable", CounterKind.COUNTER,
        "requests refused at once because too few replicas were alive, or too many were pending"),
    PENDING_WRITES("replication_pending_writes", CounterKind.COUNTER,
        "writes also sent to a pending replica (a node joining the key's replicas), not counted toward W"),
    RETRANSMITS("replication_retransmits", CounterKind.COUNTER,
        "requests sent again to a replica that had not answered"),
    LATE_REPLIES("replication_late_replies", CounterKind.COUNTER,
        "replies for requests already finished or unknown (duplicates included)"),
    READ_REPAIRS_SENT("replication_read_repairs_sent", CounterKind.COUNTER,
        "resolved sibling sets sent to a stale replica after a read"),
    READ_REPAIRS_SKIPPED("replication_read_repairs_skipped", CounterKind.COUNTER,
        "reads whose repair was given up to stay within the pending-request bound"),
    CLOCK_ENTRIES_PRUNED("replication_clock_entries_pruned", CounterKind.COUNTER,
        "causal context entries dropped to keep versions bounded (each can only make a spurious sibling, never lose a write)"),
    REPLICA_WRITES("replication_replica_writes", CounterKind.COUNTER,
        "sibling sets a replica wrote and flushed"),
    REPLICA_UNCHANGED_WRITES("replication_replica_unchanged_writes", CounterKind.COUNTER,
        "writes a replica already held (duplicates, repeats): acked without a disk write"),
    STORAGE_FAILURES("replication_storage_failures", CounterKind.COUNTER,
        "replica writes or reads the storage engine failed (a full disk excluded)"),
    DISK_FULL_REFUSALS("replication_disk_full_refusals", CounterKind.COUNTER,
        "replica writes refused because this node's disk is full or below its reserve"),
    SIBLING_LIMIT_REJECTIONS("replication_sibling_limit_rejections", CounterKind.COUNTER,
        "writes refused because the key would hold more siblings than allowed"),
    DROPPED_MALFORMED("replication_dropped_malformed", CounterKind.COUNTER,
        "replication messages that failed to decode: dropped, never thrown"),
    DROPPED_UNKNOWN_TEMPLATE("replication_dropped_unknown_template", CounterKind.COUNTER,
        "replication messages of a type this node does not know"),
    DROPPED_NOT_SERVING("replication_dropped_not_serving", CounterKind.COUNTER,
        "requests to this node as a replica or coordinator dropped while it does not serve: it has not shown itself"
            + " to the cluster yet, whose members may still take it for an earlier run of its id"),
    CATCH_UP_WRITES("replication_catch_up_writes", CounterKind.COUNTER,
        "acknowledged writes sent again to a replica that had not acknowledged them yet"),
    CATCH_UPS_ABANDONED("replication_catch_ups_abandoned", CounterKind.COUNTER,
        "replica copies of acknowledged writes given up: the replica refused the write, was judged down, the catch-up window passed, or the pending-request bound needed the room (hinted handoff, read repair and anti-entropy bring such a replica up to date)"),
    CATCH_UPS_IN_FLIGHT("replication_catch_ups_in_flight", CounterKind.GAUGE,
        "acknowledged writes still being sent to a replica that has not acknowledged them (a gauge, not a count)"),
    WRITES_FORWARDED("replication_writes_forwarded", CounterKind.COUNTER,
        "writes this node handed to a replica of the key to coordinate (it is not one)"),
    FORWARDS_COORDINATED("replication_forwards_coordinated", CounterKind.COUNTER,
        "writes other nodes handed to this replica to coordinate"),
    DUPLICATE_FORWARDS("replication_duplicate_forwards", CounterKind.COUNTER,
        "repeated hand-overs of a write already taken on or refused: answered again, never written twice"),
    FORWARDS_REFUSED_AFTER_START("replication_forwards_refused_after_start", CounterKind.COUNTER,
        "retransmitted hand-overs refused because this node had just started and could not tell whether its previous run had written them"),
    CONTEXTS_REFUSED("replication_contexts_refused", CounterKind.COUNTER,
        "writes refused because their causal context carried a counter above MAX_COUNTER that the replica's copy of the key does not hold (never issued) or the key's counters left no next dot: nothing was written"),
    DISK_FULL_HAND_OVERS("replication_disk_full_hand_overs", CounterKind.COUNTER,
        "writes handed to another replica of the key because the one asked to coordinate them refused for a full disk before writing anything"),
    FORWARDS_REFUSED_BUSY("replication_forwards_refused_busy", CounterKind.COUNTER,
        "hand-overs refused with UNAVAILABLE because this replica already tracked its limit of hand-overs in flight"),
    EXPIRY_CHANGES_OF_GONE_VALUES("replication_expiry_changes_of_gone_values", CounterKind.COUNTER,
        "changes of expiry (EXPIRE, PERSIST, GETEX) this replica wrote nothing for: the value had expired or been deleted since it was read, and writing it again would have brought it back"),
    STORAGE_STAGE_FULL("replication_storage_stage_full", CounterKind.COUNTER,
        "replica reads and writes refused because the node's storage stage queue was full (the request failed or the replica did not acknowledge; nothing was stored)"),
    OVERSIZE_REFUSALS("replication_oversize_refusals", CounterKind.COUNTER,
        "writes, read replies and read repairs refused because they would not fit one 64 KiB replication message (a setting or a peer configured beyond the checked limits): nothing was written or sent"),
    FORWARDS_REDIRECTED("replication_forwards_redirected", CounterKind.COUNTER,
        "writes handed to the key's next replica because the one asked wrote nothing: not a replica in its view of a ring that is changing, or busy"),
    BLIND_WRITES_REWRITTEN("replication_blind_writes_rewritten", CounterKind.COUNTER,
        "blind writes (no causal context) written a second time, after a read from W replicas, because a replica acknowledged them beside versions the coordinating replica had missed"),
    EXPIRY_CHANGES_SETTLED("replication_expiry_changes_settled", CounterKind.COUNTER,
        "changes of expiry (EXPIRE, PERSIST, GETEX) acknowledged beside a delete or write made after the value they changed, whose later version was then written again over both so that the changed value does not come back");

    private final CounterSpec spec;

    ReplicationCounter(String counterName, CounterKind kind, String help) {
        this.spec = new CounterSpec(counterName, help, kind, "replication");
    }

    @Override
    public CounterSpec spec() {
        return spec;
    }
}
