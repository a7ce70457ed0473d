package io.ringkv.gossip;

import io.ringkv.api.NodeId;
import io.ringkv.ring.Ring;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Records a move left behind, and who may hold them. A join or leave takes ranges from nodes that keep their
 * records until an operator's cleanup drops them (see {@code ringkv cleanup}: the old copies are what lets a join be
 * undone). Should such a range come back to its old holder (the joiner leaves again, a leaver's concurrent joiner
 * never finishes), the holder serves those records again, and a delete whose tombstone was purged meanwhile no
 * longer covers them: the deleted value comes back. So every node holds its tombstone purges while any member may
 * hold such records, and this class says who may.
 *
 * <p>Each node judges every ring it comes to hold and announces, in gossip, {@value #STATE}{@code =M,F}: M is
 * {@code 1} while it holds leftovers, F the {@link Ring#fingerprint} of the ring it judged last. It marks itself from
 * the first ring that takes a range from it (the future ring, while the move still holds every purge) until a
 * cleanup on a settled ring drops them; with more than one node moving at once, joiners and leavers also stream the
 * ranges a node would replicate should only some of the moves finish, which neither ring shows, so every node whose
 * ranges the moves change is marked. A member counts as a holder while it announces {@code 1}, and also while it has
 * not judged the ring this node holds (a member that was down, or is slow to hear, when a move took ranges from it
 * has not marked itself yet), or announces nothing this node can read. The mark is kept across restarts by the
 * {@code store} given. I/O-free; agent thread only.
 */
public final class Leftovers {
    /** The application state each node announces: {@code M,F} (see the class comment). */
    public static final String STATE = "leftovers";

    private final Gossiper gossiper;
    private final NodeId self;
    private final Consumer<Boolean> store;
    private final Consumer<String> events;
    private boolean held;
    private Ring lastCurrent;
    private Ring lastFuture;
    /** Ring changes judged so far: a cleanup clears the mark only when none came since it started. */
    private long epoch;

    /**
     * Announces the stored mark at once (with no ring judged yet).
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
        announce(null);
    }

    /** @return whether this node holds records of ranges a move took from it */
    public boolean held() {
        return held;
    }

    /** @return the ring changes judged so far; pass it to {@link #cleaned} for a cleanup started now */
    public long epoch() {
        return epoch;
    }

    /**
     * Marks this node when the rings take a range from it (what it replicated in the last rings or replicates now,
     * which the future ring does not give it), or when more than one node moves and its ranges change; announces
     * that it judged {@code current}.
     */
    public void ringChanged(Ring current, Ring future) {
        Ring[] before = lastCurrent == null ? new Ring[] {current} : new Ring[] {lastCurrent, lastFuture, current};
        lastCurrent = current;
        lastFuture = future;
        epoch++;
        if (!held) {
            if (Ring.losesRanges(self, future, before)) {
                held = true;
                store.accept(true);
                events.accept(future.contains(self)
                    ? "this node holds records of ranges a join or leave takes from it: every node keeps its"
                        + " tombstones until a cleanup on this one drops them (ringkv cleanup, once the ring has"
                        + " settled)"
                    : "this node holds records of ranges it no longer replicates (it leaves the ring, or hands its"
                        + " ranges over): every node keeps its tombstones until it has left, or a cleanup on it drops"
                        + " them");
            } else if (movers(current, future) > 1
                && (Ring.losesRanges(self, current, future) || Ring.losesRanges(self, future, current))) {
                held = true;
                store.accept(true);
                events.accept("several nodes join or leave at once, and this node may receive ranges only some of"
                    + " the moves give it: every node keeps its tombstones until a cleanup on this one (ringkv"
                    + " cleanup, once the ring has settled)");
            }
        }
        announce(current);
    }

    /**
     * A cleanup started at {@code startEpoch} against {@code cleaned} finished without failing: it dropped every
     * record this node does not replicate there. Clears the mark when the rings have not changed since it started
     * and are settled on that ring.
     *
     * @return whether the mark was cleared
     */
    public boolean cleaned(Ring cleaned, long startEpoch, Ring current, Ring future) {
        if (!held || startEpoch != epoch || !cleaned.equals(current) || !current.equals(future)) {
            return false;
        }
        held = false;
        store.accept(false);
        events.accept("this node no longer holds records of ranges it does not replicate (a cleanup dropped them)");
        announce(current);
        return true;
    }

    /**
     * Every record of this node was dropped (it was removed from the cluster while it was down, and joins as a new
     * node): it holds no records of ranges it does not replicate.
     */
    public void droppedEverything() {
        if (held) {
            held = false;
            store.accept(false);
            events.accept("this node no longer holds records of ranges it does not replicate (it dropped every"
                + " record)");
        }
        announce(lastCurrent);
    }

    /**
     * @return the nodes that may hold leftovers, this one included, in id order: those that announce them, and
     *     those that have not judged {@code current} (or announce nothing readable). A node that left (LEFT:
     *     decommissioned, or removed by an operator) is not counted: started again on its data, it drops its records
     *     before it joins anew (at its start when it decommissioned; once the cluster told it of its removal, see
     *     {@link NodeLifecycle}, when it was removed).
     */
    public List<NodeId> holders(Ring current) {
        String judged = Long.toHexString(current.fingerprint());
        List<NodeId> holders = new ArrayList<>();
        for (EndpointState state : gossiper.states()) {
            if (state.status() == NodeStatus.LEFT) {
                continue;
            }
            String value = state.applicationState().get(STATE);
            int comma = value == null ? -1 : value.indexOf(',');
            if (comma < 0 || !value.startsWith("0,") || !value.substring(comma + 1).equals(judged)) {
                holders.add(state.id());
            }
        }
        return holders;
    }

    /** @return whether the change of a node's state may change who holds leftovers */
    public static boolean changed(EndpointState previous, EndpointState current) {
        String before = previous == null ? null : previous.applicationState().get(STATE);
        return !Objects.equals(before, current.applicationState().get(STATE))
            || previous != null && previous.status() != current.status();
    }

    private void announce(Ring judged) {
        gossiper.announceApplicationState(STATE, (held ? "1," : "0,")
            + (judged == null ? "-" : Long.toHexString(judged.fingerprint())));
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
            } else if (!Arrays.equals(current.tokensOf(node.id()), future.tokensOf(node.id()))) {
                count++;
            }
        }
        for (io.ringkv.api.Node node : future.nodes()) {
            if (!current.contains(node.id())) {
                long[] tokens = future.tokensOf(node.id());
                count += gone.stream().anyMatch(old -> Arrays.equals(old, tokens)) ? 0 : 1;
            }
        }
        return count;
    }
}
