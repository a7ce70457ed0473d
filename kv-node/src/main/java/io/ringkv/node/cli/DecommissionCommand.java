package io.ringkv.node.cli;

import jakarta.inject.Inject;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
            + " last node of the ring), stopped answering before another member saw it leave (killed, or restarted"
            + " NORMAL), or did not finish within the timeout (it goes on)."})
final class DecommissionCommand implements Command {
    private static final long POLL_MILLIS = 500;
    /**
     * How long the node may be out of reach while no other member confirms it left: it exits only once the others
     * know, so a member that still holds it after this long knows of no leave.
     */
    private static final long CONFIRM_NANOS = 10_000_000_000L;

    @CommandLine.Mixin
    NodeAddress node = new NodeAddress();

    @CommandLine.Option(names = "--timeout-s", paramLabel = "S", defaultValue = "86400",
        description = "how long to follow it, 1-604800 seconds")
    int timeoutSeconds;

    /** How long the node may be out of reach with no member confirming it left (shorter in tests). */
    long confirmNanos = CONFIRM_NANOS;

    @Inject
    DecommissionCommand() {
    }

    @Override
    public int run(PrintStream out, PrintStream err) {
        long deadline = System.nanoTime()
            + Bounds.check("--timeout-s", timeoutSeconds, 1, 86_400 * 7) * 1_000_000_000L;
        ClusterInfo reached = node.reach("decommission", err);
        String self = reached.field("cluster_self", "?");
        long startedAt = System.nanoTime();
        // the streaming gauges describe the current or last plan (a join's, until the leave's starts): what they
        // said before is how a leave's plan is told from the join's, even one that ran between two looks
        Map<String, String> before;
        try {
            before = node.info("streaming");
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
        long lostSince = 0;
        boolean leaveStreamed = false;
        try {
            while (System.nanoTime() < deadline) {
                try {
                    last = node.info("streaming");
                    lostSince = 0;
                    leaveStreamed |= ClusterInfo.number(last, "stream_running") == 1 || moved(before, last);
                } catch (IOException e) {
                    // the node exits once the others know it left; so does a node that was killed: ask the others
                    long now = System.nanoTime();
                    lostSince = lostSince == 0 ? now : lostSince;
                    Verdict verdict = askOthers(self, reached);
                    if (verdict.left()) {
                        out.println();
                        out.printf("decommissioned in %.1f s: %s; the node has exited (%s)%n",
                            (now - startedAt) / 1e9, leaveStreamed ? String.format("%d sessions, %d records sent, %d"
                                + " record bytes", ClusterInfo.number(last, "stream_sessions_done"),
                                ClusterInfo.number(last, "stream_keys_sent"),
                                ClusterInfo.number(last, "stream_record_bytes"))
                                : "its streaming was not seen", verdict.text());
                        return Launcher.OK;
                    }
                    if (now - lostSince >= confirmNanos && !verdict.alive()) {
                        return unconfirmed(self, e, verdict, leaveStreamed ? last : Map.of(),
                            (now - startedAt) / 1e9, out, err);
                    }
                    Thread.sleep(POLL_MILLIS);
                    continue;
                }
                if (ClusterInfo.number(last, "stream_running") == 0) {
                    String state = stateOf(self, node.host, node.port);
                    // a joining node's state carries its progress ("JOINING 12/141")
                    if (state != null && (state.equals("NORMAL") || state.startsWith("JOINING"))) {
                        out.println();
                        err.println("ringkv decommission: node " + self + " is " + state + " again (it restarted,"
                            + " or gave the decommission up; its log says which): it did not leave. Run ringkv"
                            + " decommission again");
                        return Launcher.FAILED;
                    }
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

    /** @return true when the streaming gauges and counters moved: a plan ran since {@code before} */
    private static boolean moved(Map<String, String> before, Map<String, String> now) {
        for (String name : List.of("stream_sessions", "stream_sessions_done", "stream_keys_sent",
            "stream_record_bytes")) {
            if (ClusterInfo.number(before, name) != ClusterInfo.number(now, name)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The node is out of reach and no member confirmed it left. A member that still holds it makes that a failure
     * (killed or failed before it left). When no member could say (this machine cannot reach them, or their TLS or
     * users differ), the node's last report decides: every session handed over is a leave this command cannot
     * confirm, said as such; anything less is a failure.
     *
     * @param last the node's last report of its leave's streaming, empty when this command saw none run
     */
    private static int unconfirmed(String self, IOException lost, Verdict verdict, Map<String, String> last,
                                   double seconds, PrintStream out, PrintStream err) {
        out.println();
        long done = ClusterInfo.number(last, "stream_sessions_done");
        long total = ClusterInfo.number(last, "stream_sessions");
        if (!verdict.seen() && total > 0 && done == total) {
            out.printf("decommissioned in %.1f s, as far as this command can tell: %d sessions, %d records sent;"
                    + " the node has exited after handing over every session, but no other member could be asked"
                    + " whether it left (%s): check with ringkv status on another node before removing its data%n",
                seconds, done, ClusterInfo.number(last, "stream_keys_sent"), verdict.text());
            return Launcher.OK;
        }
        err.println("ringkv decommission: node " + self + " stopped answering (" + lost.getMessage() + ") with "
            + done + " of " + total + " sessions handed over, and " + (verdict.seen()
            ? "the others still hold it (" + verdict.text() + "): it did not leave, and its ranges may be handed over"
                + " only in part. Start it again and run ringkv decommission again; if it is gone for good, ringkv"
                + " removenode " + self + " (a repair pass then rebuilds its ranges from the other replicas)"
            : "no other member could be asked whether it left (" + verdict.text() + "): check with ringkv status on"
                + " another node before removing its data"));
        return Launcher.FAILED;
    }

    /**
     * What the other members say of the leaving node, asked at their client addresses as the node listed them
     * before it left.
     *
     * @param left true once a member no longer holds the node, or holds it LEFT
     * @param alive true when a member still judges it ALIVE (a blip between this command and the node, not a death)
     * @param seen true when a member that serves answered and still holds the node
     * @param text what was found, for the operator
     */
    record Verdict(boolean left, boolean alive, boolean seen, String text) {
    }

    /**
     * Asks every other member at once (each may take {@link AdminClient}'s timeout to fail when it is down, so asked
     * one after another, a few members down would hold each poll for that many timeouts), and reads their answers in
     * the order the node listed them.
     */
    static Verdict askOthers(String self, ClusterInfo reached) {
        List<String> ids = new ArrayList<>();
        List<Future<ClusterInfo>> views = new ArrayList<>();
        try (ExecutorService asking = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Map<String, String> member : reached.nodes()) {
                String id = member.get("id");
                String client = member.get("client");
                int colon = client == null ? -1 : client.lastIndexOf(':');
                if (id == null || id.equals(self) || colon <= 0 || "LEFT".equals(member.get("state"))) {
                    continue;
                }
                ids.add(id);
                views.add(asking.submit(() -> ClusterInfo.parse(AdminClient.call(client.substring(0, colon),
                    Integer.parseInt(client.substring(colon + 1)), List.of("INFO", "cluster")).text())));
            }
        }
        List<String> said = new ArrayList<>();
        boolean alive = false;
        boolean seen = false;
        for (int i = 0; i < ids.size(); i++) {
            String id = ids.get(i);
            Map<String, String> row;
            try {
                ClusterInfo view = views.get(i).get();
                if (!view.knowsMembers()) {
                    said.add(id + " did not say");
                    continue;
                }
                row = view.node(self);
            } catch (ExecutionException e) {
                said.add(id + " did not answer");
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                said.add(id + " was not asked (interrupted)");
                continue;
            }
            if (row == null || "LEFT".equals(row.get("state"))) {
                return new Verdict(true, false, false, row == null ? "node " + id + " no longer lists it"
                    : "node " + id + " sees it LEFT");
            }
            alive |= "ALIVE".equals(row.get("liveness"));
            seen = true;
            said.add(id + " sees it " + row.get("state") + ", " + row.get("liveness"));
        }
        return new Verdict(false, alive, seen, said.isEmpty() ? "no other member was known to ask"
            : String.join("; ", said));
    }

    /** @return the node's own state as its {@code INFO cluster} lists it, or null when it did not say */
    private static String stateOf(String self, String host, int port) {
        try {
            Map<String, String> row = ClusterInfo.parse(AdminClient.call(host, port, List.of("INFO", "cluster"))
                .text()).node(self);
            return row == null ? null : row.get("state");
        } catch (IOException e) {
            return null;
        }
    }
}
