package io.ringkv.gossip;

/**
 * One line of a node's view of the cluster: an endpoint's announced state and this node's judgement of it.
 *
 * @param state what the endpoint announced
 * @param liveness what this node's failure detector believes
 */
public record EndpointView(EndpointState state, Liveness liveness) {
    /**
     * @return the state an operator sees: LEFT, JOINING or LEAVING as announced; otherwise the detector's SUSPECT
     *     or DOWN, or NORMAL
     */
    public String displayStatus() {
        if (state.status() != NodeStatus.NORMAL || liveness == Liveness.ALIVE) {
            return state.status().name();
        }
        return liveness.name();
    }
}
