package io.ringkv.api;

import java.util.Objects;

/**
 * The identity of one write: the replica that coordinated it and that replica's counter for the key. A node issues a
 * key's dots in increasing order and never issues one twice, across its restarts and whatever it lost of the key's
 * stored state (see {@link Version}), so two versions with the same dot are the same write.
 *
 * @param node the replica that coordinated the write
 * @param counter that replica's counter for the key, 1 and up
 */
public record Dot(NodeId node, long counter) {
    /**
     * The highest counter a client's causal context may carry for a key whose copy at the coordinating replica does
     * not hold it (2^62). No node issues a counter near it: a node's counters start at its generation (epoch
     * seconds) times 2^24, about 2^55 today. A key a context at the bound was written to goes on above it, one dot at
     * a time, read back and written again as any key; a larger counter its copy does not hold is refused as forged.
     * That leaves such a key 2^62 more dots, so a counter never overflows.
     */
    public static final long MAX_COUNTER = 1L << 62;

    /** @throws KvException with {@link ErrorCode#INVALID_ARGUMENT} when {@code counter < 1} */
    public Dot {
        Objects.requireNonNull(node, "node");
        if (counter < 1) {
            throw new KvException(ErrorCode.INVALID_ARGUMENT, "a dot's counter must be at least 1, was " + counter);
        }
    }

    @Override
    public String toString() {
        return node + ":" + counter;
    }
}
