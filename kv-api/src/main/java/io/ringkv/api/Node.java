package io.ringkv.api;

import java.util.Objects;

/**
 * Who a node is and where to reach it: identity, host, the port peers use, the port clients use, and its
 * place in the failure-domain hierarchy (zone, then rack). Replicas are spread over distinct racks when the
 * ring has more than one.
 *
 * @param id stable identity
 * @param host host name or IP address ({@link #isLabel})
 * @param peerPort UDP port for node-to-node messages (1–65535)
 * @param clientPort TCP port for client requests (1–65535)
 * @param zone availability zone or data centre; {@link #DEFAULT_ZONE} when not set ({@link #isLabel})
 * @param rack rack within the zone; {@link #DEFAULT_RACK} when not set ({@link #isLabel})
 */
public record Node(NodeId id, String host, int peerPort, int clientPort, String zone, String rack) {
    /** Zone of a node whose configuration names none. */
    public static final String DEFAULT_ZONE = "zone1";
    /** Rack of a node whose configuration names none. */
    public static final String DEFAULT_RACK = "rack1";

    /**
     * @throws KvException with {@link ErrorCode#INVALID_ARGUMENT} when a field is missing or out of range
     */
    public Node {
        Objects.requireNonNull(id, "id");
        requireText("host", host);
        requirePort("peer port", peerPort);
        requirePort("client port", clientPort);
        requireText("zone", zone);
        requireText("rack", rack);
    }

    /** A node in the default zone and rack. */
    public static Node of(String id, String host, int peerPort, int clientPort) {
        return new Node(NodeId.of(id), host, peerPort, clientPort, DEFAULT_ZONE, DEFAULT_RACK);
    }

    /** @return a copy of this node placed in {@code zone} and {@code rack} */
    public Node inRack(String zone, String rack) {
        return new Node(id, host, peerPort, clientPort, zone, rack);
    }

    /** @return the failure domain replicas are spread over: zone and rack together */
    public String failureDomain() {
        return zone + "/" + rack;
    }

    private static void requireText(String what, String text) {
        if (text == null || text.isBlank()) {
            throw new KvException(ErrorCode.INVALID_ARGUMENT, "node " + what + " must not be empty");
        }
        if (!isLabel(text)) {
            throw new KvException(ErrorCode.INVALID_ARGUMENT, "node " + what + " must not hold control characters,"
                + " white space, ',' or '=', was '" + text + "'");
        }
    }

    /**
     * The rule for host, zone and rack: no control characters or white space (they would break status lines and
     * tables) and no ',' or '=' (the separators of {@code INFO cluster}'s fields).
     *
     * @return true when {@code text} is non-empty and follows the rule
     */
    public static boolean isLabel(String text) {
        return !text.isEmpty() && text.chars().noneMatch(c -> Character.isISOControl(c) || Character.isWhitespace(c)
            || Character.isSpaceChar(c) || c == ',' || c == '=');
    }

    private static void requirePort(String what, int port) {
        if (port < 1 || port > 65_535) {
            throw new KvException(ErrorCode.INVALID_ARGUMENT, "node " + what + " must be 1–65535, was " + port);
        }
    }
}
