package io.ringkv.ring;

import io.ringkv.api.NodeId;
import java.util.Objects;

/**
 * One token range whose data must be copied from one node to another when the ring changes.
 *
 * @param range the tokens to copy
 * @param from the node that streams the data (it held a replica before the change)
 * @param to the node that receives it (it holds a replica after the change)
 */
public record RangeTransfer(TokenRange range, NodeId from, NodeId to) {
    /** Rejects missing fields. */
    public RangeTransfer {
        Objects.requireNonNull(range, "range");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
    }

    /** @return the share of the ring this transfer copies */
    public double fraction() {
        return range.fraction();
    }
}
