package io.ringkv.gossip;

import io.ringkv.api.NodeId;
import io.ringkv.ring.Ring;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Records a move left behind, and who holds them. A join or leave takes ranges from nodes that keep their records
 * until an operator's cleanup drops them (see {@code ringkv cleanup}: the old copies are what lets a join be
 * undone). Should such a range come back to its old holder (the joiner leaves again, a leaver's concurrent joiner
 * never finishes), the holder serves those records again, and a delete whose tombstone was purged meanwhile no
 * longer covers them: the deleted value comes back. So a node that loses ranges announces {@value #STATE}{@code =1}
 * in gossip from the first ring that shows the loss (the future ring, while the move still holds every purge) until
 * a cleanup on a settled ring drops them, and every node holds its tombstone purges while any member announces it.
 * The mark is kept across restarts by the {@code store} given.
 *
 * <p>With more than one node moving at once, joiners and leavers also stream the ranges a node would replicate
 * should only some of the moves finish, which neither ring shows: every node whose ranges the moves change is then
 * marked. I/O-free; agent thread only.
 */
public final class Leftovers {
    /** The application state a node announces while it holds leftovers: {@code 1}, else {@code 0}. */
    public static final String STATE = "leftovers";

    private final Gossiper gossiper;
    private final NodeId self;
    private final Consumer<Boolean> store;
    private final Consumer<String> events;
    private boolean held;
    private Ring lastCurrent;
    private Ring lastFuture;

    /**
     * Announces the stored mark at once.
     *
     * @param stored whether the previous run held leftovers (its mark as stored)
     * @param store keeps the mark across restarts; called on every change, must not block (hand the write to
     *     another thread)
     * @param events receives a line when the mark is set or cleared
     */
    public Leftovers(Gossiper gossiper, boolean stored, Consumer<Boolean> store, Consumer<String> events) {
        this.gossiper = Objects.requireNonNull(gossiper, "gossiper");
        this.self = gossiper.self().id();
        this.store = Objects.requireNonNull(store, "store");
        this.events = Objects.requireNonNull(events, "events");
        this.held = stored;
        gossiper.announceApplicationState(STATE, stored ? "1" : "0");
    }

    /** @return whether this node holds records of ranges a move took from it */
    public boolean held() {
        return held;
    }

    /**
     * The rings changed: marks this node when they take a range from it (what it replicated in the last rings or
     * replicates now, which the future ring does not give it), or when more than one node moves and its ranges
     * change.
     */
    public void ringChanged(Ring current, Ring future) {
        Ring[] before = lastCurrent == null ? new Ring[] {current} : new Ring[] {lastCurrent, lastFuture, current};
        lastCurrent = current;
        lastFuture = future;
        if (held) {
            return;
        }
        String why = null;
        if (Ring.losesRanges(self, future, before)) {
            why = "a join or leave takes ranges from this node";
        } else if (movers(current, future) > 1
            && (Ring.losesRanges(self, current, future) || Ring.losesRanges(self, future, current))) {
            why = "several nodes join or leave at once, and this node may receive ranges only some of the moves give"
                + " it";
        }
        if (why != null && !future.contains(self)) {
            mark(true, "this node holds records of ranges it no longer replicates (it leaves the ring, or hands its"
                + " ranges over): every node keeps its tombstones until it has left, or a cleanup on it drops them");
        } else if (why != null) {
            mark(true, "this node holds records of ranges it may no longer replicate (" + why + "): every node keeps"
                + " its tombstones until a cleanup on this one drops them (ringkv cleanup, once the ring has"
                + " settled)");
        }
    }

    /**
     * A cleanup against {@code cleaned} finished, with the ring unchanged while it ran: it dropped every record this
     * node does not replicate there. Clears the mark unless the ring has moved since.
     *
     * @return whether the mark was cleared
     */
    public boolean cleaned(Ring cleaned, Ring current, Ring future) {
        if (!held || !cleaned.equals(current) || !current.equals(future)) {
            return false;
        }
        mark(false, "this node no longer holds records of ranges it does not replicate (a cleanup dropped them)");
        return true;
    }

    /**
     * @return the nodes whose latest state announces leftovers (this one included), in id order; a node that left
     *     is not counted (a node restarted after it left drops its data before it joins again)
     */
    public List<NodeId> holders() {
        List<NodeId> holders = new ArrayList<>();
        for (EndpointState state : gossiper.states()) {
            if (state.status() != NodeStatus.LEFT && "1".equals(state.applicationState().get(STATE))) {
                holders.add(state.id());
            }
        }
        return holders;
    }

    /** @return whether the change of a node's state changed what it announces of leftovers */
    public static boolean changed(EndpointState previous, EndpointState current) {
        String before = previous == null ? null : previous.applicationState().get(STATE);
        String now = current.applicationState().get(STATE);
        return !Objects.equals(before, now) || previous != null && previous.status() != current.status();
    }

    private void mark(boolean value, String event) {
        held = value;
        gossiper.announceApplicationState(STATE, value ? "1" : "0");
        store.accept(value);
        events.accept(event);
    }

    /**
     * @return how many moves the two rings differ by: a node on one ring only, or on both with other tokens; a
     *     replacement (a node off the future ring whose tokens a node new to it takes, all of them) counts once
     */
    private static int movers(Ring current, Ring future) {
        int count = 0;
        List<long[]> gone = new ArrayList<>();
        for (io.ringkv.api.Node node : current.nodes()) {
            if (!future.contains(node.id())) {
                gone.add(current.tokensOf(node.id()));
                count++;
            } else if (!java.util.Arrays.equals(current.tokensOf(node.id()), future.tokensOf(node.id()))) {
                count++;
            }
        }
        for (io.ringkv.api.Node node : future.nodes()) {
            if (!current.contains(node.id())) {
                long[] tokens = future.tokensOf(node.id());
                boolean replaces = gone.stream().anyMatch(old -> java.util.Arrays.equals(old, tokens));
                count += replaces ? 0 : 1;
            }
        }
        return count;
    }
}
