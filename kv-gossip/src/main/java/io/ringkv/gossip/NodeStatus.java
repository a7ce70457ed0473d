package io.ringkv.gossip;

/** A node's place in the ring's life cycle, as the node itself announces it through gossip. */
public enum NodeStatus {
    /** Taking over its token ranges; not yet serving reads. */
    JOINING,
    /** A full member of the ring. */
    NORMAL,
    /** Handing its ranges to others before it goes. */
    LEAVING,
    /** Gone; its state expires after a quarantine so it cannot come back by accident. */
    LEFT
}
