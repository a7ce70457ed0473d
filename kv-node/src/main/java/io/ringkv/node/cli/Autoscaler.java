package io.ringkv.node.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/**
 * {@code ringkv cluster --autoscale MIN,MAX}: acts on the nodes' recommendation ({@code INFO autoscale}, from their
 * scaling policy) by starting a node process when the cluster should grow and decommissioning one when it should
 * shrink, one at a time, never below MIN or above MAX processes. It waits for each step to finish (the new node
 * NORMAL, or the leaving node exited after handing its ranges over) before it looks again; the nodes' cool-down
 * spaces the steps further. A node that exits while joining is reported, and the next start waits 30 s, doubled
 * for each failure in a row up to 16 min (a cause that persists, such as a full disk, does not fill every slot with
 * failed nodes); its slot is used again, as it never became a member. A node that exits while leaving and still holds
 * ranges stops the autoscaler until it is removed or the cluster is started again. Between steps, it runs a cleanup
 * on each node that keeps records of ranges a join took from it (which hold every node's tombstones until dropped).
 * Runs on its own thread until the command stops.
 */
final class Autoscaler implements Runnable {
    /** What the autoscaler needs from the local cluster it steers. */
    interface Nodes {
        /** @return the indexes (1-based) of the node processes alive now, ascending */
        List<Integer> running();

        /** @return the client port of node {@code index} */
        int clientPort(int index);

        /** Starts node {@code index} afresh (an empty data directory), as a joiner. */
        void startFresh(int index);

        /**
         * @return the smallest index with no process, or whose process exited holding no ranges (it left, or never
         *     became a member), or -1 when every slot is taken
         */
        int freeSlot();

        /** @return the exit status of node {@code index}'s process, or -1 while it runs or was never started */
        int exitStatus(int index);

        /**
         * @return true when node {@code index}'s data names tokens: it is a member of the ring (it joined and did
         *     not leave), so what it holds may be the only copy of some writes
         */
        boolean holdsRanges(int index);
    }

    /** How a step ended, as {@link #awaitMembers} saw it. */
    private enum Outcome { DONE, JOIN_FAILED, STRANDED, GAVE_UP }

    private static final long POLL_MILLIS = 2_000;
    /** How long one step (a join or a decommission) may take before the autoscaler says so and looks again. */
    private static final long STEP_WARNING_MILLIS = 600_000;
    /** The wait before the next start after a node exited while joining; doubled for each failure in a row. */
    static final long FIRST_JOIN_BACKOFF_MILLIS = 30_000;
    static final long MAX_JOIN_BACKOFF_MILLIS = 960_000;

    private final Nodes nodes;
    private final long pollMillis;
    private final java.util.function.LongSupplier clock;
    private final int min;
    private final int max;
    private final PrintStream out;
    private volatile boolean running = true;
    private String lastReason = "";
    private String lastProblem = "";
    private final LeftoverCleanups cleanups;
    /**
     * The slot of a node that exited while leaving and still holds ranges no other node may have (killed, failed), or
     * 0: the autoscaler takes no step until the cluster no longer holds it.
     */
    private int strandedSlot;
    /** Starts that failed in a row (the node exited while joining); 0 after a join succeeds. */
    private int failedJoins;
    /** No node is started before this instant ({@link System#currentTimeMillis}), after a failed join. */
    private long nextStartMillis;

    Autoscaler(Nodes nodes, int min, int max, PrintStream out) {
        this(nodes, min, max, out, POLL_MILLIS, System::currentTimeMillis);
    }

    /**
     * @param pollMillis how long it sleeps between looks
     * @param clock milliseconds, for how long a step took and when the next start may come
     */
    Autoscaler(Nodes nodes, int min, int max, PrintStream out, long pollMillis, java.util.function.LongSupplier clock) {
        this.nodes = nodes;
        this.pollMillis = pollMillis;
        this.clock = clock;
        this.min = min;
        this.max = max;
        this.out = out;
        this.cleanups = new LeftoverCleanups(nodes, this::say);
    }

    void stop() {
        running = false;
    }

    @Override
    public void run() {
        while (running) {
            sleep(pollMillis);
            try {
                step();
                lastProblem = "";
            } catch (IOException | RuntimeException e) {
                // a node busy or restarting: ask again next time, saying so once
                String problem = String.valueOf(e.getMessage());
                if (!problem.equals(lastProblem)) {
                    lastProblem = problem;
                    say("cannot look at the cluster now (" + problem + "); trying again");
                }
            }
        }
    }

    private void step() throws IOException {
        List<Integer> running = nodes.running();
        if (running.isEmpty()) {
            return;
        }
        Map<String, String> signals = ClusterInfo.fetch("127.0.0.1", nodes.clientPort(running.getFirst()),
            "autoscale");
        long members = ClusterInfo.number(signals, "autoscale_members");
        long recommended = ClusterInfo.number(signals, "autoscale_recommended_nodes");
        String reason = signals.getOrDefault("autoscale_reason", "");
        // a reason that differs only in its figures (seconds left, requests per second) is not news
        String gist = recommended + reason.replaceAll("[0-9]+", "#");
        if (!gist.equals(lastReason)) {
            lastReason = gist;
            say(members + " member(s), recommended " + recommended + ": " + reason);
        }
        if (members != running.size() || ClusterInfo.number(signals, "autoscale_moving") == 1) {
            return;
        }
        if (strandedSlot != 0 && !strandedResolved(running)) {
            // said once, when it happened
            return;
        }
        // scaling is not held up for them: a move during a cleanup makes it keep the mark, and the next look cleans
        // up again once the ring has settled
        cleanups.step();
        if (recommended > members && running.size() < max) {
            if (clock.getAsLong() < nextStartMillis) {
                return;
            }
            int slot = nodes.freeSlot();
            if (slot < 0) {
                say("no free node slot to start a node in (every one of node1-node9 is taken)");
                return;
            }
            say("starting node" + slot + " (" + (running.size() + 1) + " of at most " + max + ")");
            nodes.startFresh(slot);
            Outcome outcome = awaitMembers(running.size() + 1, slot, true);
            if (outcome == Outcome.DONE) {
                failedJoins = 0;
            } else if (outcome == Outcome.JOIN_FAILED) {
                failedJoins++;
                long wait = Math.min(MAX_JOIN_BACKOFF_MILLIS,
                    FIRST_JOIN_BACKOFF_MILLIS << Math.min(failedJoins - 1, 10));
                nextStartMillis = clock.getAsLong() + wait;
                say("node" + slot + " exited with status " + nodes.exitStatus(slot) + " while joining (see its output"
                    + " above); " + failedJoins + " failed start(s) in a row, so the next start waits " + wait / 1000
                    + " s" + (nodes.holdsRanges(slot) ? "" : "; its slot may be used again, as it never became a"
                    + " member"));
            }
        } else if (recommended < members && running.size() > min) {
            int leaving = running.getLast();
            say("decommissioning node" + leaving + " (" + (running.size() - 1) + " remain, at least " + min + ")");
            AdminClient.Reply reply = AdminClient.call("127.0.0.1", nodes.clientPort(leaving), List.of("DECOMMISSION"));
            if (reply.error()) {
                say("node" + leaving + " refused to decommission: " + reply.text());
                return;
            }
            awaitMembers(running.size() - 1, leaving, false);
        }
    }

    /**
     * While a node that exited before it left is stranded ({@link #strandedSlot}): asks a running node whether the
     * cluster still holds it. Once an operator removed it ({@code ringkv removenode}), or it finished leaving after being started
     * by hand, it holds no ranges the cluster needs, and the autoscaler takes steps again (its data directory is
     * still kept, and its slot not reused).
     *
     * @return true when the stranded node no longer holds ranges in the view of a running node
     */
    private boolean strandedResolved(List<Integer> running) throws IOException {
        int asked = running.getFirst();
        ClusterInfo view = ClusterInfo.parse(AdminClient.call("127.0.0.1", nodes.clientPort(asked),
            List.of("INFO", "cluster")).text());
        if (!view.knowsMembers()) {
            return false;
        }
        Map<String, String> row = view.node("node" + strandedSlot);
        if (row != null && !"LEFT".equals(row.get("state"))) {
            return false;
        }
        say("node" + strandedSlot + (row == null ? " is no longer listed by node" + asked : " is LEFT in the view of"
            + " node" + asked) + ": autoscaling resumes (its data directory is kept; delete it by hand)");
        strandedSlot = 0;
        return true;
    }

    /**
     * Waits until a running node other than {@code slot} (asked anew each time: one may die meanwhile) counts
     * {@code members} NORMAL members with nothing moving, and the process of {@code slot} runs ({@code joining}) or
     * has exited (leaving).
     */
    private Outcome awaitMembers(int members, int slot, boolean joining) {
        long started = clock.getAsLong();
        boolean warned = false;
        boolean exitSaid = false;
        while (running) {
            sleep(pollMillis);
            boolean slotRunning = nodes.running().contains(slot);
            if (joining && !slotRunning) {
                return Outcome.JOIN_FAILED;
            }
            if (!joining && !slotRunning && nodes.holdsRanges(slot)) {
                strandedSlot = slot;
                say("node" + slot + " exited with status " + nodes.exitStatus(slot) + " before it left the"
                    + " cluster: its ranges may be handed over only in part, so its data directory is kept, its slot"
                    + " is not reused, and no node is started or decommissioned until it is removed"
                    + " (ringkv removenode node" + slot + ") or this cluster is started again (which starts it on its"
                    + " data)");
                return Outcome.STRANDED;
            }
            if (!joining && !slotRunning && nodes.exitStatus(slot) != 0 && !exitSaid) {
                exitSaid = true;
                say("node" + slot + " exited with status " + nodes.exitStatus(slot) + " after handing its ranges over"
                    + " (it forgot its tokens); waiting for the others to see it leave");
            }
            int asked = nodes.running().stream().filter(index -> index != slot).findFirst().orElse(-1);
            if (asked < 0) {
                say("no other node runs; stopped waiting for node" + slot);
                return Outcome.GAVE_UP;
            }
            try {
                Map<String, String> signals = ClusterInfo.fetch("127.0.0.1", nodes.clientPort(asked), "autoscale");
                if (ClusterInfo.number(signals, "autoscale_members") == members
                    && ClusterInfo.number(signals, "autoscale_moving") == 0 && slotRunning == joining) {
                    long seconds = (clock.getAsLong() - started) / 1000;
                    say(joining ? "node" + slot + " joined (" + seconds + " s); " + members + " member(s)"
                        : "node" + slot + " decommissioned and exited (" + seconds + " s); " + members + " member(s)");
                    return Outcome.DONE;
                }
            } catch (IOException | RuntimeException e) {
                // ask again
            }
            if (!warned && clock.getAsLong() - started > STEP_WARNING_MILLIS) {
                warned = true;
                say("node" + slot + " is still " + (joining ? "joining" : "leaving") + " after "
                    + STEP_WARNING_MILLIS / 1000 + " s; waiting");
            }
        }
        return Outcome.GAVE_UP;
    }

    private void say(String line) {
        out.println("ringkv cluster: autoscale: " + line);
        out.flush();
    }

    private void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            running = false;
        }
    }
}
