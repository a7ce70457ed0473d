package io.ringkv.node.resp;

import io.ringkv.api.Counter;
import io.ringkv.api.CounterRegistry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes the text of {@code INFO}. Each section holds every counter of the node's registry whose section it is
 * (in registration order, under its registered name), then the front door's own fields, then the node's.
 */
final class InfoReport {
    /** The sections INFO knows, in the order it prints them. */
    static final List<String> SECTIONS = List.of("server", "clients", "stats", "replication", "cluster", "storage",
        "hints", "repair", "streaming", "cleanup", "autoscale", "keyspace");
    /** The Redis version whose commands and replies ringkv's subset follows, for clients that check it. */
    static final String REDIS_COMPATIBLE_VERSION = "7.0.0";

    private final RespConfig config;
    private final CounterRegistry counters;
    private final NodeInfo node;
    private final long startNanos;
    private int port;

    InfoReport(RespConfig config, CounterRegistry counters, NodeInfo node, long startNanos) {
        this.config = config;
        this.counters = counters;
        this.node = node;
        this.startNanos = startNanos;
    }

    void port(int boundPort) {
        port = boundPort;
    }

    /** @param requested section names; empty, {@code all}, {@code everything} or {@code default} for all */
    String render(List<String> requested) {
        List<String> sections = requested.stream().map(name -> name.toLowerCase(Locale.ROOT)).toList();
        boolean all = sections.isEmpty() || sections.stream().anyMatch(List.of("all", "everything", "default")::contains);
        StringBuilder text = new StringBuilder();
        for (String section : SECTIONS) {
            if (all || sections.contains(section)) {
                if (!text.isEmpty()) {
                    text.append("\r\n");
                }
                append(text, section);
            }
        }
        return text.toString();
    }

    private void append(StringBuilder text, String section) {
        text.append("# ").append(Character.toUpperCase(section.charAt(0))).append(section.substring(1)).append("\r\n");
        Map<String, String> fields = new LinkedHashMap<>();
        for (Counter counter : counters.counters()) {
            if (counter.section().equals(section)) {
                fields.put(counter.name(), Long.toString(counter.get()));
            }
        }
        fields.putAll(ownFields(section));
        fields.putAll(node.section(section));
        fields.forEach((name, value) -> text.append(name).append(':').append(value).append("\r\n"));
    }

    private Map<String, String> ownFields(String section) {
        Map<String, String> fields = new LinkedHashMap<>();
        switch (section) {
            case "server" -> {
                fields.put("redis_version", REDIS_COMPATIBLE_VERSION);
                fields.put("ringkv_version", config.version());
                fields.put("redis_mode", "cluster");
                fields.put("process_id", Long.toString(ProcessHandle.current().pid()));
                fields.put("tcp_port", Integer.toString(port));
                fields.put("uptime_in_seconds", Long.toString((System.nanoTime() - startNanos) / 1_000_000_000L));
            }
            case "clients" -> {
                fields.put("maxclients", Integer.toString(config.maxClients()));
                fields.put("blocked_clients", "0");
                fields.put("client_max_unsent_reply_bytes", Integer.toString(config.maxUnsentReplyBytes()));
                fields.put("client_idle_timeout_seconds", Long.toString(config.idleTimeoutMillis() / 1000));
                fields.put("client_request_timeout_seconds", Long.toString(config.requestTimeoutMillis() / 1000));
            }
            case "replication" -> {
                fields.put("role", "master");
                fields.put("connected_slaves", "0");
            }
            default -> {
                // stats: only counters; keyspace: only the node knows its keys
            }
        }
        return fields;
    }
}
