package io.ringkv.node.cli;

import jakarta.inject.Inject;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code ringkv cleanup}: asks a node to drop the records of ranges it no longer replicates (after a join) and
 * follows it through {@code INFO cleanup} until it ends.
 */
final class CleanupCommand implements Command {
    private static final long POLL_MILLIS = 500;

    @Inject
    CleanupCommand() {
    }

    @Override
    public String summary() {
        return "drop the records of ranges a node no longer replicates, after a join";
    }

    @Override
    public String usage() {
        return """
            usage: ringkv cleanup [--host HOST] [--port PORT] [--timeout-s S]

            After a node joined, the nodes whose ranges it took over still hold their records. Cleanup drops them
            on one node (run it on each), rewriting its storage files on a thread of its own. It is refused while
            a node joins or leaves. Prints how many records were dropped; exits 1 when the node refused or the
            cleanup did not end within the timeout (it goes on).

            options:
              --host HOST     node to clean up (default 127.0.0.1)
              --port PORT     its client port (default 7379)
              --timeout-s S   how long to wait for it (default 3600)
            """;
    }

    @Override
    public int run(Options options, PrintStream out, PrintStream err) {
        options.rejectUnknown(Set.of("host", "port", "timeout-s"));
        String host = options.text("host", "127.0.0.1");
        int port = options.integer("port", 7379, 1, 65_535);
        long deadline = System.nanoTime() + options.integer("timeout-s", 3600, 1, 86_400 * 7) * 1_000_000_000L;
        try {
            long before = ClusterInfo.number(ClusterInfo.fetch(host, port, "cleanup"), "cleanups_completed");
            long droppedBefore = ClusterInfo.number(ClusterInfo.fetch(host, port, "cleanup"),
                "cleanup_records_dropped");
            AdminClient.Reply started = AdminClient.call(host, port, List.of("CLEANUP"));
            if (started.error()) {
                err.println("ringkv cleanup: " + started.text());
                return Launcher.FAILED;
            }
            out.println(started.text());
            while (System.nanoTime() < deadline) {
                Map<String, String> fields = ClusterInfo.fetch(host, port, "cleanup");
                if (ClusterInfo.number(fields, "cleanups_completed") > before) {
                    out.printf("cleanup done in %.1f s: %d records dropped%n",
                        ClusterInfo.number(fields, "cleanup_last_millis") / 1000.0,
                        ClusterInfo.number(fields, "cleanup_records_dropped") - droppedBefore);
                    return Launcher.OK;
                }
                Thread.sleep(POLL_MILLIS);
            }
            err.println("ringkv cleanup: not done within the timeout; it goes on on the node (INFO cleanup)");
            return Launcher.FAILED;
        } catch (IOException e) {
            err.println("ringkv cleanup: cannot reach a ringkv node at " + host + ":" + port + " (" + e.getMessage()
                + ")");
            return Launcher.FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Launcher.FAILED;
        }
    }
}
