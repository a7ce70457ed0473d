package io.ringkv.api;

import java.util.Objects;

/**
 * Issues {@link HybridTimestamp}s for one node: each is after every timestamp this clock issued or received, and
 * close to the node's wall clock. A message that carries a timestamp must be passed to {@link #receive} so that
 * causally later events order later even when the sender's wall clock runs ahead of this node's (clock skew).
 * Mutable; owned by the node's agent thread.
 */
public final class HybridClock {
    /** How far ahead of the local wall clock a remote timestamp may be before it is refused. */
    public static final long MAX_AHEAD_MILLIS = 60_000;

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
            advanceTo(wall, 0);
        } else {
            advanceTo(physicalMillis, (long) logical + 1);
        }
        return current();
    }

    /**
     * The receive rule: the result is after both {@code remote} and everything this clock issued before.
     *
     * @param remote a timestamp carried by an arriving message
     * @return the timestamp of the receive event
     * @throws KvException with {@link ErrorCode#INVALID_ARGUMENT}, leaving the clock unchanged, when
     *     {@code remote} is more than {@link #MAX_AHEAD_MILLIS} ahead of this node's wall clock: one peer with a
     *     wild clock must not drag every clock of the cluster into the future
     */
    public HybridTimestamp receive(HybridTimestamp remote) {
        long wall = clock.wallClockMillis();
        if (remote.physicalMillis() > wall + MAX_AHEAD_MILLIS) {
            throw new KvException(ErrorCode.INVALID_ARGUMENT, "remote hybrid timestamp " + remote + " is more than "
                + MAX_AHEAD_MILLIS + " ms ahead of this node's clock (" + wall + ")");
        }
        long newPhysical = Math.max(wall, Math.max(physicalMillis, remote.physicalMillis()));
        long newLogical;
        if (newPhysical == physicalMillis && newPhysical == remote.physicalMillis()) {
            newLogical = (long) Math.max(logical, remote.logical()) + 1;
        } else if (newPhysical == physicalMillis) {
            newLogical = (long) logical + 1;
        } else if (newPhysical == remote.physicalMillis()) {
            newLogical = (long) remote.logical() + 1;
        } else {
            newLogical = 0;
        }
        advanceTo(newPhysical, newLogical);
        return current();
    }

    /**
     * The receive rule for a timestamp a message carries after the message was accepted: one more than
     * {@link #MAX_AHEAD_MILLIS} ahead of this node's wall clock leaves the clock where it is instead of throwing, so
     * the message's work goes on (a reply completes its request, a replicated write is stored).
     *
     * @param remote a timestamp carried by an arriving message
     * @return false when {@code remote} was too far ahead and the clock did not move
     */
    public boolean receiveIfPlausible(HybridTimestamp remote) {
        if (remote.physicalMillis() > clock.wallClockMillis() + MAX_AHEAD_MILLIS) {
            return false;
        }
        receive(remote);
        return true;
    }

    /**
     * Moves the clock to (physical, logical); a logical counter that would overflow moves physical time on by one
     * millisecond instead, which still orders after everything before.
     */
    private void advanceTo(long physical, long nextLogical) {
        if (nextLogical > Integer.MAX_VALUE) {
            physicalMillis = physical + 1;
            logical = 0;
        } else {
            physicalMillis = physical;
            logical = (int) nextLogical;
        }
    }

    /** @return the last timestamp issued or received, without advancing */
    public HybridTimestamp current() {
        return new HybridTimestamp(physicalMillis, logical);
    }
}
