package io.ringkv.replication;

/**
 * A snapshot of one node's replication counters, named for operators.
 *
 * @param writesAcknowledged puts and deletes answered with success
 * @param writesFailed puts and deletes answered with an error (timeouts and unavailable included)
 * @param readsSucceeded gets answered with success
 * @param readsFailed gets answered with an error
 * @param timeouts requests that failed because replicas did not answer in time
 * @param unavailable requests refused at once because too few replicas were alive, or too many were pending
 * @param retransmits requests sent again to a replica that had not answered
 * @param lateReplies replies for requests already finished or unknown (duplicates included)
 * @param readRepairsSent resolved sibling sets sent to a stale replica after a read
 * @param readRepairsSkipped reads whose repair was given up to stay within the pending-request bound
 * @param clockEntriesPruned causal context entries dropped to keep versions bounded (each can only make a spurious
 *     sibling, never lose a write)
 * @param replicaWrites sibling sets a replica wrote and flushed
 * @param replicaUnchangedWrites writes a replica already held (duplicates, repeats): acked without a disk write
 * @param storageFailures replica writes or reads the storage engine failed (a full disk excluded)
 * @param diskFullRefusals replica writes refused because this node's disk is full or below its reserve
 * @param siblingLimitRejections writes refused because the key would hold more siblings than allowed
 * @param droppedMalformed replication messages that failed to decode: dropped, never thrown
 * @param droppedUnknownTemplate replication messages of a type this node does not know
 * @param catchUpWrites acknowledged writes sent again to a replica that had not acknowledged them yet
 * @param catchUpsAbandoned replica copies of acknowledged writes given up: the replica refused the write, was
 *     judged down, the catch-up window passed, or the pending-request bound needed the room (read repair brings
 *     such a replica up to date today; hinted handoff and anti-entropy will)
 * @param catchUpsInFlight acknowledged writes still being sent to a replica that has not acknowledged them (a
 *     gauge, not a count)
 * @param writesForwarded writes this node handed to a replica of the key to coordinate (it is not one)
 * @param forwardsCoordinated writes other nodes handed to this replica to coordinate
 * @param duplicateForwards repeated hand-overs of a write already taken on or refused: answered again, never
 *     written twice
 * @param forwardsRefusedAfterStart retransmitted hand-overs refused because this node had just started and could
 *     not tell whether its previous run had written them
 * @param contextsRefused writes refused because their causal context carried a counter above
 *     {@link io.ringkv.api.Dot#MAX_COUNTER} that the replica's copy of the key does not hold (never issued) or the
 *     key's counters left no next dot: nothing was written
 * @param diskFullHandOvers writes handed to another replica of the key because the one asked to coordinate them
 *     refused for a full disk before writing anything
 * @param forwardsRefusedBusy hand-overs refused with {@code UNAVAILABLE} because this replica already tracked its
 *     limit of hand-overs in flight
 * @param storageStageFull replica reads and writes refused because the node's storage stage queue was full (the
 *     request failed or the replica did not acknowledge; nothing was stored)
 */
public record ReplicationCounters(long writesAcknowledged, long writesFailed, long readsSucceeded, long readsFailed,
                                  long timeouts, long unavailable, long retransmits, long lateReplies,
                                  long readRepairsSent, long readRepairsSkipped, long clockEntriesPruned,
                                  long replicaWrites, long replicaUnchangedWrites, long storageFailures,
                                  long diskFullRefusals, long siblingLimitRejections, long droppedMalformed,
                                  long droppedUnknownTemplate, long catchUpWrites, long catchUpsAbandoned,
                                  long catchUpsInFlight, long writesForwarded, long forwardsCoordinated,
                                  long duplicateForwards, long forwardsRefusedAfterStart,
                                  long contextsRefused, long diskFullHandOvers, long forwardsRefusedBusy, long storageStageFull) {
}
