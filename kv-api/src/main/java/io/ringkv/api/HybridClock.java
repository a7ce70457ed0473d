package io.ringkv.api;

import java.util.Objects;

/**
 * Issues {@link HybridTimestamp}s for one node: each is after every timestamp this clock issued or received, and
 * close to the node's wall clock. A message that carries a timestamp must be passed to {@link #receive} so that
 * causally later events order later even when the sender's wall clock runs ahead of this node's (clock skew).
 * Mutable; owned by the node's agent thread.
 */
public final class HybridClock {
    private final Clock clock;
    private long physicalMillis;
    private int logical;

    /** @param clock supplies the wall clock */
    public HybridClock(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** @return a timestamp for a local event or a send: after everything seen so far */
    public HybridTimestamp now() {
        long wall = clock.wallClockMillis();
        if (wall > physicalMillis) {
            physicalMillis = wall;
            logical = 0;
        } else {
            logical++;
        }
        return current();
    }

    /**
     * The receive rule: the result is after both {@code remote} and everything this clock issued before.
     *
     * @param remote a timestamp carried by an arriving message
     * @return the timestamp of the receive event
     */
    public HybridTimestamp receive(HybridTimestamp remote) {
        long wall = clock.wallClockMillis();
        long newPhysical = Math.max(wall, Math.max(physicalMillis, remote.physicalMillis()));
        if (newPhysical == physicalMillis && newPhysical == remote.physicalMillis()) {
            logical = Math.max(logical, remote.logical()) + 1;
        } else if (newPhysical == physicalMillis) {
            logical++;
        } else if (newPhysical == remote.physicalMillis()) {
            logical = remote.logical() + 1;
        } else {
            logical = 0;
        }
        physicalMillis = newPhysical;
        return current();
    }

    /** @return the last timestamp issued or received, without advancing */
    public HybridTimestamp current() {
        return new HybridTimestamp(physicalMillis, logical);
    }
}
