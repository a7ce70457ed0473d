package io.ringkv.node.cli;

import jakarta.inject.Inject;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/**
 * {@code ringkv repair}: starts a repair pass on a node (every token range it replicates, with each other replica)
 * and follows it through {@code INFO repair} with a progress line until it ends, then prints a summary.
 */
@CommandLine.Command(name = "repair",
    description = {"Repair a node's ranges against their other replicas (Merkle-tree anti-entropy), with progress.",
        "Starts a repair pass on the node: for every token range it replicates, it compares hash trees with each"
            + " other replica of the range and exchanges only the keys that differ, both ways, merged with the"
            + " cluster's resolver. Sessions run one at a time; a replica believed down is skipped (and counted)."
            + " Prints progress until the pass ends, then a summary; exits 1 when a session failed or was skipped, or"
            + " the pass did not end within the timeout (it goes on running on the node)."})
final class RepairCommand implements Command {
    private static final long POLL_MILLIS = 500;

    @CommandLine.Mixin
    NodeAddress node = new NodeAddress();

    @CommandLine.Option(names = "--range", paramLabel = "START,END",
        description = "only the node's ranges that overlap the tokens (START, END] (signed 64-bit; default: all)")
    String range;

    @CommandLine.Option(names = "--node", paramLabel = "ID",
        description = "only against this replica (default: all; such a pass does not let tombstones be purged: the"
            + " ranges' other replicas were not repaired against)")
    String replica;

    @CommandLine.Option(names = "--timeout-s", paramLabel = "S", defaultValue = "3600",
        description = "how long to follow the pass, 1-604800 seconds")
    int timeoutSeconds;

    @Inject
    RepairCommand() {
    }

    @Override
    public int run(PrintStream out, PrintStream err) {
        List<String> command = new java.util.ArrayList<>(List.of("REPAIR"));
        if (range != null && !range.isEmpty()) {
            String[] bounds = range.split(",");
            if (bounds.length != 2) {
                throw new UsageException("--range takes START,END (two tokens), not '" + range + "'");
            }
            command.addAll(List.of("RANGE", bounds[0].trim(), bounds[1].trim()));
        }
        if (replica != null && !replica.isEmpty()) {
            command.addAll(List.of("NODE", replica));
        }
        long deadline = System.nanoTime()
            + Bounds.check("--timeout-s", timeoutSeconds, 1, 86_400 * 7) * 1_000_000_000L;
        node.reach("repair", err);
        try {
            long passesBefore = ClusterInfo.number(node.info("repair"), "repair_passes_completed");
            AdminClient.Reply started = node.call(command);
            if (started.error()) {
                err.println("ringkv repair: " + started.text());
                return Launcher.FAILED;
            }
            out.println(started.text());
            long startedAt = System.nanoTime();
            while (System.nanoTime() < deadline) {
                Map<String, String> fields = node.info("repair");
                long done = ClusterInfo.number(fields, "repair_pass_sessions_done");
                long total = ClusterInfo.number(fields, "repair_pass_sessions");
                out.printf("\r%s %d/%d sessions, %d keys exchanged", ClusterInfo.bar(done, total), done, total,
                    ClusterInfo.number(fields, "repair_pass_keys"));
                out.flush();
                // counted, and none running: a pass that ended just before ours started is counted too (the
                // count taken before it is one short), and the node may chain a pass right after ours
                if (ClusterInfo.number(fields, "repair_passes_completed") > passesBefore
                    && "0".equals(fields.get("repair_pass_running"))) {
                    out.println();
                    return summary(fields, (System.nanoTime() - startedAt) / 1_000_000, out);
                }
                Thread.sleep(POLL_MILLIS);
            }
            out.println();
            err.println("ringkv repair: the pass did not end within the timeout; it goes on on the node (INFO repair)");
            return Launcher.FAILED;
        } catch (IOException e) {
            err.println("ringkv repair: the node at " + node + " stopped answering (" + e.getMessage() + ")");
            return Launcher.FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Launcher.FAILED;
        }
    }

    private static int summary(Map<String, String> fields, long millis, PrintStream out) {
        long failed = ClusterInfo.number(fields, "repair_pass_sessions_failed");
        long skipped = ClusterInfo.number(fields, "repair_pass_sessions_skipped");
        out.printf("repair done in %.1f s: %d sessions, %d failed, %d skipped (peer down), %d keys exchanged;"
                + " since the node started: %d leaves differed, %d records sent, %d received, %d record bytes,"
                + " %d tree and digest bytes%n", millis / 1000.0, ClusterInfo.number(fields, "repair_pass_sessions"),
            failed, skipped, ClusterInfo.number(fields, "repair_pass_keys"),
            ClusterInfo.number(fields, "repair_leaves_differing"),
            ClusterInfo.number(fields, "repair_keys_sent"), ClusterInfo.number(fields, "repair_keys_received"),
            ClusterInfo.number(fields, "repair_record_bytes"), ClusterInfo.number(fields, "repair_tree_bytes"));
        return failed + skipped == 0 ? Launcher.OK : Launcher.FAILED;
    }
}
