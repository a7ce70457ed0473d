package io.ringkv.api;

/**
 * A snapshot of a transport's counters, named for operators.
 *
 * @param sent messages handed to the network
 * @param backPressured sends refused because the path was full
 * @param notConnected sends refused because the peer was not connected
 * @param unknownDestination sends to a node that is not a peer
 * @param tooLarge sends refused for size
 * @param received messages delivered to a handler
 * @param droppedUnknownSender arrivals from a node that is not a peer
 * @param droppedUnknownSchema arrivals whose schema id has no handler
 * @param droppedMalformed arrivals too short to hold a header, or whose handler failed to decode them
 */
public record TransportCounters(long sent, long backPressured, long notConnected, long unknownDestination,
                                long tooLarge, long received, long droppedUnknownSender,
                                long droppedUnknownSchema, long droppedMalformed) {
}
