package io.ringkv.node.cli;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The {@code --host} and {@code --port} of the node a command talks to (a picocli mixin), and the first contact:
 * {@link #reach} says on stderr which node answered, by address and id, or that none did.
 */
final class NodeAddress {
    @Option(names = "--host", paramLabel = "HOST", defaultValue = "127.0.0.1",
        description = "the node to talk to (any node of the cluster)")
    String host;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "7379",
        description = "its client (Redis-protocol) port, 1-65535")
    int port;

    /**
     * Asks the node who it is ({@code INFO cluster}) and tells the operator on {@code err}.
     *
     * @param command the command's name, for the messages
     * @return the node's {@code INFO cluster}: its id ({@code cluster_self}), its view of the members
     * @throws KvException when no node answers there, or what answered is not a ringkv node (exit status 1)
     */
    ClusterInfo reach(String command, PrintStream err) {
        Bounds.check("--port", port, 1, 65_535);
        ClusterInfo info;
        try {
            AdminClient.Reply reply = call(List.of("INFO", "cluster"));
            if (reply.error()) {
                throw unreachable("the node at " + this + " answered: " + reply.text());
            }
            info = ClusterInfo.parse(reply.text());
        } catch (IOException e) {
            throw unreachable("cannot reach a ringkv node at " + this + " (" + e.getMessage() + "): no node answered;"
                + " is it running, and is --port its client port?");
        }
        String id = info.fields().get("cluster_self");
        if (id == null) {
            throw unreachable("what answered at " + this + " reports no cluster section; is it a ringkv node?");
        }
        err.println("ringkv " + command + ": reached node " + id + " at " + this);
        err.flush();
        return info;
    }

    /**
     * @return the node's reply to {@code command}
     * @throws IOException when the node cannot be reached or its reply is not understood
     */
    AdminClient.Reply call(List<String> command) throws IOException {
        return AdminClient.call(host, port, command);
    }

    /**
     * @return the node's fields of one INFO section
     * @throws IOException when the node cannot be reached or answers with an error
     */
    Map<String, String> info(String section) throws IOException {
        return ClusterInfo.fetch(host, port, section);
    }

    private static KvException unreachable(String message) {
        return new KvException(ErrorCode.UNAVAILABLE, message);
    }

    @Override
    public String toString() {
        return host + ":" + port;
    }
}
