package io.ringkv.replication.internal;

import io.ringkv.replication.ReplicationCounters;

/** The mutable counters behind {@link ReplicationCounters}; owned by the agent thread. */
public final class Metrics {
    public long writesAcknowledged;
    public long writesFailed;
    public long readsSucceeded;
    public long readsFailed;
    public long timeouts;
    public long unavailable;
    public long retransmits;
    public long lateReplies;
    public long readRepairsSent;
    public long readRepairsSkipped;
    public long clockEntriesPruned;
    public long replicaWrites;
    public long replicaUnchangedWrites;
    public long storageFailures;
    public long diskFullRefusals;
    public long siblingLimitRejections;
    public long droppedMalformed;
    public long droppedUnknownTemplate;
    public long catchUpWrites;
    public long catchUpsAbandoned;
    public long catchUpsInFlight;
    public long writesForwarded;
    public long forwardsCoordinated;
    public long duplicateForwards;
    public long forwardsRefusedAfterStart;
    public long contextsRefused;
    public long diskFullHandOvers;
    public long forwardsRefusedBusy;
    public long storageStageFull;

    /** @return a snapshot */
    public ReplicationCounters snapshot() {
        return new ReplicationCounters(writesAcknowledged, writesFailed, readsSucceeded, readsFailed, timeouts,
            unavailable, retransmits, lateReplies, readRepairsSent, readRepairsSkipped, clockEntriesPruned,
            replicaWrites, replicaUnchangedWrites, storageFailures, diskFullRefusals, siblingLimitRejections,
            droppedMalformed, droppedUnknownTemplate, catchUpWrites, catchUpsAbandoned, catchUpsInFlight,
            writesForwarded, forwardsCoordinated, duplicateForwards, forwardsRefusedAfterStart,
            contextsRefused, diskFullHandOvers, forwardsRefusedBusy, storageStageFull);
    }
}
