package io.ringkv.benchmarks.faults;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/** The faults the harness injects, each with the range of its duration in a schedule. */
public enum FaultKind {
    /** SIGKILL one node, restart it after the duration. */
    KILL("kill", 3_000, 8_000, "kill -9 of one node, restarted after 3-8 s"),
    /** SIGSTOP one node shorter than every timeout. */
    PAUSE("pause", 1_000, 3_000, "SIGSTOP of one node for 1-3 s, then SIGCONT"),
    /** SIGSTOP one node past the failure detector's and Aeron's timeouts. */
    LONG_PAUSE("long-pause", 15_000, 20_000, "SIGSTOP of one node for 15-20 s (past DOWN and Aeron's 10 s"
        + " client timeouts), then SIGCONT"),
    /** One node cut off from every other, both ways. */
    PARTITION("partition", 5_000, 10_000, "one node cut off from the others both ways for 5-10 s"),
    /** Datagrams from one node to another dropped, the other way open. */
    ONE_WAY_PARTITION("one-way-partition", 5_000, 10_000, "datagrams from one node to another dropped for 5-10 s"),
    /** Every link drops datagrams at random. */
    LOSS("loss", 8_000, 12_000, "every node drops 20-50 % of peer datagrams for 8-12 s"),
    /** One node's wall clock moved. */
    CLOCK_SKEW("clock-skew", 8_000, 12_000, "one node's wall clock 30-120 s ahead or behind for 8-12 s"
        + " (libfaketime; monotonic time untouched)"),
    /** One node's disk full. */
    DISK_FULL("disk-full", 5_000, 10_000, "one node's data directory (a 128 MiB tmpfs) filled for 5-10 s"),
    /**
     * A fresh node (its own namespace, address and empty data directory) joins under load: it streams the ranges
     * it takes over and becomes NORMAL. The duration is the slot the schedule expects it to take; the nemesis waits
     * for the join to end and moves the rest of the schedule by the difference.
     */
    JOIN("join", 25_000, 30_000, "a fresh node joins under load and streams its ranges (killed mid-stream and"
        + " restarted in the CI schedule and in half of the others: it resumes)"),
    /** A member decommissions: streams its ranges to the new owners, hands its hints over, leaves and exits. */
    LEAVE("leave", 15_000, 20_000, "a member decommissions under load (ringkv decommission) and exits by itself;"
        + " schedules put a join before every leave, so the cluster keeps at least N members"),
    /**
     * A member is killed, removed by the operator once every other member judges it DOWN ({@code ringkv
     * removenode}), and started again on its old data a few seconds after the removal spread (the amount): it must
     * learn of its removal, drop its records and join as a new node, streaming its ranges. The duration is the slot
     * the schedule expects it to take; the nemesis waits for it to end, as for a join.
     */
    REMOVE("remove", 50_000, 60_000, "a member killed, removed by ringkv removenode once judged DOWN, and started"
        + " again on its old data 1-4 s later: it drops its records and joins as a new node (a join comes first, so"
        + " the cluster keeps at least N members)");

    private final String label;
    private final long minMillis;
    private final long maxMillis;
    private final String description;

    FaultKind(String label, long minMillis, long maxMillis, String description) {
        this.label = label;
        this.minMillis = minMillis;
        this.maxMillis = maxMillis;
        this.description = description;
    }

    /**
     * @return true for a change of the cluster's membership (join, leave, removal and return) rather than a fault
     *     healed later
     */
    public boolean changesMembership() {
        return this == JOIN || this == LEAVE || this == REMOVE;
    }

    /** @return the name used on the command line and in reports */
    public String label() {
        return label;
    }

    long minMillis() {
        return minMillis;
    }

    long maxMillis() {
        return maxMillis;
    }

    /** @return what the fault does */
    public String description() {
        return description;
    }

    /**
     * Parses a comma-separated list of labels, or {@code all}.
     *
     * @throws IllegalArgumentException naming the known kinds, and saying why delay is missing
     */
    public static Set<FaultKind> parse(String text) {
        if (text.equals("all")) {
            return EnumSet.allOf(FaultKind.class);
        }
        Set<FaultKind> kinds = EnumSet.noneOf(FaultKind.class);
        for (String label : text.toLowerCase(Locale.ROOT).split(",")) {
            String name = label.strip();
            switch (name) {
                case "delay" -> throw new IllegalArgumentException("delay needs tc netem, which this kernel does not"
                    + " offer (\"unknown qdisc\"); loss is done with iptables instead");
                default -> kinds.add(Arrays.stream(values()).filter(k -> k.label.equals(name)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("unknown fault '" + name + "'; known: all, "
                        + labels(EnumSet.allOf(FaultKind.class)))));
            }
        }
        return kinds;
    }

    /** @return the labels, comma-separated */
    public static String labels(Set<FaultKind> kinds) {
        return kinds.stream().map(FaultKind::label).collect(Collectors.joining(","));
    }

    /** @return every kind, in declaration order */
    public static List<FaultKind> all() {
        return List.of(values());
    }
}
