package io.ringkv.node.cli;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Runs {@code CLEANUP} on each node of a local cluster that holds leftovers ({@code cluster_leftovers_here} of
 * {@code INFO cluster}): records of ranges a join or leave took from it, which hold every node's tombstones until
 * dropped. An operator runs cleanup by hand; {@code ringkv cluster} does it for the nodes it runs, once the ring has
 * settled. A node whose cleanup runs is left to it; one that refuses (the ring moves again) is asked at the next look.
 */
final class LeftoverCleanups {
    private final Autoscaler.Nodes nodes;
    private final Consumer<String> say;
    /** The last refusal said per node, so that a refusal repeated at every look is said once. */
    private final Map<Integer, String> refusals = new HashMap<>();

    LeftoverCleanups(Autoscaler.Nodes nodes, Consumer<String> say) {
        this.nodes = nodes;
        this.say = say;
    }

    /**
     * Looks once: asks every running node whether it holds leftovers and, unless its cleanup runs already, starts
     * one. Does nothing while nodes join or leave. A node that does not answer is skipped (asked again at the next
     * look); this never throws, so that a slow node holds nothing else up.
     */
    void step() {
        List<Integer> running = nodes.running();
        try {
            if (running.isEmpty() || ClusterInfo.number(ClusterInfo.fetch("127.0.0.1",
                nodes.clientPort(running.getFirst()), "autoscale"), "autoscale_moving") == 1) {
                return;
            }
        } catch (IOException | RuntimeException e) {
            return;
        }
        for (int index : running) {
            try {
                cleanUp(index);
            } catch (IOException | RuntimeException e) {
                // busy, restarting or gone: asked again at the next look
            }
        }
    }

    /** Starts a cleanup on node {@code index} when it holds leftovers and runs none already. */
    private void cleanUp(int index) throws IOException {
        int port = nodes.clientPort(index);
        if (!"1".equals(ClusterInfo.fetch("127.0.0.1", port, "cluster").get("cluster_leftovers_here"))
            || ClusterInfo.number(ClusterInfo.fetch("127.0.0.1", port, "cleanup"), "cleanup_running") == 1) {
            return;
        }
        AdminClient.Reply reply = AdminClient.call("127.0.0.1", port, List.of("CLEANUP"));
        if (reply.error()) {
            if (!reply.text().equals(refusals.put(index, reply.text()))) {
                say.accept("node" + index + " refused a cleanup (" + reply.text() + "); asking again later");
            }
            return;
        }
        refusals.remove(index);
        say.accept("cleaning up node" + index + ": it keeps records of ranges a join or leave took from it, and"
            + " every node keeps its tombstones until they are gone");
    }
}
