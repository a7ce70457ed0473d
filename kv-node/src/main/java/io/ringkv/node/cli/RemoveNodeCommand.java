package io.ringkv.node.cli;

import jakarta.inject.Inject;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import picocli.CommandLine;

/** {@code ringkv removenode ID}: asks any node to mark a dead node as removed from the cluster. */
@CommandLine.Command(name = "removenode",
    description = {"Mark a dead node as removed; its state is forgotten cluster-wide after the quarantine.",
        "Asks a live node to mark node ID as removed. Only a node its failure detector judges DOWN can be removed."
            + " The removal spreads by gossip; after the quarantine (--quarantine-ms of the nodes) every node forgets"
            + " the removed node and refuses stale gossip about it. Its ranges pass to the next nodes on the ring;"
            + " run anti-entropy repair (ringkv repair) to restore the replica count of its data."})
final class RemoveNodeCommand implements Command {
    @CommandLine.Parameters(paramLabel = "ID", description = "the id of the node to remove")
    String id;

    @CommandLine.Mixin
    NodeAddress node = new NodeAddress();

    @Inject
    RemoveNodeCommand() {
    }

    @Override
    public int run(PrintStream out, PrintStream err) {
        node.reach("removenode", err);
        try {
            AdminClient.Reply reply = node.call(List.of("REMOVENODE", id));
            if (reply.error()) {
                err.println("ringkv removenode: " + reply.text());
                return Launcher.FAILED;
            }
        } catch (IOException e) {
            err.println("ringkv removenode: the node at " + node + " stopped answering (" + e.getMessage() + ")");
            return Launcher.FAILED;
        }
        out.println("node " + id + " is marked removed; every node forgets it after the quarantine");
        return Launcher.OK;
    }
}
