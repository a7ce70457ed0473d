package io.ringkv.node.resp;

import io.ringkv.api.CounterDescriptor;
import io.ringkv.api.CounterKind;
import io.ringkv.api.CounterSpec;

/**
 * What the Redis-protocol front door has done, in the node's counter registry; written only by the front door's
 * thread. The names are the fields Redis's own {@code INFO} uses where Redis has one.
 */
public enum RespCounter implements CounterDescriptor {
    CONNECTED_CLIENTS("connected_clients", CounterKind.GAUGE, "clients", "client connections open now"),
    UNSENT_REPLY_BYTES("client_unsent_reply_bytes", CounterKind.GAUGE, "clients",
        "reply bytes encoded and not yet read by their clients, over every connection"),
    UNSENT_REPLY_BYTES_PEAK("client_unsent_reply_bytes_peak", CounterKind.GAUGE, "clients",
        "the most reply bytes one connection has held unsent at once since start"),
    CONNECTIONS_ACCEPTED("total_connections_received", CounterKind.COUNTER, "stats", "client connections accepted"),
    COMMANDS_PROCESSED("total_commands_processed", CounterKind.COUNTER, "stats", "commands answered, errors included"),
    CONNECTIONS_REJECTED("rejected_connections", CounterKind.COUNTER, "stats",
        "connections refused because maxclients were already open"),
    PROTOCOL_ERRORS("total_protocol_errors", CounterKind.COUNTER, "stats",
        "connections closed because they sent bytes that are not RESP"),
    CROSS_PROTOCOL_CLOSES("total_cross_protocol_closes", CounterKind.COUNTER, "stats",
        "connections closed unrun because they sent an HTTP request line or header (POST, Host:): a web page making"
            + " a browser send commands to this port"),
    SERVICE_FAILURES("total_service_failures", CounterKind.COUNTER, "stats",
        "requests that failed with an internal error rather than a typed one"),
    READ_PAUSES("total_read_pauses", CounterKind.COUNTER, "stats",
        "times a connection stopped being read because its replies had not drained (back-pressure)"),
    DISPATCH_HOLDS("total_reply_budget_holds", CounterKind.COUNTER, "stats",
        "requests held before dispatch because the worst-case replies already in flight on their connection, with"
            + " theirs, exceeded its reply budget (the unsent reply bound)"),
    REPLY_TOO_LARGE("total_reply_too_large_refusals", CounterKind.COUNTER, "stats",
        "requests refused unrun because their reply could exceed the most one request may produce"),
    CLOSED_IDLE("clients_closed_idle", CounterKind.COUNTER, "stats",
        "connections closed because they moved no byte for the idle timeout"),
    CLOSED_INCOMPLETE_REQUEST("clients_closed_incomplete_request", CounterKind.COUNTER, "stats",
        "connections closed because a request they began did not arrive whole within the request timeout"),
    KEYS_DEFERRED("total_client_keys_deferred", CounterKind.COUNTER, "stats",
        "with the front door on the agent thread: ready client sockets left for the next duty cycle because the"
            + " cycle had served its most already"),
    ACCEPT_PAUSES("total_accept_pauses", CounterKind.COUNTER, "stats",
        "times the client port stopped accepting for 100 ms because accepting a connection failed (the process out of"
            + " file descriptors, say): waiting connections stay queued meanwhile instead of the loop retrying at once"),
    SETUP_FAILURES("total_connection_setup_failures", CounterKind.COUNTER, "stats",
        "connections accepted and closed at once because setting them up failed (the client reset them first, say)");

    private final CounterSpec spec;

    RespCounter(String counterName, CounterKind kind, String section, String help) {
        this.spec = new CounterSpec(counterName, help, kind, section);
    }

    @Override
    public CounterSpec spec() {
        return spec;
    }
}
