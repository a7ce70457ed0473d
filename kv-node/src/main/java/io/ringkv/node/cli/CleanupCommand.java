package io.ringkv.node.cli;

import jakarta.inject.Inject;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
            + " node joins or leaves. Prints how many records were dropped; exits 1 when the node refused, the"
            + " cleanup failed or the ring changed while it ran (run it again), or it did not end within the timeout"
            + " (it goes on)."})
final class CleanupCommand implements Command {
    private static final long POLL_MILLIS = 500;
    /** How a reply to CLEANUP names the cleanup it started ("cleanup 3 started: ...", "cleanup 3 starts in ..."). */
    private static final Pattern STARTED = Pattern.compile("cleanup (\\d+) start");

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
            Map<String, String> before = node.info("cleanup");
            AdminClient.Reply started = node.call(List.of("CLEANUP"));
            if (started.error()) {
                err.println("ringkv cleanup: " + started.text());
                return Launcher.FAILED;
            }
            out.println(started.text());
            long number = numberOf(started.text());
            while (System.nanoTime() < deadline) {
                Map<String, String> fields = node.info("cleanup");
                // cleanup_last_number is 0 while an ending cleanup sets its figures: looked at again
                if (number > 0 && ClusterInfo.number(fields, "cleanups_completed") >= number
                    && ClusterInfo.number(fields, "cleanup_last_number") != 0) {
                    return ended(number, fields, out, err);
                }
                if (number < 0 && since(before, fields, "cleanups_completed") > 0) {
                    // a node that does not number its cleanups (an earlier build): the totals' growth since before
                    return ended(since(before, fields, "cleanup_records_dropped"),
                        since(before, fields, "cleanups_failed") > 0, since(before, fields, "cleanups_ring_moved") > 0,
                        fields, out, err);
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

    /** @return the number of the cleanup a reply to CLEANUP says it started, or -1 when it names none */
    static long numberOf(String reply) {
        Matcher matcher = STARTED.matcher(reply);
        return matcher.lookingAt() ? Long.parseLong(matcher.group(1)) : -1;
    }

    /**
     * Reports cleanup {@code number}, which ended, from the node's figures of the last cleanup: the totals' growth
     * since this command looked first would also count a cleanup another caller ran, which ended after that look.
     */
    private static int ended(long number, Map<String, String> fields, PrintStream out, PrintStream err) {
        long last = ClusterInfo.number(fields, "cleanup_last_number");
        if (last != number) {
            err.println("ringkv cleanup: cleanup " + number + " ended, and cleanup " + last + " (another caller's)"
                + " after it, before this command looked: the node's log says how each went (INFO cleanup, of the"
                + " last one); run ringkv cleanup again to see one through");
            return Launcher.FAILED;
        }
        return ended(ClusterInfo.number(fields, "cleanup_last_records_dropped"),
            ClusterInfo.number(fields, "cleanup_last_failed") == 1,
            ClusterInfo.number(fields, "cleanup_last_ring_moved") == 1, fields, out, err);
    }

    /**
     * Reports a cleanup that ended: done only when it did not fail and the ring stayed as it was (a failed one left
     * records in place; one the ring moved under keeps the node's leftovers mark and asked for a repair pass).
     */
    private static int ended(long dropped, boolean failed, boolean ringMoved, Map<String, String> after,
                             PrintStream out, PrintStream err) {
        double seconds = ClusterInfo.number(after, "cleanup_last_millis") / 1000.0;
        if (failed) {
            err.printf("ringkv cleanup: the cleanup failed after %.1f s, having dropped %d records; the rest are"
                + " still there. The node's log says why; run it again once that is mended%n", seconds, dropped);
            return Launcher.FAILED;
        }
        if (ringMoved) {
            err.printf("ringkv cleanup: the ring changed while the cleanup ran (%.1f s, %d records dropped): a range"
                + " may have come back, so the node asked for a repair pass and still counts as holding leftovers;"
                + " run ringkv cleanup again once no node joins or leaves%n", seconds, dropped);
            return Launcher.FAILED;
        }
        out.printf("cleanup done in %.1f s: %d records dropped%n", seconds, dropped);
        return Launcher.OK;
    }

    /** @return how much a counter of INFO cleanup grew between two reads */
    private static long since(Map<String, String> before, Map<String, String> after, String counter) {
        return ClusterInfo.number(after, counter) - ClusterInfo.number(before, counter);
    }
}
