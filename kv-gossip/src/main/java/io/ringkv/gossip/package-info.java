/**
 * Gossip membership and failure detection. {@link io.ringkv.gossip.FailureDetector} judges each node from the
 * arrival times of its heartbeats: {@link io.ringkv.gossip.FixedTimeoutDetector} by fixed silences,
 * {@link io.ringkv.gossip.PhiAccrualDetector} by how unlikely the current silence is given the node's history.
 * Both are I/O-free and take time as an argument, so they run unchanged in the simulator.
 */
package io.ringkv.gossip;
