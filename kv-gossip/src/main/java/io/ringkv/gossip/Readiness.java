package io.ringkv.gossip;

/**
 * Whether a node may answer clients yet. A node serves once it is NORMAL (it owns its ranges) and, when it has
 * anyone to hear from (a seed, or members it remembered), once it has exchanged gossip with a peer: before that
 * its ring is the view it started with, which may be stale or hold only itself, and a request routed by it fails
 * for the wrong reason or lands on the wrong replicas. Should no peer answer (every other node down), it serves
 * anyway after a bounded number of rounds, with the view it has. Latched: a node that served does not go back to
 * loading. Agent thread only.
 */
public final class Readiness {
    /** Default bound on the wait for a peer, in gossip rounds. */
    public static final int DEFAULT_MAX_WAIT_ROUNDS = 10;

    private final int maxWaitRounds;
    private boolean ready;

    /**
     * @param maxWaitRounds rounds after which a NORMAL node serves without having heard from a peer, 0 or more
     * @throws IllegalArgumentException when negative
     */
    public Readiness(int maxWaitRounds) {
        if (maxWaitRounds < 0) {
            throw new IllegalArgumentException("the wait for a peer must be 0 rounds or more, was " + maxWaitRounds);
        }
        this.maxWaitRounds = maxWaitRounds;
    }

    /**
     * Judges {@code gossiper}'s node now.
     *
     * @return null when the node may serve, otherwise why not, in words for the client's error
     */
    public String judge(Gossiper gossiper) {
        if (ready) {
            return null;
        }
        EndpointState self = gossiper.self();
        if (self.status() != NodeStatus.NORMAL) {
            return "the node is " + self.status() + ", not yet a NORMAL member of the ring; it serves once it is";
        }
        if (gossiper.isHidden()) {
            // restarted on its data: its records are served only once the cluster said it is still a member
            return "the node is asking the cluster about its id before it rejoins with its tokens (it may have been"
                + " removed while it was down); it serves once a member answered";
        }
        boolean someoneToHear = gossiper.hasSeeds() || gossiper.knownEndpoints() > 1;
        if (!someoneToHear || gossiper.hasExchangedWithPeer() || gossiper.rounds() >= maxWaitRounds) {
            ready = true;
            return null;
        }
        return "the node is loading its view of the cluster (" + (gossiper.knownEndpoints() - 1)
            + " other node(s) known): it serves once it has exchanged gossip with a peer, or after " + maxWaitRounds
            + " gossip rounds without one (" + gossiper.rounds() + " so far)";
    }

    /** @return true once {@link #judge} found the node ready */
    public boolean isReady() {
        return ready;
    }
}
