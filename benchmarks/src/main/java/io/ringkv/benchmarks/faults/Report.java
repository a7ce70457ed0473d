package io.ringkv.benchmarks.faults;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The markdown report of a run: configuration, faults with their times, operations by outcome and error, hinted
 * handoff (how long hints took to drain, each node's hint counters), each node's own replica after handoff,
 * anomalies with the operations that show them, and the replay command.
 */
final class Report {
    private static final int EVIDENCE_PER_KIND = 10;

    private Report() {
    }

    static String render(HarnessOptions options, List<Fault> schedule, List<Nemesis.Applied> applied,
                         List<Op> ops, Checker.Result result, String settleProblem, long runStartNanos,
                         long settleMillis, LocalCluster.HintDrain drain, Checker.HandoffResult handoff) {
        StringBuilder out = new StringBuilder();
        out.append("# ringkv fault harness: seed ").append(options.seed()).append("\n\n");
        out.append("Replay: `").append(options.replayCommand()).append("`\n\n");
        out.append("## Configuration\n\n");
        out.append(String.format("%d nodes, N=%d, resolver %s, clients at %s (reads also at ONE and ALL), %d"
                + " clients per node, at most %d ops/s, gossip %s%n%n", options.nodes(), options.replicationFactor(),
            options.resolver(), options.consistency(), options.clientsPerNode(), options.rate(),
            String.join(" ", LocalCluster.GOSSIP)));
        out.append("## Faults\n\n| fault | scheduled at | applied | healed | note |\n| --- | --- | --- | --- | --- |\n");
        for (Nemesis.Applied fault : applied) {
            out.append(String.format("| %s | %.1f s | %.1f s | %s | %s |%n", fault.fault().describe(),
                fault.fault().startMillis() / 1000.0, seconds(fault.startedNanos(), runStartNanos),
                fault.healedNanos() == 0 ? "never" : String.format("%.1f s", seconds(fault.healedNanos(),
                    runStartNanos)), fault.note()));
        }
        if (applied.size() < schedule.size()) {
            out.append("\n").append(schedule.size() - applied.size()).append(" scheduled fault(s) did not run.\n");
        }
        out.append(String.format("%nSettle after the heal: %s%n%n", settleProblem == null
            ? "every node saw every node NORMAL and ALIVE after " + settleMillis / 1000.0 + " s"
            : "not reached; views:\n\n```\n" + settleProblem + "```"));
        out.append("## Operations\n\n| operation | outcome | error | count |\n| --- | --- | --- | --- |\n");
        outcomes(ops).forEach((row, count) -> out.append("| ").append(row).append(" | ").append(count)
            .append(" |\n"));
        out.append(String.format("%n%d keys checked; %d reads at levels with R + W <= N missed an acknowledged"
            + " write (allowed, counted).%n%n", result.keysChecked(), result.weakStaleReads()));
        hints(out, drain, settleMillis);
        replicas(out, result, handoff);
        out.append("\n## Anomalies\n\n");
        if (result.anomalies().isEmpty()) {
            out.append("None.\n");
        }
        Map<Anomaly.Kind, List<Anomaly>> byKind = result.anomalies().stream()
            .collect(Collectors.groupingBy(Anomaly::kind, TreeMap::new, Collectors.toList()));
        byKind.forEach((kind, anomalies) -> {
            out.append("### ").append(kind.title()).append(": ").append(anomalies.size()).append("\n\n");
            if (options.resolver().equals("lww") && kind == Anomaly.Kind.LOST_WRITE) {
                out.append("Last-write-wins keeps one of two concurrent writes by design; `--resolver"
                    + " vector-clock` keeps both as siblings.\n\n");
            }
            for (Anomaly anomaly : anomalies.subList(0, Math.min(EVIDENCE_PER_KIND, anomalies.size()))) {
                out.append("- ").append(anomaly.key() == null ? "" : "`" + anomaly.key() + "`: ")
                    .append(anomaly.explanation()).append('\n');
                for (Op op : anomaly.evidence()) {
                    out.append("  - ").append(op.describe(runStartNanos)).append('\n');
                }
                out.append(nearbyFaults(anomaly, applied, runStartNanos));
            }
            if (anomalies.size() > EVIDENCE_PER_KIND) {
                out.append("- ... and ").append(anomalies.size() - EVIDENCE_PER_KIND).append(" more\n");
            }
            out.append('\n');
        });
        return out.toString();
    }

    /**
     * The report's section on joins, leaves and removals, appended after the rest: when each began and ended, how
     * long the streaming took, and the node's {@code INFO streaming} counters; empty without any.
     */
    static String membershipSection(List<Nemesis.Membership> changes, long runStartNanos) {
        if (changes.isEmpty()) {
            return "";
        }
        StringBuilder out = new StringBuilder("\n## Joins, leaves and removals\n\nA join runs from the fresh node's"
            + " start until it serves as NORMAL (clients are sent to it from then on); a leave from `DECOMMISSION`"
            + " until the node's process has exited by itself (clients keep sending to it until then; their"
            + " operations may fail); a removal from the member's kill (no client is sent to it from then on) until,"
            + " removed and started again on its old data, it serves as NORMAL with the records of its removed run"
            + " dropped. Streaming: from when `INFO streaming` first showed a plan. Counters: the node's"
            + " `INFO streaming` at the end (a joiner killed mid-stream: of the process that finished the join).\n\n"
            + "| change | began | ended | took | streaming | sessions | retried | keys received | keys sent |"
            + " record bytes | outcome |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        for (Nemesis.Membership change : changes) {
            Map<String, String> f = change.streaming();
            out.append(String.format(java.util.Locale.ROOT, "| %s node%d | %.1f s | %s | %s | %s | %s/%s | %s | %s | %s |"
                    + " %s | %s |%n", change.fault().kind().label(), change.node(),
                seconds(change.startedNanos(), runStartNanos),
                change.endedNanos() == 0 ? "never" : String.format("%.1f s", seconds(change.endedNanos(), runStartNanos)),
                took(change.startedNanos(), change.endedNanos()), took(change.streamingNanos(), change.endedNanos()),
                f.getOrDefault("stream_sessions_done", "?"), f.getOrDefault("stream_sessions", "?"),
                f.getOrDefault("stream_sessions_retried", "?"), f.getOrDefault("stream_keys_received", "?"),
                f.getOrDefault("stream_keys_sent", "?"), f.getOrDefault("stream_record_bytes", "?"),
                (change.problem() == null ? "ok; " + change.note() : "FAILED: " + change.problem())
                    .replace('|', '/').replace('\n', ' ')));
        }
        return out.toString();
    }

    /** @return one line on a join, leave or removal, for the harness's log */
    static String describe(Nemesis.Membership change, long runStartNanos) {
        Map<String, String> f = change.streaming();
        return String.format(java.util.Locale.ROOT, "%s node%d at %.1f s took %s (streaming %s): %s/%s sessions,"
                + " %s retried, %s keys received, %s sent, %s record bytes; %s", change.fault().kind().label(),
            change.node(), seconds(change.startedNanos(), runStartNanos), took(change.startedNanos(),
                change.endedNanos()), took(change.streamingNanos(), change.endedNanos()),
            f.getOrDefault("stream_sessions_done", "?"), f.getOrDefault("stream_sessions", "?"),
            f.getOrDefault("stream_sessions_retried", "?"), f.getOrDefault("stream_keys_received", "?"),
            f.getOrDefault("stream_keys_sent", "?"), f.getOrDefault("stream_record_bytes", "?"),
            change.problem() == null ? "ok; " + change.note() : "FAILED: " + change.problem());
    }

    private static String took(long fromNanos, long toNanos) {
        return fromNanos == 0 || toNanos == 0 ? "-" : String.format(java.util.Locale.ROOT, "%.1f s",
            (toNanos - fromNanos) / 1e9);
    }

    private static void hints(StringBuilder out, LocalCluster.HintDrain drain, long settleMillis) {
        double sinceHeal = (settleMillis + drain.millis()) / 1000.0;
        out.append("## Hinted handoff\n\n").append(drain.drained()
            ? String.format("Every node showed `hints_pending:0` %.1f s after the settle (%.1f s after the heal), and"
                + " again %.1f s after the %d s quiet spell that followed.", drain.millis() / 1000.0, sinceHeal,
                drain.recheckMillis() / 1000.0, FaultHarness.QUIET_MILLIS / 1000)
            : String.format("NOT drained: some node still held hints %.1f s after the settle (%.1f s after the heal),"
                + " or after the quiet spell that followed.", drain.millis() / 1000.0, sinceHeal)).append("\n\n");
        List<String> fields = List.of("hints_pending", "hints_stored", "hints_delivered", "hints_delivery_retries",
            "hints_dropped_window", "hints_dropped_cap", "hints_store_failures");
        out.append("| node | ").append(String.join(" | ", fields)).append(" |\n|")
            .append(" --- |".repeat(fields.size() + 1)).append('\n');
        drain.perNode().forEach((node, info) -> out.append("| node").append(node).append(" | ").append(fields.stream()
            .map(f -> info.getOrDefault(f, "?")).collect(Collectors.joining(" | "))).append(" |\n"));
        out.append('\n');
    }

    private static void replicas(StringBuilder out, Checker.Result result, Checker.HandoffResult handoff) {
        out.append("## Each node's own replica after handoff\n\n")
            .append("Read at ONE through the node while its peers were cut off, after the hints drained and before"
                + " the final reads at ALL. Writes acknowledged while the node was absent (killed, paused or cut off"
                + " for longer than down-after plus 2 s, so its peers had judged it DOWN and kept a hint) must be on"
                + " it; other acknowledged unique-key writes may be missing (anti-entropy's part) and are counted.\n\n")
            .append("| node | unique-key writes acknowledged while it was absent | of those missing | acknowledged"
                + " unique-key writes missing | reads failed (unique keys) | keys behind the final state | keys holding"
                + " a value that is not final | reads failed |\n")
            .append("| --- | --- | --- | --- | --- | --- | --- | --- |\n");
        handoff.perNode().forEach((node, h) -> {
            Checker.Divergence d = result.divergence().get(node);
            out.append(String.format("| node%d | %d | %d | %d of %d | %d | %s | %s | %s |%n", node, h.absentWrites(),
                h.absentMissing(), h.missing(), h.writes(), h.unread(), d == null ? "?" : d.behind(),
                d == null ? "?" : d.ahead(), d == null ? "?" : d.failed()));
        });
    }

    /** @return the summary line printed at the end of a run */
    static String summary(HarnessOptions options, List<Nemesis.Applied> applied, List<Op> ops,
                          Checker.Result result, LocalCluster.HintDrain drain, Checker.HandoffResult handoff) {
        Map<Anomaly.Kind, Long> kinds = result.anomalies().stream()
            .collect(Collectors.groupingBy(Anomaly::kind, TreeMap::new, Collectors.counting()));
        long ok = ops.stream().filter(Op::ok).count();
        String missing = handoff.perNode().values().stream().map(h -> Integer.toString(h.missing()))
            .collect(Collectors.joining("/"));
        String absent = handoff.perNode().values().stream().map(h -> h.absentMissing() + "/" + h.absentWrites())
            .collect(Collectors.joining(","));
        return String.format("fault-harness seed=%d resolver=%s consistency=%s faults=%d ops=%d ok=%d hints_drained=%s"
                + " absent_missing=%s unique_missing=%s anomalies=%d%s", options.seed(), options.resolver(),
            options.consistency(), applied.size(), ops.size(), ok,
            drain.drained() ? String.format("%.1fs", drain.millis() / 1000.0) : "NO", absent, missing,
            result.anomalies().size(), kinds.isEmpty() ? "" : " " + kinds);
    }

    private static String nearbyFaults(Anomaly anomaly, List<Nemesis.Applied> applied, long runStartNanos) {
        if (anomaly.evidence().isEmpty()) {
            return "";
        }
        long from = anomaly.evidence().stream().mapToLong(Op::startNanos).min().orElseThrow();
        long to = anomaly.evidence().stream().mapToLong(Op::endNanos).max().orElseThrow();
        String faults = applied.stream()
            .filter(f -> f.startedNanos() <= to && (f.healedNanos() == 0 || f.healedNanos() + 15_000_000_000L >= from))
            .map(f -> f.fault().describe() + String.format(" at %.1f s", seconds(f.startedNanos(), runStartNanos)))
            .collect(Collectors.joining("; "));
        return faults.isEmpty() ? "" : "  - faults in force or healed within 15 s before: " + faults + "\n";
    }

    private static Map<String, Long> outcomes(List<Op> ops) {
        return ops.stream().collect(Collectors.groupingBy(op -> op.type() + " at " + op.consistency() + " | "
            + op.outcome() + " | " + (op.error() == null ? "" : normalize(op.error())), TreeMap::new,
            Collectors.counting()));
    }

    /** Error texts with their numbers and keys blanked, so that like errors count together. */
    private static String normalize(String error) {
        String text = error.replaceAll("[0-9]+", "#").replaceAll("'[^']*'", "'…'");
        return text.length() > 100 ? text.substring(0, 100) + "…" : text;
    }

    private static double seconds(long nanos, long startNanos) {
        return (nanos - startNanos) / 1e9;
    }
}
