package io.ringkv.api;

import org.agrona.DirectBuffer;

/**
 * Sends SBE-encoded messages to peers and delivers what arrives to the handler registered for the message's
 * schema id. The transport routes by the schema id in the standard SBE message header
 * ({@link MessageHeader}) and never decodes bodies. Messages from unknown senders, with an unregistered schema
 * id, or too short to hold a header are dropped and counted, never thrown.
 *
 * <p>Used from the node's agent thread only. Production runs it over Aeron UDP; the simulator over a simulated
 * network.
 */
public interface Transport {
    /**
     * Sends one message. Never blocks: when the message cannot go now the result says why and the caller decides.
     *
     * @param destination the peer
     * @param buffer holds the SBE message header followed by the body
     * @param offset where the header starts
     * @param length header and body length in bytes
     * @return {@link SendResult#SENT}, or why not
     */
    SendResult send(NodeId destination, DirectBuffer buffer, int offset, int length);

    /**
     * Registers the handler for one SBE schema.
     *
     * @param schemaId the schema id in the message header
     * @param handler receives every message of that schema
     * @throws IllegalStateException when the schema already has a handler
     */
    void register(int schemaId, MessageHandler handler);

    /**
     * Registers the handler for one SBE schema whose messages are also delivered from senders the transport has
     * not been introduced to, with a {@code null} sender: how a node first hears from one it does not know yet
     * (gossip from a joining node). Such a schema's messages must name their sender in their body. With a cluster
     * key they are also the only ones taken from a datagram that names no receiver (sent before its sender heard
     * from the receiver), whose copy any node would take, once, and a later run of the receiver too: a message of
     * an open schema must do no harm when played again (gossip's versions only move forward).
     *
     * @param schemaId the schema id in the message header
     * @param handler receives every message of that schema
     * @throws IllegalStateException when the schema already has a handler
     */
    default void registerOpen(int schemaId, MessageHandler handler) {
        register(schemaId, handler);
    }

    /**
     * Tells the transport where a peer can be reached, as learned at run time (from gossip or configuration);
     * a newer address replaces an older one. Transports that know every peer by construction ignore it.
     *
     * @param peer the peer's id and addresses
     */
    default void introduce(Node peer) {
    }

    /**
     * Tells the transport where a sender that is not (yet) a member says it can be reached, so that an answer
     * reaches it: a node joining through this one, or a restarted node's new address before its state arrives. Unlike
     * {@link #introduce}, anyone who can send a datagram can name such a peer, so a transport may keep only a bounded
     * number of them and forget those not {@linkplain #introduce introduced} as members soon after; a later message
     * from the sender introduces it again.
     *
     * @param peer the sender's id and addresses, as its message names them
     */
    default void introduceSender(Node peer) {
        introduce(peer);
    }

    /**
     * Tells the transport of a seed from the configuration: known by its address only, under an id this node made up
     * for it ({@code seed-<host>-<port>}), until it answers under its own. Once a member is heard at that address, a
     * transport that keeps one stream per peer sends to the seed through the member's, so the two ids' messages to
     * the one node stay in order.
     *
     * @param seed the made-up id and the seed's address
     */
    default void introduceSeed(Node seed) {
        introduce(seed);
    }
}
