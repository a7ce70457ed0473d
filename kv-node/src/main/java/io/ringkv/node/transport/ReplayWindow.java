package io.ringkv.node.transport;

/**
 * What one receiver saw of one sender: its latest generation, the highest sequence accepted in it, and which of the
 * {@value #SIZE} sequences below that arrived (the anti-replay window of IPsec, RFC 4303 section 3.4.3). A datagram
 * is accepted once; an older generation, a sequence seen, or one more than {@value #SIZE} below the highest is
 * refused. Aeron delivers each stream in order, so honest datagrams fall below the window only when reordered by
 * more than that many, and the protocols above already tolerate loss.
 */
final class ReplayWindow {
    static final int SIZE = Long.SIZE;
    private long generation = Long.MIN_VALUE;
    private long highest;
    /** Bit i set: sequence {@code highest - i} was accepted. */
    private long seen;

    /**
     * Accepts {@code (generation, sequence)} when it is new, and remembers it.
     *
     * @return true when new; false for a replay (or a sequence too old to tell)
     */
    boolean accept(long generation, long sequence) {
        if (generation != this.generation) {
            if (generation < this.generation) {
                return false;
            }
            // the sender restarted: its sequences begin again
            this.generation = generation;
            highest = sequence;
            seen = 1;
            return true;
        }
        if (sequence > highest) {
            long shift = sequence - highest;
            // a difference beyond Long.MAX_VALUE wraps negative: as far ahead as any
            seen = shift >= SIZE || shift < 0 ? 1 : (seen << shift) | 1;
            highest = sequence;
            return true;
        }
        long age = highest - sequence;
        if (age >= SIZE || age < 0 || (seen & (1L << age)) != 0) {
            return false;
        }
        seen |= 1L << age;
        return true;
    }
}
