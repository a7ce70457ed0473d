package io.ringkv.benchmarks.availability;

/**
 * One node down from {@code downAt} until {@code upAt} (virtual seconds).
 *
 * @param node the node's index on the ring
 * @param downAt when it fails
 * @param upAt when it is back, after {@code downAt}
 */
public record Outage(int node, double downAt, double upAt) {
    /** @throws IllegalArgumentException when the outage ends before it starts */
    public Outage {
        if (!(upAt >= downAt)) {
            throw new IllegalArgumentException("outage of node " + node + " ends at " + upAt + " before " + downAt);
        }
    }
}
