package io.ringkv.gossip;

/** How a leaving node hands over the hints it holds for other nodes before it leaves. Agent thread only. */
public interface HintHandOff {
    /** A node that holds no hints. */
    HintHandOff NONE = new HintHandOff() {
        @Override
        public void start() {
        }

        @Override
        public long pending() {
            return 0;
        }
    };

    /** Starts handing every hint over (to its target, or for a DOWN target to another live node). */
    void start();

    /** @return how many hints this node still holds */
    long pending();
}
