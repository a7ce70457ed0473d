package io.ringkv.node.cli;

import jakarta.inject.Inject;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/**
 * {@code ringkv cleanup}: asks a node to drop the records of ranges it no longer replicates (after a join) and
 * follows it through {@code INFO cleanup} until it ends.
 */
@CommandLine.Command(name = "cleanup",
    description = {"Drop the records of ranges a node no longer replicates, after a join.",
        "After a node joined, the nodes whose ranges it took over still hold their records. Cleanup drops them on"
            + " one node (run it on each), rewriting its storage files on a thread of its own. Until then, no node"
            + " purges a tombstone (INFO cluster names the nodes holding such records). It is refused while a"
            + " node joins or leaves. Prints how many records were dropped; exits 1 when the node refused or the"
            + " cleanup did not end within the timeout (it goes on)."})
final class CleanupCommand implements Command {
    private static final long POLL_MILLIS = 500;

    @CommandLine.Mixin
    NodeAddress node = new NodeAddress();

    @CommandLine.Option(names = "--timeout-s", paramLabel = "S", defaultValue = "3600",
        description = "how long to wait for it, 1-604800 seconds")
    int timeoutSeconds;

    @Inject
    CleanupCommand() {
    }

    @Override
    public int run(PrintStream out, PrintStream err) {
        long deadline = System.nanoTime()
            + Bounds.check("--timeout-s", timeoutSeconds, 1, 86_400 * 7) * 1_000_000_000L;
        node.reach("cleanup", err);
        try {
            long before = ClusterInfo.number(node.info("cleanup"), "cleanups_completed");
            long droppedBefore = ClusterInfo.number(node.info("cleanup"),
                "cleanup_records_dropped");
            AdminClient.Reply started = node.call(List.of("CLEANUP"));
            if (started.error()) {
                err.println("ringkv cleanup: " + started.text());
                return Launcher.FAILED;
            }
            out.println(started.text());
            while (System.nanoTime() < deadline) {
                Map<String, String> fields = node.info("cleanup");
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
            err.println("ringkv cleanup: the node at " + node + " stopped answering (" + e.getMessage() + ")");
            return Launcher.FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Launcher.FAILED;
        }
    }
}
