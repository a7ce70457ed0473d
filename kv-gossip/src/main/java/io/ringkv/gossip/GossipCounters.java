package io.ringkv.gossip;

/**
 * What a node's gossip did, since it started.
 *
 * @param rounds rounds run
 * @param synsSent Syn messages sent
 * @param acksSent Ack messages sent (both the answer to a Syn and the round's closing message)
 * @param bytesSent bytes of gossip messages handed to the transport
 * @param messagesReceived gossip messages received and handled
 * @param bytesReceived bytes of gossip messages received
 * @param statesApplied full endpoint states taken
 * @param heartbeatsApplied heartbeat versions taken
 * @param droppedWrongCluster messages from another cluster, dropped
 * @param droppedMalformed messages that failed to decode or validate, dropped
 * @param droppedImplausible states and claims refused though well formed: a generation too far ahead, an id whose
 *     fingerprint another node has, a claim about this node too close to the version limit
 * @param sendFailures sends the transport refused (unknown peer, back-pressure, not connected)
 * @param localPauses rounds that came more than two intervals late because this node itself was stopped (SIGSTOP,
 *     a long garbage-collection pause); the lateness was not held against any peer
 */
public record GossipCounters(long rounds, long synsSent, long acksSent, long bytesSent, long messagesReceived,
                             long bytesReceived, long statesApplied, long heartbeatsApplied, long droppedWrongCluster,
                             long droppedMalformed, long droppedImplausible, long sendFailures,
                             long localPauses) {
    /** Counters of a node whose gossip has not started. */
    public static final GossipCounters NONE = new GossipCounters(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
}
