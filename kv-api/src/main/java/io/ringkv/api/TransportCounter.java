package io.ringkv.api;

/**
 * The counters every {@link Transport} keeps, in its node's {@link CounterRegistry}; INFO shows them in its
 * {@code cluster} section.
 */
public enum TransportCounter implements CounterDescriptor {
    SENT("transport_sent", "messages handed to the network"),
    BACK_PRESSURED("transport_back_pressured", "sends refused because the path to the peer was full"),
    NOT_CONNECTED("transport_not_connected", "sends refused because the peer was not connected"),
    UNKNOWN_DESTINATION("transport_unknown_destination", "sends to a node that is not a known peer"),
    TOO_LARGE("transport_too_large", "sends refused because the message was too large"),
    RECEIVED("transport_received", "messages delivered to a handler"),
    DROPPED_UNKNOWN_SENDER("transport_dropped_unknown_sender", "arrivals from a node that is not a peer, dropped"),
    DROPPED_UNKNOWN_SCHEMA("transport_dropped_unknown_schema", "arrivals whose schema id has no handler, dropped"),
    DROPPED_MALFORMED("transport_dropped_malformed",
        "arrivals too short for a header, or that their handler failed to decode, dropped");

    private final CounterSpec spec;

    TransportCounter(String counterName, String help) {
        this.spec = new CounterSpec(counterName, help, CounterKind.COUNTER, "cluster");
    }

    @Override
    public CounterSpec spec() {
        return spec;
    }
}
