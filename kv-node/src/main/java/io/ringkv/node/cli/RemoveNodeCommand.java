package io.ringkv.node.cli;

import jakarta.inject.Inject;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Set;

/** {@code ringkv removenode ID}: asks any node to mark a dead node as removed from the cluster. */
final class RemoveNodeCommand implements Command {
    @Inject
    RemoveNodeCommand() {
    }

    @Override
    public String summary() {
        return "mark a dead node as removed; its state is forgotten cluster-wide after the quarantine";
    }

    @Override
    public String usage() {
        return """
            usage: ringkv removenode ID [--host HOST] [--port PORT]

            Asks a live node to mark node ID as removed. Only a node its failure detector judges DOWN can be
            removed. The removal spreads by gossip; after the quarantine (--quarantine-ms of the nodes) every node
            forgets the removed node and refuses stale gossip about it. Its ranges pass to the next nodes on the
            ring; run anti-entropy repair to restore the replica count of its data.

            options:
              --host HOST   node to ask (default 127.0.0.1)
              --port PORT   its client port (default 7379)
            """;
    }

    @Override
    public int run(Options options, PrintStream out, PrintStream err) {
        options.rejectUnknown(Set.of(Options.ARGUMENT, "host", "port"));
        String id = options.text(Options.ARGUMENT, null);
        if (id == null) {
            throw new UsageException("removenode needs the id of the node to remove");
        }
        String host = options.text("host", "127.0.0.1");
        int port = options.integer("port", 7379, 1, 65_535);
        try {
            AdminClient.Reply reply = AdminClient.call(host, port, List.of("REMOVENODE", id));
            if (reply.error()) {
                err.println("ringkv removenode: " + reply.text());
                return Launcher.FAILED;
            }
        } catch (IOException e) {
            err.println("ringkv removenode: cannot reach a ringkv node at " + host + ":" + port + " (" + e.getMessage()
                + ")");
            return Launcher.FAILED;
        }
        out.println("node " + id + " is marked removed; every node forgets it after the quarantine");
        return Launcher.OK;
    }
}
