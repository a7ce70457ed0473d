package io.ringkv.sim;

import io.ringkv.api.MessageHandler;
import io.ringkv.api.MessageHeader;
import io.ringkv.api.NodeId;
import io.ringkv.api.SendResult;
import io.ringkv.api.Transport;
import io.ringkv.api.TransportCounters;
import java.util.HashMap;
import java.util.Map;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A node's transport inside the simulator: sends copy the message into the simulated network; arrivals are
 * routed by schema id exactly as the production transport routes them, with the same drops and counters.
 */
public final class SimTransport implements Transport {
    /** Largest message the simulated network carries, as the production transport's limit. */
    public static final int MAX_MESSAGE_BYTES = 64 * 1024;

    private final Simulation simulation;
    private final SimNode<?> node;
    private final Map<Integer, MessageHandler> handlers = new HashMap<>();
    private final UnsafeBuffer receiveBuffer = new UnsafeBuffer(new byte[0]);
    private long sent;
    private long backPressured;
    private long unknownDestination;
    private long tooLarge;
    private long received;
    private long droppedUnknownSender;
    private long droppedUnknownSchema;
    private long droppedMalformed;

    SimTransport(Simulation simulation, SimNode<?> node) {
        this.simulation = simulation;
        this.node = node;
    }

    @Override
    public SendResult send(NodeId destination, DirectBuffer buffer, int offset, int length) {
        if (length > MAX_MESSAGE_BYTES) {
            tooLarge++;
            return SendResult.TOO_LARGE;
        }
        SimNode<?> target = simulation.nodeOrNull(destination);
        if (target == null) {
            unknownDestination++;
            return SendResult.UNKNOWN_DESTINATION;
        }
        if (simulation.inFlight(node, target) >= simulation.network().linkCapacity()) {
            backPressured++;
            return SendResult.BACK_PRESSURED;
        }
        byte[] copy = new byte[length];
        buffer.getBytes(offset, copy);
        simulation.transmit(node, target, copy);
        sent++;
        return SendResult.SENT;
    }

    @Override
    public void register(int schemaId, MessageHandler handler) {
        if (handlers.putIfAbsent(schemaId, handler) != null) {
            throw new IllegalStateException("schema " + schemaId + " already has a handler on " + node.id());
        }
    }

    @Override
    public TransportCounters counters() {
        return new TransportCounters(sent, backPressured, 0, unknownDestination, tooLarge, received,
            droppedUnknownSender, droppedUnknownSchema, droppedMalformed);
    }

    void deliver(SimNode<?> sender, byte[] message) {
        if (sender == null) {
            droppedUnknownSender++;
            return;
        }
        if (message.length < MessageHeader.LENGTH) {
            droppedMalformed++;
            return;
        }
        receiveBuffer.wrap(message);
        MessageHandler handler = handlers.get(MessageHeader.schemaId(receiveBuffer, 0));
        if (handler == null) {
            droppedUnknownSchema++;
            return;
        }
        try {
            handler.onMessage(sender.id(), receiveBuffer, 0, message.length);
            received++;
        } catch (RuntimeException e) {
            // A message a handler cannot decode is the sender's fault: drop and count it, as production does.
            // The simulation records it too, so that tests notice a handler bug instead of a quiet drop.
            droppedMalformed++;
            simulation.recordHandlerFailure(node, e);
        }
    }
}
