package io.ringkv.node.transport;

import io.ringkv.api.CounterDescriptor;
import io.ringkv.api.CounterKind;
import io.ringkv.api.CounterSpec;

/**
 * The Aeron transport's counters beyond those every transport keeps ({@link io.ringkv.api.TransportCounter}), in
 * the node's counter registry (INFO section {@code cluster}).
 */
public enum AeronTransportCounter implements CounterDescriptor {
    DROPPED_INVALID_FRAMES("transport_dropped_invalid_frames",
        "datagrams dropped at the peer port before Aeron saw them: too short, a bad frame length or an unknown type"),
    DROPPED_UNKNOWN_ENVELOPE("transport_dropped_unknown_envelope", "datagrams without ringkv's envelope (another"
        + " protocol, another envelope version, or too short for one), dropped"),
    DROPPED_BAD_TAG("transport_dropped_bad_tag", "datagrams whose tag was not made with the cluster key for this node"
        + " (a node without the key, another cluster's key, or bytes altered on the way), dropped"),
    DROPPED_REPLAYED("transport_dropped_replayed", "datagrams with a good tag seen before (a replay), or from an older"
        + " run of their sender, dropped"),
    ERRORS("transport_errors", "errors the media driver or Aeron client reported (logged at most once per 10 s)"),
    QUEUED("transport_queued", "sends the path to the peer could not take at once, kept in order and sent on a"
        + " later duty cycle"),
    DROPPED_QUEUED("transport_dropped_queued", "kept sends dropped because the peer's publication closed or"
        + " disconnected before they went out"),
    FORGOTTEN_SENDERS("transport_forgotten_senders", "senders that were not members forgotten with their publication:"
        + " not made members within 60 s, or replaced when 64 such senders were kept"),
    DROPPED_UNADDRESSED("transport_dropped_unaddressed", "datagrams with a good tag that named no receiver (sent"
        + " before their sender heard from this run of this node), dropped unless gossip: any node, and any later run"
        + " of this one, would take a copy of one; the sender is told this run by a hello and sends again"),
    HELLOS_SENT("transport_hellos_sent", "hellos sent to a peer whose datagrams failed their tag or named no"
        + " receiver, so that a peer that has not heard from this run of this node learns its generation (at most one a"
        + " second to a peer)"),
    HELLOS_RECEIVED("transport_hellos_received", "hellos received: a peer said which run of it is current"),
    HELLOS_ASKED("transport_hellos_asked", "hellos asked of a peer not heard from yet (with a cluster key), while"
        + " sends to it other than gossip wait to name its run (at most one every 100 ms to a peer)"),
    REASSEMBLY_BUFFERS_FREED("transport_reassembly_buffers_freed", "buffers that joined a sender's messages of more"
        + " than one datagram, let go when its stream ended (it closed, or fell silent)");

    private final CounterSpec spec;

    AeronTransportCounter(String counterName, String help) {
        this.spec = new CounterSpec(counterName, help, CounterKind.COUNTER, "cluster");
    }

    @Override
    public CounterSpec spec() {
        return spec;
    }
}
