package io.ringkv.sim;

import io.ringkv.api.CounterRegistry;
import io.ringkv.api.CounterSet;
import io.ringkv.api.MessageHandler;
import io.ringkv.api.MessageHeader;
import io.ringkv.api.NodeId;
import io.ringkv.api.SendResult;
import io.ringkv.api.Transport;
import io.ringkv.api.TransportCounter;
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
    private final CounterSet<TransportCounter> counters;

    SimTransport(Simulation simulation, SimNode<?> node, CounterRegistry registry) {
        this.simulation = simulation;
        this.node = node;
        this.counters = registry.register(TransportCounter.class);
    }

    @Override
    public SendResult send(NodeId destination, DirectBuffer buffer, int offset, int length) {
        if (length > MAX_MESSAGE_BYTES) {
            count(TransportCounter.TOO_LARGE);
            return SendResult.TOO_LARGE;
        }
        SimNode<?> target = simulation.nodeOrNull(destination);
        if (target == null) {
            count(TransportCounter.UNKNOWN_DESTINATION);
            return SendResult.UNKNOWN_DESTINATION;
        }
        if (simulation.inFlight(node, target) >= simulation.network().linkCapacity()) {
            count(TransportCounter.BACK_PRESSURED);
            return SendResult.BACK_PRESSURED;
        }
        byte[] copy = new byte[length];
        buffer.getBytes(offset, copy);
        simulation.transmit(node, target, copy);
        count(TransportCounter.SENT);
        return SendResult.SENT;
    }

    @Override
    public void register(int schemaId, MessageHandler handler) {
        if (handlers.putIfAbsent(schemaId, handler) != null) {
            throw new IllegalStateException("schema " + schemaId + " already has a handler on " + node.id());
        }
    }

    /** @return the transport's counters, as registered in its node's registry */
    public CounterSet<TransportCounter> counters() {
        return counters;
    }

    private void count(TransportCounter counter) {
        counters.get(counter).incrementRelease();
    }

    void deliver(SimNode<?> sender, byte[] message) {
        if (sender == null) {
            count(TransportCounter.DROPPED_UNKNOWN_SENDER);
            return;
        }
        if (message.length < MessageHeader.LENGTH) {
            count(TransportCounter.DROPPED_MALFORMED);
            return;
        }
        receiveBuffer.wrap(message);
        MessageHandler handler = handlers.get(MessageHeader.schemaId(receiveBuffer, 0));
        if (handler == null) {
            count(TransportCounter.DROPPED_UNKNOWN_SCHEMA);
            return;
        }
        try {
            handler.onMessage(sender.id(), receiveBuffer, 0, message.length);
            count(TransportCounter.RECEIVED);
        } catch (RuntimeException e) {
            // A message a handler cannot decode is the sender's fault: drop and count it, as production does.
            // The simulation records it too, so that tests notice a handler bug instead of a quiet drop.
            count(TransportCounter.DROPPED_MALFORMED);
            simulation.recordHandlerFailure(node, e);
        }
    }
}
