package io.ringkv.node;

import io.ringkv.api.Node;
import io.ringkv.api.NodeId;
import io.ringkv.node.transport.PeerAddress;
import io.ringkv.ring.Ring;
import io.ringkv.ring.TokenAllocator;
import io.ringkv.ring.TokenAllocators;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * The ring of a cluster with static membership: every node is configured with the same members, joins them in id
 * order with the balanced allocator seeded alike, and so computes the same ring without talking. (Gossip replaces
 * this: a joining node will announce the tokens it picked.)
 */
final class StaticRing {
    private StaticRing() {
    }

    static Ring of(NodeConfig config, int replicationFactor) {
        Map<NodeId, PeerAddress> members = new TreeMap<>(config.peers());
        members.put(config.id(), config.listen());
        TokenAllocator allocator = TokenAllocators.create(TokenAllocators.BALANCED,
            new SplittableRandom(config.cluster().ringSeed()));
        Ring ring = Ring.empty(replicationFactor);
        for (Map.Entry<NodeId, PeerAddress> member : members.entrySet()) {
            // client ports are not part of the static configuration; the ring does not need them
            Node node = new Node(member.getKey(), member.getValue().host(), member.getValue().port(),
                member.getValue().port(), Node.DEFAULT_ZONE, Node.DEFAULT_RACK);
            ring = ring.withNode(node, allocator.allocate(ring, node, config.cluster().vnodes()));
        }
        return ring;
    }
}
