package io.ringkv.node.transport;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Signs the datagrams a node sends and judges those it receives. Owned by the transport's one thread (the node's
 * agent): implementations keep reusable state and are not thread-safe.
 */
interface PeerAuthentication {
    /** The datagram may be delivered. */
    int ACCEPTED = 0;
    /** Its tag was not made with a key of the cluster (or it was altered on the way). */
    int BAD_TAG = 1;
    /** Its tag is good but the receiver saw its sequence already, or one too old to tell. */
    int REPLAYED = 2;
    /**
     * The datagram's tag is good and new, but names {@linkplain #UNADDRESSED no receiver}: its copy would be taken by
     * any node, and by a later run of this one. The transport takes it only for what a node may say before it is heard
     * (gossip, a hello), which a replay cannot turn into a write.
     */
    int ACCEPTED_UNADDRESSED = 3;
    /**
     * The receiver named in the tag of a datagram to a node whose id the sender has not yet heard from: a seed known by
     * its address only. Any node accepts it.
     */
    long UNADDRESSED = 0;

    /**
     * Writes the tag of the datagram {@code envelope} (stamped with generation and sequence) then {@code message}
     * into the envelope.
     *
     * @param receiver what names the run of the node it goes to ({@link AeronTransport#address}: its fingerprint and
     *     generation; a datagram made for one node, or one run of it, is refused by another), or
     *     {@link #UNADDRESSED}
     */
    void sign(UnsafeBuffer envelope, long receiver, DirectBuffer message, int offset, int length);

    /**
     * Judges an arrived datagram: envelope at {@code offset}, {@code length} bytes in all (at least
     * {@link Envelope#LENGTH}, magic checked). A datagram accepted is remembered, so that its replay is refused.
     *
     * @param self what names this run of this node, as senders name it ({@link AeronTransport#address})
     * @return {@link #ACCEPTED}, {@link #ACCEPTED_UNADDRESSED}, {@link #BAD_TAG} or {@link #REPLAYED}
     */
    int verify(DirectBuffer buffer, int offset, int length, long self);

    /** @return true when datagrams are tagged and checked */
    boolean isOn();

    /**
     * @return true when messages travel encrypted: they are sent through {@link #seal} and received through
     *     {@link #open} instead of {@link #sign} and {@link #verify}
     */
    default boolean encrypts() {
        return false;
    }

    /**
     * Encrypts {@code message} into {@code out} (from 0, the same length) and writes the tag of envelope and message
     * into the envelope, stamped with generation and sequence.
     *
     * @param receiver as for {@link #sign}
     */
    default void seal(UnsafeBuffer envelope, long receiver, DirectBuffer message, int offset, int length,
                      UnsafeBuffer out) {
        throw new UnsupportedOperationException("this authentication does not encrypt");
    }

    /**
     * Judges an arrived encrypted datagram as {@link #verify} does and, when accepted, leaves its message decrypted
     * in {@code out} from 0 ({@code length - Envelope.LENGTH} bytes), also when {@link #ACCEPTED_UNADDRESSED}.
     * Nothing is delivered from a datagram refused.
     */
    default int open(DirectBuffer buffer, int offset, int length, long self, UnsafeBuffer out) {
        throw new UnsupportedOperationException("this authentication does not encrypt");
    }

    /** Without a cluster key: tags stay zero and every datagram is accepted, as before tags existed. */
    PeerAuthentication NONE = new PeerAuthentication() {
        @Override
        public void sign(UnsafeBuffer envelope, long receiver, DirectBuffer message, int offset, int length) {
            // the tag bytes were zeroed when the envelope was made
        }

        @Override
        public int verify(DirectBuffer buffer, int offset, int length, long self) {
            return ACCEPTED;
        }

        @Override
        public boolean isOn() {
            return false;
        }
    };
}
