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
 * spaces the steps further. Between steps, it runs a cleanup on each node that keeps records of ranges a join took
 * from it (which hold every node's tombstones until dropped). Runs on its own thread until the command stops.
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
         * @return the smallest index with no process, or whose node left (exited with status 0), or -1 when every
         *     slot is taken
         */
        int freeSlot();

        /** @return the exit status of node {@code index}'s process, or -1 while it runs or was never started */
        int exitStatus(int index);
    }

    private static final long POLL_MILLIS = 2_000;
    /** How long one step (a join or a decommission) may take before the autoscaler says so and looks again. */
    private static final long STEP_WARNING_MILLIS = 600_000;

    private final Nodes nodes;
    private final int min;
    private final int max;
    private final PrintStream out;
    private volatile boolean running = true;
    private String lastReason = "";
    private String lastProblem = "";
    private final LeftoverCleanups cleanups;
    /**
     * A node that exited while leaving, with a status other than 0 (killed, failed): it still holds ranges no other
     * node may have, so the autoscaler takes no step until the operator has seen to it.
     */
    private volatile String stranded;

    Autoscaler(Nodes nodes, int min, int max, PrintStream out) {
        this.nodes = nodes;
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
            sleep(POLL_MILLIS);
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
        if (stranded != null) {
            // said once, when it happened
            return;
        }
        // scaling is not held up for them: a move during a cleanup makes it keep the mark, and the next look cleans
        // up again once the ring has settled
        cleanups.step();
        if (recommended > members && running.size() < max) {
            int slot = nodes.freeSlot();
            if (slot < 0) {
                say("no free node slot to start a node in (every one of node1-node9 is taken)");
                return;
            }
            say("starting node" + slot + " (" + (running.size() + 1) + " of at most " + max + ")");
            nodes.startFresh(slot);
            awaitMembers(running.size() + 1, slot, true);
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
     * Waits until a running node other than {@code slot} (asked anew each time: one may die meanwhile) counts
     * {@code members} NORMAL members with nothing moving, and the process of {@code slot} runs ({@code joining}) or
     * has exited (leaving).
     */
    private void awaitMembers(int members, int slot, boolean joining) {
        long started = System.currentTimeMillis();
        boolean warned = false;
        while (running) {
            sleep(POLL_MILLIS);
            boolean slotRunning = nodes.running().contains(slot);
            if (joining && !slotRunning) {
                say("node" + slot + " exited while joining; see its output above");
                return;
            }
            if (!joining && !slotRunning && nodes.exitStatus(slot) != 0) {
                stranded = "node" + slot + " exited with status " + nodes.exitStatus(slot) + " before it left the"
                    + " cluster: its ranges may be handed over only in part, so its data directory is kept, its slot"
                    + " is not reused, and no node is started or decommissioned until this cluster is started again."
                    + " Start the node by hand (its data stays), or ringkv removenode node" + slot;
                say(stranded);
                return;
            }
            int asked = nodes.running().stream().filter(index -> index != slot).findFirst().orElse(-1);
            if (asked < 0) {
                say("no other node runs; stopped waiting for node" + slot);
                return;
            }
            try {
                Map<String, String> signals = ClusterInfo.fetch("127.0.0.1", nodes.clientPort(asked), "autoscale");
                if (ClusterInfo.number(signals, "autoscale_members") == members
                    && ClusterInfo.number(signals, "autoscale_moving") == 0 && slotRunning == joining) {
                    long seconds = (System.currentTimeMillis() - started) / 1000;
                    say(joining ? "node" + slot + " joined (" + seconds + " s); " + members + " member(s)"
                        : "node" + slot + " decommissioned and exited (" + seconds + " s); " + members + " member(s)");
                    return;
                }
            } catch (IOException | RuntimeException e) {
                // ask again
            }
            if (!warned && System.currentTimeMillis() - started > STEP_WARNING_MILLIS) {
                warned = true;
                say("node" + slot + " is still " + (joining ? "joining" : "leaving") + " after "
                    + STEP_WARNING_MILLIS / 1000 + " s; waiting");
            }
        }
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
