package io.ringkv.node.cli;

import jakarta.inject.Inject;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code ringkv decommission}: asks a node to leave the cluster (it streams each of its ranges to the nodes that
 * take it over, announces LEFT and exits) and follows it through {@code INFO streaming} with a progress bar until
 * the node has gone.
 */
final class DecommissionCommand implements Command {
    private static final long POLL_MILLIS = 500;

    @Inject
    DecommissionCommand() {
    }

    @Override
    public String summary() {
        return "stream a node's ranges to the others, then remove it from the cluster and stop it";
    }

    @Override
    public String usage() {
        return """
            usage: ringkv decommission [--host HOST] [--port PORT] [--timeout-s S]

            The node announces LEAVING; every write of its ranges then also goes to the nodes that take them
            over, while it streams each range to them (repair sessions: checksummed, retried, resumable). Once
            every range is handed over it announces LEFT, forgets its tokens and exits; the other nodes drop it
            from the ring. Prints progress until the node has gone; exits 1 when the node refused (not a NORMAL
            member, the last node of the ring) or did not finish within the timeout (it goes on).

            options:
              --host HOST     node to decommission (default 127.0.0.1)
              --port PORT     its client port (default 7379)
              --timeout-s S   how long to follow it (default 86400)
            """;
    }

    @Override
    public int run(Options options, PrintStream out, PrintStream err) {
        options.rejectUnknown(Set.of("host", "port", "timeout-s"));
        String host = options.text("host", "127.0.0.1");
        int port = options.integer("port", 7379, 1, 65_535);
        long deadline = System.nanoTime() + options.integer("timeout-s", 86_400, 1, 86_400 * 7) * 1_000_000_000L;
        long startedAt = System.nanoTime();
        try {
            AdminClient.Reply started = AdminClient.call(host, port, List.of("DECOMMISSION"));
            if (started.error()) {
                err.println("ringkv decommission: " + started.text());
                return Launcher.FAILED;
            }
            out.println(started.text());
        } catch (IOException e) {
            err.println("ringkv decommission: cannot reach a ringkv node at " + host + ":" + port + " ("
                + e.getMessage() + ")");
            return Launcher.FAILED;
        }
        Map<String, String> last = Map.of();
        try {
            while (System.nanoTime() < deadline) {
                try {
                    last = ClusterInfo.fetch(host, port, "streaming");
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
