package io.ringkv.node.transport;

import io.ringkv.api.NodeId;
import java.nio.ByteOrder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The transport's own prefix on every datagram, before the SBE message (header and body), which follows unchanged:
 * <pre>
 *   0  magic "RKV" and envelope version 2   (4 bytes, little-endian like every field)
 *   4  the sender's id fingerprint          (8)
 *  12  the sender's generation              (8)  grows at each start of the sender (persisted)
 *  20  the sender's sequence                (8)  grows with each datagram the sender sends in that generation
 *  28  tag                                  (16) HMAC-SHA-256 of bytes 0-27, the receiver's fingerprint and the
 *                                                SBE message, truncated; zero when the cluster has no key
 * </pre>
 * Aeron tells a receiver only the sender's socket address, which changes when the sender restarts; the fingerprint
 * names the node. Generation and sequence let a receiver refuse a datagram it has seen (a replay).
 */
final class Envelope {
    static final int LENGTH = 44;
    /** "RKV" and envelope version 2 (version 1 had no generation, sequence or tag). */
    static final int MAGIC = 0x524B5602;
    static final int SENDER_OFFSET = 4;
    static final int GENERATION_OFFSET = 12;
    static final int SEQUENCE_OFFSET = 20;
    /** The signed part of the envelope ends where the tag begins. */
    static final int TAG_OFFSET = 28;
    static final int TAG_LENGTH = LENGTH - TAG_OFFSET;

    private Envelope() {
    }

    /** Writes the parts that stay the same from one datagram to the next: magic and sender. */
    static void write(MutableDirectBuffer buffer, NodeId sender) {
        buffer.putInt(0, MAGIC, ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(SENDER_OFFSET, senderHash(sender), ByteOrder.LITTLE_ENDIAN);
    }

    /** Writes the parts that change with each datagram. */
    static void stamp(MutableDirectBuffer buffer, long generation, long sequence) {
        buffer.putLong(GENERATION_OFFSET, generation, ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(SEQUENCE_OFFSET, sequence, ByteOrder.LITTLE_ENDIAN);
    }

    static boolean hasMagic(DirectBuffer buffer, int offset) {
        return buffer.getInt(offset, ByteOrder.LITTLE_ENDIAN) == MAGIC;
    }

    static long sender(DirectBuffer buffer, int offset) {
        return buffer.getLong(offset + SENDER_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    static long generation(DirectBuffer buffer, int offset) {
        return buffer.getLong(offset + GENERATION_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    static long sequence(DirectBuffer buffer, int offset) {
        return buffer.getLong(offset + SEQUENCE_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    /** @return the id's {@link NodeId#fingerprint()}: stable across processes and versions */
    static long senderHash(NodeId id) {
        return id.fingerprint();
    }
}
