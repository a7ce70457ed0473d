package io.ringkv.node.transport;

import io.ringkv.api.CounterDescriptor;
import io.ringkv.api.CounterKind;

/**
 * The Aeron transport's counters beyond those every transport keeps ({@link io.ringkv.api.TransportCounter}), in
 * the node's counter registry (INFO section {@code cluster}).
 */
public enum AeronTransportCounter implements CounterDescriptor {
    DROPPED_INVALID_FRAMES("transport_dropped_invalid_frames",
        "datagrams dropped at the peer port before Aeron saw them: too short, a bad frame length or an unknown type"),
    ERRORS("transport_errors", "errors the media driver or Aeron client reported (logged at most once per 10 s)"),
    QUEUED("transport_queued", "sends the path to the peer could not take at once, kept in order and sent on a"
        + " later duty cycle"),
    DROPPED_QUEUED("transport_dropped_queued", "kept sends dropped because the peer's publication closed or"
        + " disconnected before they went out");

    private final String counterName;
    private final String help;

    AeronTransportCounter(String counterName, String help) {
        this.counterName = counterName;
        this.help = help;
    }

    @Override
    public String counterName() {
        return counterName;
    }

    @Override
    public String help() {
        return help;
    }

    @Override
    public CounterKind kind() {
        return CounterKind.COUNTER;
    }

    @Override
    public String section() {
        return "cluster";
    }
}
