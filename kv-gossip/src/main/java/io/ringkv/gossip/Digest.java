package io.ringkv.gossip;

import io.ringkv.api.NodeId;
import java.util.Objects;

/**
 * A few bytes standing for what a node knows about one endpoint: its generation and highest version. Gossip
 * rounds exchange digests first, so a stable cluster sends kilobytes, not every node's full state.
 *
 * @param node the endpoint
 * @param generation its generation as known here
 * @param version its highest version as known here
 */
public record Digest(NodeId node, long generation, long version) {
    /** @throws NullPointerException without a node */
    public Digest {
        Objects.requireNonNull(node, "node");
    }
}
