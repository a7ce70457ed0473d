package io.ringkv.gossip;

import io.ringkv.api.CounterDescriptor;
import io.ringkv.api.CounterKind;
import io.ringkv.api.CounterSpec;

/** What a node's gossip did since it started, in the node's counter registry (INFO section {@code cluster}). */
public enum GossipCounter implements CounterDescriptor {
    ROUNDS("gossip_rounds", "gossip rounds run"),
    SYNS_SENT("gossip_syns_sent", "Syn messages sent"),
    ACKS_SENT("gossip_acks_sent", "Ack messages sent (answers to a Syn and the closing message of a round)"),
    BYTES_SENT("gossip_bytes_sent", "bytes of gossip messages handed to the transport"),
    MESSAGES_RECEIVED("gossip_messages_received", "gossip messages received and handled"),
    BYTES_RECEIVED("gossip_bytes_received", "bytes of gossip messages received"),
    STATES_APPLIED("gossip_states_applied", "full endpoint states taken"),
    HEARTBEATS_APPLIED("gossip_heartbeats_applied", "heartbeat versions taken"),
    DROPPED_WRONG_CLUSTER("gossip_dropped_wrong_cluster", "messages from another cluster, dropped"),
    DROPPED_MALFORMED("gossip_dropped_malformed", "messages that failed to decode or validate, dropped"),
    DROPPED_IMPLAUSIBLE("gossip_dropped_implausible",
        "well-formed states refused: a generation too far ahead, a clashing id, a claim near the version limit"),
    SEND_FAILURES("gossip_send_failures", "sends the transport refused (unknown peer, back-pressure, not connected)"),
    LOCAL_PAUSES("gossip_local_pauses",
        "rounds more than two intervals late because this node itself was stopped; held against no peer");

    private final CounterSpec spec;

    GossipCounter(String counterName, String help) {
        this.spec = new CounterSpec(counterName, help, CounterKind.COUNTER, "cluster");
    }

    @Override
    public CounterSpec spec() {
        return spec;
    }
}
