package io.ringkv.sim;

import io.ringkv.api.MessageHeader;
import io.ringkv.api.NodeContext;
import io.ringkv.api.NodeId;
import io.ringkv.api.SendResult;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A small protocol for simulator tests: pings carry a sequence number and are answered with a pong carrying the
 * same number. Messages use the standard SBE header layout, written by hand.
 */
final class EchoNode {
    static final int SCHEMA_ID = 900;
    static final int PING = 1;
    static final int PONG = 2;
    static final int LENGTH = MessageHeader.LENGTH + Long.BYTES;

    private final NodeContext context;
    private final UnsafeBuffer sendBuffer = new UnsafeBuffer(new byte[LENGTH]);
    final List<Received> pings = new ArrayList<>();
    final List<Received> pongs = new ArrayList<>();

    record Received(NodeId from, long sequence, long atNanos) {
    }

    EchoNode(NodeContext context) {
        this.context = context;
        context.transport().register(SCHEMA_ID, this::onMessage);
    }

    NodeContext context() {
        return context;
    }

    SendResult ping(NodeId peer, long sequence) {
        return send(peer, PING, sequence);
    }

    private void onMessage(NodeId sender, DirectBuffer buffer, int offset, int length) {
        if (length < LENGTH) {
            throw new IllegalArgumentException("echo message of " + length + " bytes is too short");
        }
        long sequence = buffer.getLong(offset + MessageHeader.LENGTH, ByteOrder.LITTLE_ENDIAN);
        Received received = new Received(sender, sequence, context.clock().monotonicNanos());
        if (MessageHeader.templateId(buffer, offset) == PING) {
            pings.add(received);
            send(sender, PONG, sequence);
        } else {
            pongs.add(received);
        }
    }

    private SendResult send(NodeId peer, int template, long sequence) {
        encode(sendBuffer, template, SCHEMA_ID, sequence);
        return context.transport().send(peer, sendBuffer, 0, LENGTH);
    }

    static void encode(UnsafeBuffer buffer, int template, int schemaId, long sequence) {
        buffer.putShort(0, (short) Long.BYTES, ByteOrder.LITTLE_ENDIAN);
        buffer.putShort(2, (short) template, ByteOrder.LITTLE_ENDIAN);
        buffer.putShort(4, (short) schemaId, ByteOrder.LITTLE_ENDIAN);
        buffer.putShort(6, (short) 1, ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(MessageHeader.LENGTH, sequence, ByteOrder.LITTLE_ENDIAN);
    }
}
