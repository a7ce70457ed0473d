package io.ringkv.node.cli;

import jakarta.inject.Inject;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/**
 * {@code ringkv decommission}: asks a node to leave the cluster (it streams each of its ranges to the nodes that
 * take it over, announces LEFT and exits) and follows it through {@code INFO streaming} with a progress bar until
 * the node has gone.
 */
@CommandLine.Command(name = "decommission",
    description = {"Stream a node's ranges to the others, then remove it from the cluster and stop it.",
        "The node announces LEAVING; every write of its ranges then also goes to the nodes that take them over,"
            + " while it streams each range to them (repair sessions: checksummed, retried, resumable). Once every"
            + " range is handed over it announces LEFT, forgets its tokens and exits; the other nodes drop it from the"
            + " ring. Prints progress until the node has gone; exits 1 when the node refused (not a NORMAL member, the"
            + " last node of the ring) or did not finish within the timeout (it goes on)."})
final class DecommissionCommand implements Command {
    private static final long POLL_MILLIS = 500;

    @CommandLine.Mixin
    NodeAddress node = new NodeAddress();

    @CommandLine.Option(names = "--timeout-s", paramLabel = "S", defaultValue = "86400",
        description = "how long to follow it, 1-604800 seconds")
    int timeoutSeconds;

    @Inject
    DecommissionCommand() {
    }

    @Override
    public int run(PrintStream out, PrintStream err) {
        long deadline = System.nanoTime()
            + Bounds.check("--timeout-s", timeoutSeconds, 1, 86_400 * 7) * 1_000_000_000L;
        node.reach("decommission", err);
        long startedAt = System.nanoTime();
        try {
            AdminClient.Reply started = node.call(List.of("DECOMMISSION"));
            if (started.error()) {
                err.println("ringkv decommission: " + started.text());
                return Launcher.FAILED;
            }
            out.println(started.text());
        } catch (IOException e) {
            err.println("ringkv decommission: the node at " + node + " stopped answering (" + e.getMessage() + ")");
            return Launcher.FAILED;
        }
        Map<String, String> last = Map.of();
        try {
            while (System.nanoTime() < deadline) {
                try {
                    last = node.info("streaming");
                } catch (IOException e) {
                    // the node exits once the others know it left
                    out.println();
                    out.printf("decommissioned in %.1f s: %d sessions, %d records sent, %d record bytes; the node"
                            + " has exited%n", (System.nanoTime() - startedAt) / 1e9,
                        ClusterInfo.number(last, "stream_sessions_done"),
                        ClusterInfo.number(last, "stream_keys_sent"),
                        ClusterInfo.number(last, "stream_record_bytes"));
                    return Launcher.OK;
                }
                long done = ClusterInfo.number(last, "stream_sessions_done");
                long total = ClusterInfo.number(last, "stream_sessions");
                out.printf("\r%s %d/%d sessions, %d records sent", ClusterInfo.bar(done, total), done, total,
                    ClusterInfo.number(last, "stream_keys_sent"));
                out.flush();
                Thread.sleep(POLL_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Launcher.FAILED;
        }
        out.println();
        err.println("ringkv decommission: the node has not left within the timeout; it goes on (INFO streaming)");
        return Launcher.FAILED;
    }
}
