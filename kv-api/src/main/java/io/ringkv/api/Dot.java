package io.ringkv.api;

import java.util.Objects;

/**
 * The identity of one write: the replica that coordinated it and that replica's counter for the key. A replica
 * issues a key's dots in increasing order and never issues one twice (see {@link Version}), so two versions with the
 * same dot are the same write.
 *
 * @param node the replica that coordinated the write
 * @param counter that replica's counter for the key, 1 and up
 */
public record Dot(NodeId node, long counter) {
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
