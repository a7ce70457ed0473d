package io.ringkv.gossip;

/** What a failure detector believes about a node right now. */
public enum Liveness {
    /** Heartbeats arrive as expected. */
    ALIVE,
    /** Silent for longer than usual: still a replica, but no longer to be counted on first. */
    SUSPECT,
    /** Silent for long enough to be treated as failed (or never heard from). */
    DOWN
}
