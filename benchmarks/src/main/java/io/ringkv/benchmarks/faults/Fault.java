package io.ringkv.benchmarks.faults;

import java.util.List;

/**
 * One fault of a schedule.
 *
 * @param kind what it is
 * @param nodes the nodes it acts on (1-based): the node killed, paused, skewed, filled or cut off, the fresh node
 *     that joins, the member that leaves or is removed; for a one-way partition the sender then the receiver; empty
 *     for loss on every link (every member's)
 * @param startMillis when it starts, after the workload started
 * @param durationMillis how long until it is healed; for a join, leave or removal, the slot the schedule expects it
 *     to take
 * @param amount the clock skew in seconds, or the loss in percent; for a join 1 when the joiner is killed
 *     mid-stream and restarted; for a removal the seconds between the removal having spread and the removed node's
 *     start on its old data; 0 otherwise
 */
public record Fault(FaultKind kind, List<Integer> nodes, long startMillis, long durationMillis, long amount) {
    /** Copies the node list. */
    public Fault {
        nodes = List.copyOf(nodes);
    }

    /** @return when it is healed, after the workload started */
    public long endMillis() {
        return startMillis + durationMillis;
    }

    /** @return e.g. {@code long-pause node2 for 17.2 s} */
    public String describe() {
        String what = switch (kind) {
            case ONE_WAY_PARTITION -> "node" + nodes.get(0) + " -> node" + nodes.get(1);
            case LOSS -> amount + " % on every link";
            case CLOCK_SKEW -> "node" + nodes.get(0) + " " + (amount >= 0 ? "+" : "") + amount + " s";
            case JOIN -> "node" + nodes.get(0) + (amount == 1 ? " (killed mid-stream, restarted)" : "");
            case REMOVE -> "node" + nodes.get(0) + " (started again on its data " + amount + " s after the removal)";
            default -> "node" + nodes.get(0);
        };
        return String.format("%s %s %s %.1f s", kind.label(), what, kind.changesMembership() ? "in a slot of" : "for",
            durationMillis / 1000.0);
    }
}
