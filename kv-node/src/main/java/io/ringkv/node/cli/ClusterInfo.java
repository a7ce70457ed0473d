package io.ringkv.node.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A node's {@code INFO cluster} reply, parsed: its fields by name, and one map per {@code node<i>} row (id, state,
 * address, client, ... liveness).
 *
 * @param fields every field but the node rows
 * @param nodes the node rows, in the order the node listed them
 */
record ClusterInfo(Map<String, String> fields, List<Map<String, String>> nodes) {
    /**
     * Asks a node for one {@code INFO} section.
     *
     * @return its fields (node rows excluded)
     * @throws java.io.IOException when the node cannot be reached or answers with an error
     */
    static Map<String, String> fetch(String host, int port, String section) throws java.io.IOException {
        AdminClient.Reply reply = AdminClient.call(host, port, List.of("INFO", section));
        if (reply.error()) {
            throw new java.io.IOException("INFO " + section + " answered " + reply.text());
        }
        return parse(reply.text()).fields();
    }

    /** @return the field as a number, 0 when absent or not a number */
    static long number(Map<String, String> fields, String name) {
        try {
            return Long.parseLong(fields.getOrDefault(name, "0").trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** @return a 30-character progress bar, e.g. {@code [#######        ]} */
    static String bar(long done, long total) {
        int width = 30;
        int filled = total <= 0 ? 0 : (int) Math.min(width, done * width / total);
        return "[" + "#".repeat(filled) + " ".repeat(width - filled) + "]";
    }

    static ClusterInfo parse(String text) {
        Map<String, String> fields = new LinkedHashMap<>();
        List<Map<String, String>> nodes = new ArrayList<>();
        for (String line : text.split("\r?\n")) {
            int colon = line.indexOf(':');
            if (line.startsWith("#") || colon <= 0) {
                continue;
            }
            String name = line.substring(0, colon);
            String value = line.substring(colon + 1);
            if (name.matches("node\\d+")) {
                Map<String, String> node = new LinkedHashMap<>();
                for (String pair : value.split(",")) {
                    int equals = pair.indexOf('=');
                    if (equals > 0) {
                        node.put(pair.substring(0, equals), pair.substring(equals + 1));
                    }
                }
                nodes.add(node);
            } else {
                fields.put(name, value);
            }
        }
        return new ClusterInfo(fields, nodes);
    }

    /** @return the row of node {@code id}, or null when the node did not list it */
    Map<String, String> node(String id) {
        return nodes.stream().filter(row -> id.equals(row.get("id"))).findFirst().orElse(null);
    }

    /** @return the field's value, or {@code fallback} when the node did not send it */
    String field(String name, String fallback) {
        return fields.getOrDefault(name, fallback);
    }

    /**
     * @return true when the node named itself and has loaded its view of the cluster: a node still loading may not
     *     list every member yet, so it says nothing either way of whether one is still a member
     */
    boolean knowsMembers() {
        return fields.get("cluster_self") != null && !loading();
    }

    /** @return true when the node reports that it does not serve clients yet */
    boolean loading() {
        return field("loading", "0").equals("1");
    }

    /** @return how many nodes own ranges of the ring this node routes by, or -1 when it did not say */
    int ringNodes() {
        try {
            return Integer.parseInt(field("cluster_ring_nodes", "-1"));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** @return how many of the listed nodes this node's failure detector judges ALIVE (itself included) */
    long aliveNodes() {
        return nodes.stream().filter(node -> "ALIVE".equals(node.get("liveness"))).count();
    }
}
