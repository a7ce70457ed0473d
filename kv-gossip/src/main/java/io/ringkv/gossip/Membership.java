package io.ringkv.gossip;

import io.ringkv.api.NodeId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.agrona.collections.Long2ObjectHashMap;

/**
 * One node's view of the cluster's endpoint states and the scuttlebutt reconciliation over it (as Cassandra's
 * SYN / ACK / ACK2): the initiator sends {@link #digests()}; the receiver answers with {@link #newerThan} (what it
 * holds newer than the digests, or has no digest for) and {@link #wanted} (digests of what it lacks); the initiator
 * {@link #apply applies} the first and answers the second with {@link #newerThanWanted}. After a round both hold,
 * for every endpoint, the newer of their two states. An endpoint whose content the peer already has travels as a
 * heartbeat (fingerprint, generation, version) instead of a full state. Every state carries when its endpoint
 * made that version (on this node's clock), so failure detection can time heartbeats by their making rather than
 * their arrival. Single-threaded; no I/O.
 *
 * <p>States sit in slots kept in fingerprint order, so digests come out sorted without sorting and a heartbeat
 * replaces a state without touching any map; only a new or removed endpoint reorders the slots. The slots are also
 * kept in node id order, a new endpoint inserted at its place, so {@link #states()} (asked at every new endpoint, for
 * the peers file) is a copy, not a sort: a node learning a cluster of a thousand sorted a thousand states a thousand
 * times.
 */
public final class Membership {
    private final Map<NodeId, Slot> byId = new HashMap<>();
    private final Long2ObjectHashMap<Slot> byFingerprint = new Long2ObjectHashMap<>();
    private Slot[] ordered = new Slot[0];
    private boolean reorder;
    /** Every slot in node id order. */
    private final List<Slot> idOrdered = new ArrayList<>();

    /** One endpoint's place; its state is replaced in place. */
    private static final class Slot {
        EndpointState state;
        long madeAt;

        Slot(EndpointState state, long madeAt) {
            this.state = state;
            this.madeAt = madeAt;
        }
    }

    /**
     * A newer version of a state whose content the receiver has.
     *
     * @param fingerprint the endpoint's id fingerprint
     * @param generation its generation
     * @param version the newer version
     * @param stateVersion the version of the content it belongs to: only a view holding that content takes it
     * @param madeAtNanos when the endpoint made that version, on the local monotonic clock (estimated from the
     *     age relays report)
     */
    public record Heartbeat(long fingerprint, long generation, long version, long stateVersion, long madeAtNanos) {
    }

    /**
     * A full state and when its endpoint made its version.
     *
     * @param state the state
     * @param madeAtNanos when the endpoint made this version, on the local monotonic clock
     */
    public record Timed(EndpointState state, long madeAtNanos) {
    }

    /**
     * What one side holds newer than the other: heartbeats for states whose content the other side has, full
     * states for the rest.
     *
     * @param heartbeats newer versions of known content
     * @param states full states
     */
    public record Delta(List<Heartbeat> heartbeats, List<Timed> states) {
        /** @return true when there is nothing to send */
        public boolean isEmpty() {
            return heartbeats.isEmpty() && states.isEmpty();
        }
    }

    /**
     * A state this view took, with the one it replaced.
     *
     * @param previous the replaced state, or null for an endpoint new to this view
     * @param current the state now held
     */
    public record Applied(EndpointState previous, EndpointState current, long madeAtNanos) {
        /** @return true when the endpoint is new here or restarted (another generation) */
        public boolean isNewGeneration() {
            return previous == null || previous.generation() != current.generation();
        }

        /** @return true when anything but the heartbeat changed */
        public boolean isContentChange() {
            return isNewGeneration() || previous.stateVersion() != current.stateVersion();
        }
    }

    /** @return the state known for {@code node} */
    public Optional<EndpointState> state(NodeId node) {
        Slot slot = byId.get(node);
        return slot == null ? Optional.empty() : Optional.of(slot.state);
    }

    /** @return when {@code node} made the version known here, on the local clock, or {@link Long#MIN_VALUE} */
    public long madeAt(NodeId node) {
        Slot slot = byId.get(node);
        return slot == null ? Long.MIN_VALUE : slot.madeAt;
    }

    /** @return the state whose id has {@code fingerprint}, or null */
    public EndpointState byFingerprint(long fingerprint) {
        Slot slot = byFingerprint.get(fingerprint);
        return slot == null ? null : slot.state;
    }

    /** @return every known state, ordered by node id */
    public List<EndpointState> states() {
        List<EndpointState> all = new ArrayList<>(idOrdered.size());
        for (Slot slot : idOrdered) {
            all.add(slot.state);
        }
        return all;
    }

    /** Visits every known state in fingerprint order (the same order on every run). */
    public void forEach(Consumer<EndpointState> visitor) {
        for (Slot slot : ordered()) {
            visitor.accept(slot.state);
        }
    }

    /** @return how many endpoints are known */
    public int size() {
        return byId.size();
    }

    /** @return one digest per known endpoint, ordered by fingerprint (the order Syns are split in) */
    public List<Digest> digests() {
        Slot[] slots = ordered();
        List<Digest> digests = new ArrayList<>(slots.length);
        for (Slot slot : slots) {
            digests.add(Digest.of(slot.state));
        }
        return digests;
    }

    /**
     * @param remote the digests a peer sent for fingerprints in [{@code rangeStart}, {@code rangeEnd}]
     * @return what is held here newer than those digests, or for endpoints in the range the peer has no digest for
     */
    public Delta newerThan(List<Digest> remote, long rangeStart, long rangeEnd) {
        Long2ObjectHashMap<Digest> theirs = new Long2ObjectHashMap<>(Math.max(8, remote.size() * 2), 0.65f);
        for (Digest digest : remote) {
            theirs.put(digest.fingerprint(), digest);
        }
        List<Heartbeat> heartbeats = new ArrayList<>();
        List<Timed> states = new ArrayList<>();
        Slot[] slots = ordered();
        for (int i = firstAtOrAfter(slots, rangeStart); i < slots.length; i++) {
            Slot slot = slots[i];
            if (slot.state.fingerprint() > rangeEnd) {
                break;
            }
            Digest digest = theirs.get(slot.state.fingerprint());
            if (digest == null) {
                states.add(new Timed(slot.state, slot.madeAt));
            } else {
                addIfNewer(slot, digest, heartbeats, states);
            }
        }
        return new Delta(heartbeats, states);
    }

    private static int firstAtOrAfter(Slot[] slots, long fingerprint) {
        int low = 0;
        int high = slots.length;
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (slots[mid].state.fingerprint() < fingerprint) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low;
    }

    /**
     * @param wanted digests a peer asked with (from {@link #wanted}), as the peer knows those endpoints
     * @return what is held here newer than each of them
     */
    public Delta newerThanWanted(List<Digest> wanted) {
        List<Heartbeat> heartbeats = new ArrayList<>();
        List<Timed> states = new ArrayList<>();
        for (Digest digest : wanted) {
            Slot slot = byFingerprint.get(digest.fingerprint());
            if (slot != null) {
                addIfNewer(slot, digest, heartbeats, states);
            }
        }
        return new Delta(heartbeats, states);
    }

    private static void addIfNewer(Slot slot, Digest theirs, List<Heartbeat> heartbeats, List<Timed> states) {
        EndpointState mine = slot.state;
        if (!mine.isNewerThan(theirs.generation(), theirs.version())) {
            return;
        }
        if (mine.contentKnownAt(theirs.generation(), theirs.version())) {
            heartbeats.add(new Heartbeat(mine.fingerprint(), mine.generation(), mine.version(), mine.stateVersion(),
                slot.madeAt));
        } else {
            states.add(new Timed(mine, slot.madeAt));
        }
    }

    /**
     * @param remote the digests a peer sent
     * @return digests, as known here, of the endpoints for which the peer holds something newer: what to ask for
     */
    public List<Digest> wanted(List<Digest> remote) {
        List<Digest> wanted = new ArrayList<>();
        for (Digest theirs : remote) {
            Slot slot = byFingerprint.get(theirs.fingerprint());
            if (slot == null) {
                wanted.add(Digest.nothingKnown(theirs.fingerprint()));
                continue;
            }
            EndpointState mine = slot.state;
            if (theirs.generation() != mine.generation() ? theirs.generation() > mine.generation()
                : theirs.version() > mine.version()) {
                wanted.add(Digest.of(mine));
            }
        }
        return wanted;
    }

    /**
     * Keeps each incoming state that is newer than what is known here.
     *
     * @return what this view took
     */
    public List<Applied> apply(Collection<Timed> incoming) {
        List<Applied> applied = new ArrayList<>();
        for (Timed timed : incoming) {
            EndpointState state = timed.state();
            Slot slot = byId.get(state.id());
            EndpointState mine = slot == null ? null : slot.state;
            if (mine == null || state.isNewerThan(mine.generation(), mine.version())) {
                put(state, timed.madeAtNanos());
                applied.add(new Applied(mine, state, timed.madeAtNanos()));
            }
        }
        return applied;
    }

    /**
     * Takes a heartbeat: a newer version of a state whose content is known here.
     *
     * @return what this view took, or null when the heartbeat is not newer, of another generation or content,
     *     beyond the state's {@link EndpointState#versionLimit() version limit}, or of an endpoint unknown here (the
     *     full state will come when asked for)
     */
    public Applied applyHeartbeat(Heartbeat heartbeat) {
        Slot slot = byFingerprint.get(heartbeat.fingerprint());
        if (slot == null) {
            return null;
        }
        EndpointState mine = slot.state;
        if (mine.generation() != heartbeat.generation() || heartbeat.version() <= mine.version()
            || heartbeat.version() >= mine.versionLimit() || mine.stateVersion() != heartbeat.stateVersion()) {
            return null;
        }
        slot.state = mine.withVersion(heartbeat.version());
        slot.madeAt = heartbeat.madeAtNanos();
        return new Applied(mine, slot.state, slot.madeAt);
    }

    /**
     * Sets a state, newer or not: for the node's own state and for operator changes.
     *
     * @param madeAtNanos when the state was made, on the local monotonic clock
     */
    public void put(EndpointState state, long madeAtNanos) {
        Slot slot = byId.get(state.id());
        if (slot != null) {
            slot.state = state;
            slot.madeAt = madeAtNanos;
            return;
        }
        slot = new Slot(state, madeAtNanos);
        byId.put(state.id(), slot);
        byFingerprint.put(state.fingerprint(), slot);
        idOrdered.add(-idPlace(state.id()) - 1, slot);
        reorder = true;
    }

    /** Forgets {@code node} entirely (after its quarantine). */
    public void remove(NodeId node) {
        Slot removed = byId.remove(node);
        if (removed != null) {
            byFingerprint.remove(removed.state.fingerprint());
            idOrdered.remove(idPlace(node));
            reorder = true;
        }
    }

    /** @return the index of {@code node}'s slot in {@link #idOrdered}, else (-(insertion point) - 1) */
    private int idPlace(NodeId node) {
        int low = 0;
        int high = idOrdered.size() - 1;
        while (low <= high) {
            int middle = (low + high) >>> 1;
            int order = idOrdered.get(middle).state.id().compareTo(node);
            if (order < 0) {
                low = middle + 1;
            } else if (order > 0) {
                high = middle - 1;
            } else {
                return middle;
            }
        }
        return -low - 1;
    }

    private Slot[] ordered() {
        if (reorder) {
            Slot[] slots = byId.values().toArray(Slot[]::new);
            Arrays.sort(slots, Comparator.comparingLong(slot -> slot.state.fingerprint()));
            ordered = slots;
            reorder = false;
        }
        return ordered;
    }
}
