package io.ringkv.api;

import org.agrona.DirectBuffer;

/**
 * Receives the messages of one SBE schema. Called on the node's agent thread; the buffer is only valid during
 * the call, so a handler that keeps data copies it.
 */
@FunctionalInterface
public interface MessageHandler {
    /**
     * @param sender the peer that sent the message; null only for a schema registered with
     *     {@link Transport#registerOpen} when the transport does not know the sender yet
     * @param buffer holds the SBE message header followed by the body
     * @param offset where the header starts
     * @param length header and body length in bytes
     */
    void onMessage(NodeId sender, DirectBuffer buffer, int offset, int length);
}
