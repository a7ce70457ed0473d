package io.ringkv.node.transport;

import io.ringkv.api.NodeId;
import java.nio.ByteOrder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The transport's own prefix on every datagram: a magic number with the envelope version, and a 64-bit hash of
 * the sender's node id. Aeron tells a receiver only the sender's socket address, which changes when the sender
 * restarts; the hash names the node. The SBE message (header and body) follows unchanged.
 */
final class Envelope {
    static final int LENGTH = Integer.BYTES + Long.BYTES;
    /** "RKV" and envelope version 1. */
    static final int MAGIC = 0x524B5601;
    private static final int SENDER_OFFSET = Integer.BYTES;

    private Envelope() {
    }

    static void write(MutableDirectBuffer buffer, NodeId sender) {
        buffer.putInt(0, MAGIC, ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(SENDER_OFFSET, senderHash(sender), ByteOrder.LITTLE_ENDIAN);
    }

    static boolean hasMagic(DirectBuffer buffer, int offset) {
        return buffer.getInt(offset, ByteOrder.LITTLE_ENDIAN) == MAGIC;
    }

    static long sender(DirectBuffer buffer, int offset) {
        return buffer.getLong(offset + SENDER_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    /** @return the id's {@link NodeId#fingerprint()}: stable across processes and versions */
    static long senderHash(NodeId id) {
        return id.fingerprint();
    }
}
