package io.ringkv.benchmarks.faults;

import java.util.ArrayList;
import java.util.List;

/**
 * A spell during which one node was silent to every peer, both ways: killed, paused or cut off. Only these faults
 * let the checker say that every other node's failure detector judged the node DOWN once the silence had lasted
 * {@code down-after} (the fixed detector's DOWN is "no news of the node's heartbeat for down-after", and with the
 * node silent to all no peer can relay news of it), so that a write coordinated elsewhere then wrote a durable hint
 * for it before it was acknowledged.
 *
 * <p>Not absences: a one-way partition (the gossip of the third node still carries the cut-off sender's heartbeat,
 * so nobody judges it DOWN, and its replies are what is lost, not the writes it receives), datagram loss, clock
 * skew and a full disk (the node keeps gossiping). A short pause counts, but it never lasts down-after, so no write
 * falls inside it.
 *
 * @param node the absent node (1-based)
 * @param fromNanos monotonic time the fault was applied
 * @param untilNanos monotonic time it was healed
 * @param fault what the fault was, for a report
 */
public record Absence(int node, long fromNanos, long untilNanos, String fault) {
    /** @return true when {@code kind} silences its node to every peer both ways */
    public static boolean silences(FaultKind kind) {
        return switch (kind) {
            case KILL, PAUSE, LONG_PAUSE, PARTITION -> true;
            // a join's kill of the joiner mid-stream lasts 3 s, far below down-after; a leaver is gone for good; a
            // removed node drops what it held and comes back as a new node, so no write of its absence is owed it
            case ONE_WAY_PARTITION, LOSS, CLOCK_SKEW, DISK_FULL, JOIN, LEAVE, REMOVE -> false;
        };
    }

    /** @return the absences among the faults as they happened (faults never healed last until {@code endNanos}) */
    static List<Absence> of(List<Nemesis.Applied> applied, long endNanos) {
        List<Absence> absences = new ArrayList<>();
        for (Nemesis.Applied fault : applied) {
            if (silences(fault.fault().kind())) {
                absences.add(new Absence(fault.fault().nodes().getFirst(), fault.startedNanos(),
                    fault.healedNanos() == 0 ? endNanos : fault.healedNanos(), fault.fault().describe()));
            }
        }
        return absences;
    }

    /**
     * @param judgedDownNanos how long after the fault began every peer surely judged the node DOWN
     * @return true when {@code write} started after the node was judged DOWN and was acknowledged before the
     *     fault ended: its coordinator was another node that held a durable hint for this one when it answered
     */
    public boolean covers(Op write, long judgedDownNanos) {
        return write.startNanos() >= fromNanos + judgedDownNanos && write.endNanos() < untilNanos;
    }
}
