package io.ringkv.node.cli;

import io.ringkv.api.NodeId;
import io.ringkv.replication.HintCounter;
import io.ringkv.replication.HintedHandoff;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/**
 * {@code ringkv hints}: the hints a node holds (writes it keeps for replicas that were down or silent) per replica,
 * and its hinted-handoff counters, from {@code INFO hints}.
 */
@CommandLine.Command(name = "hints",
    description = {"Show the hints a node holds for other nodes, and its hinted-handoff counters.",
        "A hint is a write the node keeps for a replica that was down or silent when the write came; it hands the"
            + " hints over once the replica is alive again. Prints the hints held per replica, then every counter of"
            + " the node's INFO hints section with what it counts."})
final class HintsCommand implements Command {
    /** What the per-replica gauges' names start with ({@code hints_pending_<id>}). */
    private static final String TARGET_PREFIX = HintedHandoff.gaugeName(NodeId.of("x")).replaceAll("x$", "");
    private static final java.util.Set<String> COUNTERS = java.util.Arrays.stream(HintCounter.values())
        .map(HintCounter::counterName).collect(java.util.stream.Collectors.toSet());

    @CommandLine.Mixin
    NodeAddress node = new NodeAddress();

    @Inject
    HintsCommand() {
    }

    @Override
    public int run(PrintStream out, PrintStream err) {
        ClusterInfo cluster = node.reach("hints", err);
        String self = cluster.fields().get("cluster_self");
        Map<String, String> hints;
        try {
            hints = node.info("hints");
        } catch (IOException e) {
            err.println("ringkv hints: the node at " + node + " did not say (" + e.getMessage() + ")");
            return Launcher.FAILED;
        }
        if (hints.isEmpty()) {
            err.println("ringkv hints: " + self + " reports no hints section");
            return Launcher.FAILED;
        }
        out.printf("Hints held by %s: %s pending (%s bytes), %s delivered since it started%n", self,
            hints.getOrDefault(HintCounter.PENDING.counterName(), "0"),
            hints.getOrDefault(HintCounter.PENDING_BYTES.counterName(), "0"),
            hints.getOrDefault(HintCounter.DELIVERED.counterName(), "0"));
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("FOR", "PENDING", "LIVENESS"));
        perReplica(cluster, hints).forEach((replica, row) -> rows.add(row));
        if (rows.size() > 1) {
            StatusCommand.printTable(rows, out);
        }
        out.println();
        List<List<String>> counters = new ArrayList<>();
        for (HintCounter counter : HintCounter.values()) {
            counters.add(List.of(counter.counterName(), hints.getOrDefault(counter.counterName(), "?"),
                counter.help()));
        }
        StatusCommand.printTable(counters, out);
        out.flush();
        return Launcher.OK;
    }

    /**
     * @return one row per replica the node holds hints for: the members it knows by id (with their liveness), then
     *     any gauge no member matches (a node that left) by its gauge's name
     */
    private static Map<String, List<String>> perReplica(ClusterInfo cluster, Map<String, String> hints) {
        Map<String, String> gauges = new LinkedHashMap<>();
        hints.forEach((name, value) -> {
            if (name.startsWith(TARGET_PREFIX) && !COUNTERS.contains(name)) {
                gauges.put(name, value);
            }
        });
        Map<String, List<String>> rows = new LinkedHashMap<>();
        for (Map<String, String> member : cluster.nodes()) {
            String id = member.get("id");
            if (id != null && NodeId.isValid(id)) {
                String value = gauges.remove(HintedHandoff.gaugeName(NodeId.of(id)));
                if (value != null && !value.equals("0")) {
                    rows.put(id, List.of(id, value, member.getOrDefault("liveness", "?")));
                }
            }
        }
        gauges.forEach((name, value) -> {
            if (!value.equals("0")) {
                rows.put(name, List.of(name.substring(TARGET_PREFIX.length()), value, "not a member"));
            }
        });
        return rows;
    }
}
