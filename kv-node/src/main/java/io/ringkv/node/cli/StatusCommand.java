package io.ringkv.node.cli;

import io.ringkv.api.NodeId;
import io.ringkv.replication.HintedHandoff;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;

/**
 * {@code ringkv status}: asks any node for its view of the cluster ({@code INFO cluster}) and prints one line per
 * node, like {@code nodetool status}.
 */
@CommandLine.Command(name = "status",
    description = {"Show the cluster as one node sees it: state, address, rack, load, ownership, tokens.",
        "Prints one line per node:",
        "  state       NORMAL, JOINING, LEAVING or LEFT as the node announced it;",
        "              SUSPECT or DOWN as this node's failure detector judges it",
        "  address     peer address (UDP); client is the Redis-protocol address",
        "  load        size of the data the node holds (tables and memtables),",
        "              as it last announced",
        "  keys        records the node holds (deletes included until compacted",
        "              away), as it last announced",
        "  disk        full while the node refuses writes because its disk is full",
        "              (it still serves reads; INFO storage on that node says how",
        "              much is free), ok otherwise",
        "  owns        share of the ring's data the node keeps a replica of",
        "  generation  changes every time the node restarts",
        "  liveness    what the asked node's failure detector believes",
        "  hints       hints the asked node holds for the node (writes it missed",
        "              while down or silent), handed over once it is alive again",
        "              (ringkv hints lists them)"})
final class StatusCommand implements Command {
    private static final List<String> COLUMNS = List.of("state", "id", "address", "client", "zone", "rack", "load",
        "keys", "disk", "owns", "tokens", "generation", "liveness", "hints");

    @CommandLine.Mixin
    NodeAddress node = new NodeAddress();

    @Inject
    StatusCommand() {
    }

    @Override
    public int run(PrintStream out, PrintStream err) {
        ClusterInfo info = node.reach("status", err);
        Map<String, String> hints = sectionFields(node, "hints");
        Map<String, String> repair = sectionFields(node, "repair");
        Map<String, String> fields = info.fields();
        List<Map<String, String>> nodes = info.nodes();
        out.printf("Cluster %s as seen by %s: %s node(s) known, %s in the ring, %s failure detector%n",
            fields.get("cluster_name"), fields.get("cluster_self"), fields.get("cluster_known_nodes"),
            fields.get("cluster_ring_nodes"), fields.get("cluster_failure_detector"));
        if (info.loading()) {
            out.println("LOADING: " + fields.get("cluster_self") + " does not serve clients yet: "
                + fields.getOrDefault("loading_reason", "starting"));
        }
        if (!hints.isEmpty()) {
            out.printf("Hints held by %s: %s pending (%s bytes), %s delivered since it started%n",
                fields.get("cluster_self"), hints.getOrDefault("hints_pending", "0"),
                hints.getOrDefault("hints_pending_bytes", "0"), hints.getOrDefault("hints_delivered", "0"));
        }
        String repairLine = repairLine(fields.get("cluster_self"), repair);
        if (repairLine != null) {
            out.println(repairLine);
        }
        List<List<String>> rows = new ArrayList<>();
        rows.add(COLUMNS.stream().map(c -> c.toUpperCase(Locale.ROOT)).toList());
        for (Map<String, String> row : nodes) {
            rows.add(row(row, hints));
        }
        printTable(rows, out);
        out.flush();
        return Launcher.OK;
    }

    private static List<String> row(Map<String, String> node, Map<String, String> hints) {
        List<String> row = new ArrayList<>();
        for (String column : COLUMNS) {
            String value = column.equals("hints") ? hintsFor(hints, node.get("id")) : node.getOrDefault(column, "?");
            row.add(column.equals("owns") ? percent(value) : value);
        }
        return row;
    }

    /** Prints rows as columns, each as wide as its widest cell. */
    static void printTable(List<List<String>> rows, PrintStream out) {
        int[] widths = new int[rows.getFirst().size()];
        for (List<String> row : rows) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                line.append(String.format("%-" + widths[i] + "s", row.get(i)));
                if (i + 1 < row.size()) {
                    line.append("  ");
                }
            }
            out.println(line.toString().stripTrailing());
        }
    }

    /**
     * @return a line on the asked node's repair: the running pass's progress, else the last pass's outcome; null
     *     when it never ran one (or could not say)
     */
    static String repairLine(String self, Map<String, String> repair) {
        if (repair.isEmpty()) {
            return null;
        }
        if ("1".equals(repair.get("repair_pass_running"))) {
            return String.format("Repair on %s: running, %s of %s sessions done, %s keys exchanged so far", self,
                repair.getOrDefault("repair_pass_sessions_done", "?"), repair.getOrDefault("repair_pass_sessions", "?"),
                repair.getOrDefault("repair_pass_keys", "?"));
        }
        if ("0".equals(repair.getOrDefault("repair_passes_completed", "0"))) {
            return null;
        }
        return String.format("Repair on %s: idle; last pass %s sessions (%s failed, %s skipped), %s keys exchanged,"
                + " %s ms", self, repair.getOrDefault("repair_pass_sessions", "?"),
            repair.getOrDefault("repair_pass_sessions_failed", "?"), repair.getOrDefault("repair_pass_sessions_skipped",
                "?"), repair.getOrDefault("repair_pass_keys", "?"), repair.getOrDefault("repair_last_pass_millis", "?"));
    }

    /** @return the asked node's fields of one INFO section, empty when it has none (or could not say) */
    private static Map<String, String> sectionFields(NodeAddress node, String section) {
        try {
            return node.info(section);
        } catch (IOException e) {
            return Map.of();
        }
    }

    /** @return the hints the asked node holds for {@code id}: 0 when it has no gauge for it, "?" when unknown */
    static String hintsFor(Map<String, String> hints, String id) {
        if (hints.isEmpty() || id == null || !NodeId.isValid(id)) {
            return "?";
        }
        return hints.getOrDefault(HintedHandoff.gaugeName(NodeId.of(id)), "0");
    }

    /** @return a share of 0–1 as a percentage, or "?" when the node sent something else */
    private static String percent(String share) {
        try {
            return String.format(Locale.ROOT, "%.1f%%", 100 * Double.parseDouble(share));
        } catch (NumberFormatException e) {
            return "?";
        }
    }
}
