package io.ringkv.antientropy;

import io.ringkv.api.NodeId;
import io.ringkv.ring.PreferenceList;
import io.ringkv.ring.Ring;
import io.ringkv.ring.TokenRange;
import io.ringkv.storage.PurgeGate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * When each token range this node replicates was last repaired against every other replica of it, and so which
 * tombstones compaction may drop (the {@link PurgeGate} of the node's data store).
 *
 * <p>The rule: a tombstone this node wrote at time {@code t} may be purged only when a repair pass of this node
 * began after {@code t} and completed a session with every other replica of the tombstone's range. Such a pass sent
 * the tombstone (or a newer version) to every replica that listed anything of its key, so none of them still holds
 * only the value it deleted, and no later repair or read repair can bring the key back. (A replica whose listing of
 * the leaf held nothing of the key is not sent a tombstone already past the grace, which it would not take: a value
 * of the key that reached it after its listing, from a replica that missed the delete and was not repaired yet, is
 * not deleted by this pass; the same held when such a value arrived after the tombstone was refused.) Each node gates
 * only its own tombstones with its own passes.
 * A range with no other replica is covered only on a node that is alone for good (see
 * {@link #RepairHistory(boolean)}); a range whose bounds or replicas changed is not covered until a pass covers it
 * again, and no tombstone goes while the ring moves (see {@link #ringChanged(List, boolean)}). The history lives in
 * memory: after a restart, purges wait for the node's next full pass (at most a repair period), which delays space
 * reclamation. Hints older than the grace are never delivered (see the replication's
 * hinted handoff), so a late hint of a deleted value cannot undo a purge either.
 *
 * <p>Written by the agent thread ({@link #ringChanged}, {@link #covered}); read by compaction threads through an
 * immutable snapshot behind a volatile field.
 */
public final class RepairHistory implements PurgeGate {
    /** A range this node replicates and the other replicas it shares it with. */
    public record Shared(TokenRange range, Set<NodeId> peers) {
        /** Copies {@code peers}. */
        public Shared {
            peers = Set.copyOf(peers);
        }

        /** @return the ranges of {@code ring} that {@code self} replicates, in token order, with their other replicas */
        public static List<Shared> of(Ring ring, NodeId self) {
            List<Shared> shared = new ArrayList<>();
            for (TokenRange range : ring.ranges()) {
                PreferenceList replicas = ring.preferenceList(range.end());
                if (!replicas.contains(self)) {
                    continue;
                }
                Set<NodeId> peers = new HashSet<>();
                for (int i = 0; i < replicas.size(); i++) {
                    peers.add(replicas.get(i).id());
                }
                peers.remove(self);
                shared.add(new Shared(range, peers));
            }
            return shared;
        }
    }

    /** Ranges sorted by end token, each with the wall-clock start of the last pass that covered it. */
    private record Snapshot(List<Shared> ranges, long[] ends, long[] coveredSince, boolean moving) {
        int indexOf(long token) {
            if (ends.length == 0) {
                return -1;
            }
            int found = Arrays.binarySearch(ends, token);
            int index = found >= 0 ? found : -found - 1;
            if (index == ends.length) {
                index = 0;
            }
            return ranges.get(index).range().contains(token) ? index : -1;
        }
    }

    private volatile Snapshot snapshot = new Snapshot(List.of(), new long[0], new long[0], false);
    private final boolean alone;

    /**
     * @param alone this node is the whole cluster for good (no seeds) or keeps one copy of each key (N=1): a range
     *     with no other replica then needs no repair. Otherwise such a range (a ring still being learned, or shown
     *     too small) is never covered: its tombstones wait for a pass against the other replicas
     */
    public RepairHistory(boolean alone) {
        this.alone = alone;
    }

    /**
     * Takes the ranges this node replicates on a new ring. A range kept with the same bounds and the same peers keeps
     * its covered time; any other starts uncovered, and one with no peer is covered for good on a node alone.
     *
     * @param ranges the ranges of the new ring this node replicates; they do not overlap
     */
    public void ringChanged(List<Shared> ranges) {
        ringChanged(ranges, false);
    }

    /**
     * As {@link #ringChanged(List)}, and says whether the ring is moving: nodes joining (pending tokens) or leaving
     * (LEAVING), whose ranges pass to replicas that are not in the ranges' peers yet. A pending replica takes writes
     * only while it is alive, with no hint, so it can miss a delete, and the passes run with the current peers only:
     * no tombstone is purged while the ring moves (it would leave a pending replica's copy of the deleted value to
     * come back once it serves). The same holds while a node keeps records of ranges a move took from it (see
     * {@link RepairScheduler#holdPurgesWhile}). Coverage itself is kept; purges resume when the move ends.
     */
    public void ringChanged(List<Shared> ranges, boolean moving) {
        Snapshot before = snapshot;
        Map<Shared, Long> kept = new HashMap<>();
        for (int i = 0; i < before.ranges().size(); i++) {
            kept.put(before.ranges().get(i), before.coveredSince()[i]);
        }
        List<Shared> sorted = new ArrayList<>(ranges);
        sorted.sort(Comparator.comparingLong(shared -> shared.range().end()));
        long[] ends = new long[sorted.size()];
        long[] since = new long[sorted.size()];
        for (int i = 0; i < sorted.size(); i++) {
            Shared shared = sorted.get(i);
            ends[i] = shared.range().end();
            if (shared.peers().isEmpty()) {
                since[i] = alone ? Long.MAX_VALUE : Long.MIN_VALUE;
            } else {
                since[i] = kept.getOrDefault(shared, Long.MIN_VALUE);
            }
        }
        snapshot = new Snapshot(List.copyOf(sorted), ends, since, moving);
    }

    /**
     * Holds every purge, or lets them go, keeping the ranges and their coverage: the ring is unchanged, only whether
     * it moves or a node holds leftovers changed (see {@link #ringChanged(List, boolean)}).
     */
    public void holdPurges(boolean held) {
        Snapshot current = snapshot;
        if (current.moving() != held) {
            snapshot = new Snapshot(current.ranges(), current.ends(), current.coveredSince(), held);
        }
    }

    /** @return whether every purge is held now: the ring moves, or a node holds leftovers (any thread) */
    public boolean purgesHeld() {
        return snapshot.moving();
    }

    /**
     * Records that a pass which began at {@code passStartMillis} completed a session with every peer of
     * {@code shared}. Ignored when the ring changed meanwhile (the range or its peers are no longer the same).
     */
    public void covered(Shared shared, long passStartMillis) {
        Snapshot current = snapshot;
        int index = current.ranges().indexOf(shared);
        if (index < 0 || current.coveredSince()[index] >= passStartMillis) {
            return;
        }
        long[] since = current.coveredSince().clone();
        since[index] = passStartMillis;
        snapshot = new Snapshot(current.ranges(), current.ends(), since, current.moving());
    }

    /** @return how many ranges this node replicates are covered by a completed repair (or need none) */
    public int coveredRanges() {
        int covered = 0;
        for (long since : snapshot.coveredSince()) {
            if (since != Long.MIN_VALUE) {
                covered++;
            }
        }
        return covered;
    }

    /** @return how many ranges this node replicates */
    public int ranges() {
        return snapshot.ranges().size();
    }

    @Override
    public boolean mayPurge(long token, long writeMillis) {
        Snapshot current = snapshot;
        int index = current.indexOf(token);
        return !current.moving() && index >= 0 && writeMillis < current.coveredSince()[index];
    }
}
