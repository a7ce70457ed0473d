package io.ringkv.node.membership;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import io.ringkv.api.Node;
import io.ringkv.api.NodeId;
import io.ringkv.gossip.EndpointState;
import io.ringkv.gossip.Gossiper;
import io.ringkv.gossip.NodeStatus;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * {@code peers.state} in the data directory: the last state this node knew of every other member (id, addresses,
 * failure domain, generation, version, status, tokens, application values) and of every node whose removal it
 * finished. A restarted node starts from it, so a member that is down while the others restart stays in their
 * ring, DOWN, instead of vanishing with its ranges; only {@code removenode} takes a member out. Replaced atomically
 * ({@link AtomicFile}).
 */
public final class PeersFile {
    static final String FILE = "peers.state";
    private static final int FORMAT = 1;

    private PeersFile() {
    }

    /**
     * @return what the file holds, or {@link Gossiper.Remembered#NONE} when there is none (a first start)
     * @throws KvException with {@code STORAGE_FAILURE} when the file cannot be read or is damaged, saying what to do
     */
    public static Gossiper.Remembered load(Path dataDirectory) {
        AtomicFile.removeTemporary(dataDirectory, FILE);
        Path file = dataDirectory.resolve(FILE);
        if (!Files.exists(file)) {
            return Gossiper.Remembered.NONE;
        }
        try {
            Properties properties = new Properties();
            properties.load(new StringReader(Files.readString(file, StandardCharsets.UTF_8)));
            int format = Integer.parseInt(required(properties, "format"));
            if (format != FORMAT) {
                throw new IllegalArgumentException("format " + format + " is not " + FORMAT);
            }
            return new Gossiper.Remembered(states(properties, "member"), states(properties, "removed"));
        } catch (IOException | RuntimeException e) {
            throw new KvException(ErrorCode.STORAGE_FAILURE, "cannot read " + file + " (" + e.getMessage()
                + "); it holds the cluster members this node knew. Restore it, or remove it to start knowing only"
                + " the seeds (a member that is down then drops out of this node's ring until it is heard again)");
        }
    }

    /**
     * Replaces the file with {@code remembered}; disk I/O, so not on the agent thread.
     *
     * @throws KvException with {@code STORAGE_FAILURE} when the file cannot be written
     */
    public static void store(Path dataDirectory, Gossiper.Remembered remembered) {
        AtomicFile.replace(dataDirectory, FILE, text(remembered));
    }

    static String text(Gossiper.Remembered remembered) {
        Properties properties = new Properties();
        properties.setProperty("format", Integer.toString(FORMAT));
        put(properties, "member", remembered.members());
        put(properties, "removed", remembered.removed());
        StringWriter text = new StringWriter();
        try {
            properties.store(text, "ringkv peers: the last known state of every other member, and removed nodes");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }

    private static void put(Properties properties, String kind, List<EndpointState> states) {
        properties.setProperty(kind + "s", Integer.toString(states.size()));
        for (int i = 0; i < states.size(); i++) {
            EndpointState state = states.get(i);
            Node node = state.node();
            String prefix = kind + "." + i + ".";
            properties.setProperty(prefix + "id", node.id().value());
            properties.setProperty(prefix + "host", node.host());
            properties.setProperty(prefix + "peer-port", Integer.toString(node.peerPort()));
            properties.setProperty(prefix + "client-port", Integer.toString(node.clientPort()));
            properties.setProperty(prefix + "zone", node.zone());
            properties.setProperty(prefix + "rack", node.rack());
            properties.setProperty(prefix + "generation", Long.toString(state.generation()));
            properties.setProperty(prefix + "version", Long.toString(state.version()));
            properties.setProperty(prefix + "state-version", Long.toString(state.stateVersion()));
            properties.setProperty(prefix + "status", state.status().name());
            properties.setProperty(prefix + "protocol", Integer.toString(state.protocolVersion()));
            properties.setProperty(prefix + "tokens",
                Arrays.stream(state.tokens()).mapToObj(Long::toString).collect(Collectors.joining(",")));
            state.applicationState().forEach((key, value) -> properties.setProperty(prefix + "app." + key, value));
        }
    }

    private static List<EndpointState> states(Properties properties, String kind) {
        int count = Integer.parseInt(required(properties, kind + "s"));
        List<EndpointState> states = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            states.add(state(properties, kind + "." + i + "."));
        }
        return states;
    }

    private static EndpointState state(Properties properties, String prefix) {
        Node node = new Node(NodeId.of(required(properties, prefix + "id")), required(properties, prefix + "host"),
            Integer.parseInt(required(properties, prefix + "peer-port")),
            Integer.parseInt(required(properties, prefix + "client-port")), required(properties, prefix + "zone"),
            required(properties, prefix + "rack"));
        String tokenText = required(properties, prefix + "tokens");
        long[] tokens = tokenText.isEmpty() ? new long[0]
            : Arrays.stream(tokenText.split(",")).mapToLong(Long::parseLong).toArray();
        Map<String, String> application = new TreeMap<>();
        String appPrefix = prefix + "app.";
        for (String name : properties.stringPropertyNames()) {
            if (name.startsWith(appPrefix)) {
                application.put(name.substring(appPrefix.length()), properties.getProperty(name));
            }
        }
        return EndpointState.of(node, Long.parseLong(required(properties, prefix + "generation")),
            Long.parseLong(required(properties, prefix + "version")),
            Long.parseLong(required(properties, prefix + "state-version")),
            NodeStatus.valueOf(required(properties, prefix + "status")), tokens, application,
            Integer.parseInt(required(properties, prefix + "protocol")));
    }

    private static String required(Properties properties, String name) {
        String value = properties.getProperty(name);
        if (value == null) {
            throw new IllegalArgumentException("'" + name + "' is missing");
        }
        return value.trim();
    }
}
