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
 * @param readRepairsSent versions sent to a stale replica after a read
 * @param readRepairsSkipped reads whose repair was given up to stay within the pending-request bound
 * @param clockEntriesPruned vector clock entries dropped to keep clocks bounded
 * @param replicaWrites sibling sets a replica wrote and flushed
 * @param replicaUnchangedWrites writes a replica already held (duplicates, repeats): acked without a disk write
 * @param storageFailures replica writes or reads the storage engine failed (a full disk excluded)
 * @param diskFullRefusals replica writes refused because this node's disk is full or below its reserve
 * @param siblingLimitRejections writes refused because the key would hold more siblings than allowed
 * @param droppedMalformed replication messages that failed to decode: dropped, never thrown
 * @param droppedUnknownTemplate replication messages of a type this node does not know
 */
public record ReplicationCounters(long writesAcknowledged, long writesFailed, long readsSucceeded, long readsFailed,
                                  long timeouts, long unavailable, long retransmits, long lateReplies,
                                  long readRepairsSent, long readRepairsSkipped, long clockEntriesPruned,
                                  long replicaWrites, long replicaUnchangedWrites, long storageFailures,
                                  long diskFullRefusals, long siblingLimitRejections, long droppedMalformed, long droppedUnknownTemplate) {
}
