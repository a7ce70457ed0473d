package io.ringkv.replication.internal;

import io.ringkv.api.Counter;
import io.ringkv.api.CounterRegistry;
import io.ringkv.api.CounterSet;
import io.ringkv.replication.ReplicationCounter;
import io.ringkv.replication.ReplicationCounters;

/**
 * Replication's counters, registered in the node's {@link CounterRegistry} (INFO reads them from there); written by
 * the agent thread only, readable from any thread.
 */
public final class Metrics {
    public final Counter writesAcknowledged;
    public final Counter writesFailed;
    public final Counter readsSucceeded;
    public final Counter readsFailed;
    public final Counter timeouts;
    public final Counter unavailable;
    public final Counter pendingWrites;
    public final Counter retransmits;
    public final Counter lateReplies;
    public final Counter readRepairsSent;
    public final Counter readRepairsSkipped;
    public final Counter clockEntriesPruned;
    public final Counter replicaWrites;
    public final Counter replicaUnchangedWrites;
    public final Counter storageFailures;
    public final Counter diskFullRefusals;
    public final Counter siblingLimitRejections;
    public final Counter droppedMalformed;
    public final Counter droppedUnknownTemplate;
    public final Counter droppedNotServing;
    public final Counter catchUpWrites;
    public final Counter catchUpsAbandoned;
    public final Counter catchUpsInFlight;
    public final Counter writesForwarded;
    public final Counter forwardsCoordinated;
    public final Counter duplicateForwards;
    public final Counter forwardsRefusedAfterStart;
    public final Counter contextsRefused;
    public final Counter diskFullHandOvers;
    public final Counter forwardsRefusedBusy;
    public final Counter storageStageFull;
    public final Counter expiryChangesOfGoneValues;
    public final Counter forwardsRedirected;
    public final Counter blindWritesRewritten;
    public final Counter expiryChangesSettled;
    public final Counter oversizeRefusals;

    /** Registers replication's counters with {@code registry}. */
    public Metrics(CounterRegistry registry) {
        CounterSet<ReplicationCounter> set = registry.register(ReplicationCounter.class);
        writesAcknowledged = set.get(ReplicationCounter.WRITES_ACKNOWLEDGED);
        writesFailed = set.get(ReplicationCounter.WRITES_FAILED);
        readsSucceeded = set.get(ReplicationCounter.READS_SUCCEEDED);
        readsFailed = set.get(ReplicationCounter.READS_FAILED);
        timeouts = set.get(ReplicationCounter.TIMEOUTS);
        unavailable = set.get(ReplicationCounter.UNAVAILABLE);
        pendingWrites = set.get(ReplicationCounter.PENDING_WRITES);
        retransmits = set.get(ReplicationCounter.RETRANSMITS);
        lateReplies = set.get(ReplicationCounter.LATE_REPLIES);
        readRepairsSent = set.get(ReplicationCounter.READ_REPAIRS_SENT);
        readRepairsSkipped = set.get(ReplicationCounter.READ_REPAIRS_SKIPPED);
        clockEntriesPruned = set.get(ReplicationCounter.CLOCK_ENTRIES_PRUNED);
        replicaWrites = set.get(ReplicationCounter.REPLICA_WRITES);
        replicaUnchangedWrites = set.get(ReplicationCounter.REPLICA_UNCHANGED_WRITES);
        storageFailures = set.get(ReplicationCounter.STORAGE_FAILURES);
        diskFullRefusals = set.get(ReplicationCounter.DISK_FULL_REFUSALS);
        siblingLimitRejections = set.get(ReplicationCounter.SIBLING_LIMIT_REJECTIONS);
        droppedMalformed = set.get(ReplicationCounter.DROPPED_MALFORMED);
        droppedUnknownTemplate = set.get(ReplicationCounter.DROPPED_UNKNOWN_TEMPLATE);
        droppedNotServing = set.get(ReplicationCounter.DROPPED_NOT_SERVING);
        catchUpWrites = set.get(ReplicationCounter.CATCH_UP_WRITES);
        catchUpsAbandoned = set.get(ReplicationCounter.CATCH_UPS_ABANDONED);
        catchUpsInFlight = set.get(ReplicationCounter.CATCH_UPS_IN_FLIGHT);
        writesForwarded = set.get(ReplicationCounter.WRITES_FORWARDED);
        forwardsCoordinated = set.get(ReplicationCounter.FORWARDS_COORDINATED);
        duplicateForwards = set.get(ReplicationCounter.DUPLICATE_FORWARDS);
        forwardsRefusedAfterStart = set.get(ReplicationCounter.FORWARDS_REFUSED_AFTER_START);
        contextsRefused = set.get(ReplicationCounter.CONTEXTS_REFUSED);
        diskFullHandOvers = set.get(ReplicationCounter.DISK_FULL_HAND_OVERS);
        forwardsRefusedBusy = set.get(ReplicationCounter.FORWARDS_REFUSED_BUSY);
        storageStageFull = set.get(ReplicationCounter.STORAGE_STAGE_FULL);
        expiryChangesOfGoneValues = set.get(ReplicationCounter.EXPIRY_CHANGES_OF_GONE_VALUES);
        forwardsRedirected = set.get(ReplicationCounter.FORWARDS_REDIRECTED);
        blindWritesRewritten = set.get(ReplicationCounter.BLIND_WRITES_REWRITTEN);
        expiryChangesSettled = set.get(ReplicationCounter.EXPIRY_CHANGES_SETTLED);
        oversizeRefusals = set.get(ReplicationCounter.OVERSIZE_REFUSALS);
    }

    /** @return a snapshot */
    public ReplicationCounters snapshot() {
        return new ReplicationCounters(writesAcknowledged.get(), writesFailed.get(), readsSucceeded.get(), readsFailed.get(), timeouts.get(), unavailable.get(), retransmits.get(), lateReplies.get(), readRepairsSent.get(), readRepairsSkipped.get(), clockEntriesPruned.get(), replicaWrites.get(), replicaUnchangedWrites.get(), storageFailures.get(), diskFullRefusals.get(), siblingLimitRejections.get(), droppedMalformed.get(), droppedUnknownTemplate.get(), catchUpWrites.get(), catchUpsAbandoned.get(), catchUpsInFlight.get(), writesForwarded.get(), forwardsCoordinated.get(), duplicateForwards.get(), forwardsRefusedAfterStart.get(), contextsRefused.get(), diskFullHandOvers.get(), forwardsRefusedBusy.get(), storageStageFull.get());
    }
}
