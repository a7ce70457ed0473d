package io.ringkv.gossip;

import io.ringkv.api.NodeId;
import java.util.Map;
import java.util.Objects;

/**
 * What the cluster knows about one node, as the node itself last published it. {@code generation} changes on
 * every restart (so a restarted node's fresh heartbeats are not mistaken for old ones); {@code version} grows with
 * every change and every heartbeat within a generation. A state is newer than another when its (generation,
 * version) pair is greater.
 *
 * @param node the node described
 * @param generation set at start, e.g. the start time in seconds; greater after a restart
 * @param version heartbeat and change counter within the generation
 * @param status the node's announced status
 * @param tokens the node's ring tokens
 * @param applicationState small named values for other modules (load, data size, client port...)
 */
public record EndpointState(NodeId node, long generation, long version, NodeStatus status, long[] tokens,
                            Map<String, String> applicationState) {
    /** Copies the arrays and maps. */
    public EndpointState {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(status, "status");
        tokens = tokens.clone();
        applicationState = Map.copyOf(applicationState);
    }

    /** @return true when this state is newer than one at ({@code otherGeneration}, {@code otherVersion}) */
    public boolean isNewerThan(long otherGeneration, long otherVersion) {
        return generation != otherGeneration ? generation > otherGeneration : version > otherVersion;
    }

    /** @return this state with the next version: a heartbeat */
    public EndpointState beat() {
        return new EndpointState(node, generation, version + 1, status, tokens, applicationState);
    }

    /** @return this state with another status and the next version */
    public EndpointState withStatus(NodeStatus newStatus) {
        return new EndpointState(node, generation, version + 1, newStatus, tokens, applicationState);
    }

    @Override
    public long[] tokens() {
        return tokens.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof EndpointState that && node.equals(that.node) && generation == that.generation
            && version == that.version && status == that.status && java.util.Arrays.equals(tokens, that.tokens)
            && applicationState.equals(that.applicationState);
    }

    @Override
    public int hashCode() {
        return Objects.hash(node, generation, version, status, java.util.Arrays.hashCode(tokens), applicationState);
    }

    @Override
    public String toString() {
        return "EndpointState[" + node + " gen " + generation + " v" + version + " " + status + ", "
            + tokens.length + " tokens]";
    }
}
