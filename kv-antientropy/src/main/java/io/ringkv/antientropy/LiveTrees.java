package io.ringkv.antientropy;

import io.ringkv.ring.TokenRange;
import io.ringkv.storage.RecordListener;
import io.ringkv.storage.StorageRecord;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One hash tree's leaves per token range this node replicates, kept up to date as writes land (Riak's TicTac AAE):
 * as a {@link RecordListener} of the data store's writer it XORs {@code hash(before) ^ hash(after)} ({@link KeyHash},
 * 0 for "no record") into the leaf of the written key, in O(1), so a repair session normally takes its tree from
 * here instead of scanning the range ({@link #leaves(TreeShape)}).
 *
 * <p>A range's tree is <em>ready</em> only after a rebuild ({@link #startRebuild}) built it from a token-ordered scan; a range new to
 * this node (start-up, a ring change that moved its bounds) is not, and sessions on it scan as before.
 * {@link LiveTreeRebuilder} paces the rebuilds. A rebuild is sound whatever the storage stage runs concurrently:
 * writes that land in the range while its scan runs are counted, and when any did, the scan's result is thrown away
 * and the range stays not ready (rebuilt again later), since the scan may or may not have seen them. On the node's
 * stage (one thread runs every task) and the simulator's, no write ever runs during a scan.
 *
 * <p>Threads: {@link #replaced}, {@link #leaves}, {@link #startRebuild} and {@link #heal} run on storage threads, without
 * locks (a leaf is updated by an atomic XOR; XOR commutes, so concurrent writes of one leaf land in any order);
 * {@link #ranges(Collection)} runs on the agent thread and publishes an immutable map of ranges.
 *
 * <p>Memory, bounded and fixed by the ring: {@code leaves * 8} bytes per ready range, plus about 150 bytes of objects
 * per range. At the default 1,024 leaves that is 8 KiB per range: a node holding 768 ranges (256 virtual nodes,
 * 3 replicas) keeps about 6 MiB; 8,192 leaves would be 48 MiB. A rebuild allocates one more tree (8 KiB) while it
 * runs; a session's copy of a tree is one more ({@link #memoryBytes()}).
 */
public final class LiveTrees implements RecordListener {
    private static final VarHandle LEAF = MethodHandles.arrayElementVarHandle(long[].class);
    private static final long SLOT_OVERHEAD_BYTES = 150;

    private final int leafCount;
    private final ThreadLocal<KeyHash> hashers = ThreadLocal.withInitial(KeyHash::new);
    /** The ranges, sorted by end token; replaced whole by {@link #ranges}. */
    private volatile Slots slots = new Slots(new Slot[0], new long[0], Map.of());

    /** @param leafCount the leaf setting sessions use ({@link RepairConfig#leafCount()}), so their shapes match */
    public LiveTrees(int leafCount) {
        TreeShape.of(TokenRange.wholeRing(), leafCount);
        this.leafCount = leafCount;
    }

    // ------------------------------------------------------------------ agent thread

    /**
     * Sets the ranges this node replicates. A range whose bounds are unchanged keeps its tree (and readiness); every
     * other is new and not ready; trees of ranges no longer held are dropped. Agent thread.
     *
     * @return the ranges that are not ready, in token order (to rebuild)
     */
    public List<TokenRange> ranges(Collection<TokenRange> ranges) {
        Map<TokenRange, Slot> kept = slots.byRange;
        List<Slot> next = new ArrayList<>(ranges.size());
        for (TokenRange range : ranges) {
            Slot slot = kept.get(range);
            next.add(slot != null ? slot : new Slot(TreeShape.of(range, leafCount)));
        }
        next.sort((a, b) -> Long.compare(a.shape.range().end(), b.shape.range().end()));
        Slot[] sorted = next.toArray(Slot[]::new);
        long[] ends = new long[sorted.length];
        Map<TokenRange, Slot> byRange = new HashMap<>();
        for (int i = 0; i < sorted.length; i++) {
            ends[i] = sorted[i].shape.range().end();
            byRange.put(sorted[i].shape.range(), sorted[i]);
        }
        slots = new Slots(sorted, ends, Map.copyOf(byRange));
        return notReady();
    }

    /** @return the ranges whose tree is not ready, in token order */
    public List<TokenRange> notReady() {
        List<TokenRange> ranges = new ArrayList<>();
        for (Slot slot : slots.sorted) {
            if (!(slot.state.get() instanceof Ready)) {
                ranges.add(slot.shape.range());
            }
        }
        return ranges;
    }

    /** @return every range held, in token order */
    public List<TokenRange> held() {
        List<TokenRange> ranges = new ArrayList<>();
        for (Slot slot : slots.sorted) {
            ranges.add(slot.shape.range());
        }
        return ranges;
    }

    /** @return whether {@code range}'s tree is ready, its bounds exactly these */
    public boolean ready(TokenRange range) {
        Slot slot = slots.byRange.get(range);
        return slot != null && slot.state.get() instanceof Ready;
    }

    /** @return ranges whose tree is ready */
    public int readyCount() {
        int ready = 0;
        for (Slot slot : slots.sorted) {
            if (slot.state.get() instanceof Ready) {
                ready++;
            }
        }
        return ready;
    }

    /** @return the heap the trees hold now: 8 bytes a leaf of every ready range, plus per-range objects */
    public long memoryBytes() {
        long bytes = 0;
        for (Slot slot : slots.sorted) {
            bytes += SLOT_OVERHEAD_BYTES + (slot.state.get() instanceof Ready ? (long) leafCount * Long.BYTES : 0);
        }
        return bytes;
    }

    // ------------------------------------------------------------------ storage threads

    /** Accounts for a write in its range's tree, if the range is held and its tree ready or being rebuilt. */
    @Override
    public void replaced(StorageRecord before, StorageRecord after) {
        StorageRecord any = after != null ? after : before;
        if (any == null) {
            return;
        }
        Slot slot = slots.find(any.token());
        if (slot == null) {
            return;
        }
        KeyHash hasher = hashers.get();
        long delta = (before == null ? 0 : hasher.hash(before)) ^ (after == null ? 0 : hasher.hash(after));
        slot.update(any.token(), delta);
    }

    /**
     * @return a copy of the leaf hashes of the ready tree of exactly {@code shape}, or null when there is none (the
     *     caller scans instead)
     */
    public long[] leaves(TreeShape shape) {
        Slot slot = slots.byRange.get(shape.range());
        if (slot == null || !slot.shape.equals(shape) || !(slot.state.get() instanceof Ready ready)) {
            return null;
        }
        long[] copy = new long[ready.leaves.length];
        for (int i = 0; i < copy.length; i++) {
            copy[i] = (long) LEAF.getVolatile(ready.leaves, i);
        }
        return copy;
    }

    /** What a rebuild did. */
    public enum Rebuilt {
        /** The tree is ready, built from the scan. */
        READY,
        /** Writes landed in the range while it was scanned: the scan was thrown away, the tree is not ready. */
        RACED,
        /** The range is no longer held (the ring changed): nothing to do. */
        NOT_HELD
    }

    /** A rebuild's outcome and the bytes it scanned (for pacing). */
    public record Rebuild(Rebuilt outcome, long bytesScanned) {
    }

    /**
     * Starts rebuilding {@code range}'s tree from a token-ordered scan: the caller feeds the scan's records to the
     * returned {@link RebuildScan} and then {@linkplain RebuildScan#finish() finishes} it, which makes the tree ready
     * (a ready tree is replaced by the scan's, which corrects any drift). Storage thread, one task.
     *
     * @return the scan to feed, or null when the range is no longer held (the ring changed)
     */
    public RebuildScan startRebuild(TokenRange range) {
        Slot slot = slots.byRange.get(range);
        if (slot == null) {
            return null;
        }
        Scanning scanning = new Scanning(new AtomicLong());
        slot.state.set(scanning);
        return new RebuildScan(slot, scanning, hashers.get());
    }

    /** One rebuild's scan of a range: the records it visits, in any order, then {@link #finish()}. */
    public static final class RebuildScan {
        private final Slot slot;
        private final Scanning scanning;
        private final KeyHash hasher;
        private final long[] leaves;
        private long bytes;

        private RebuildScan(Slot slot, Scanning scanning, KeyHash hasher) {
            this.slot = slot;
            this.scanning = scanning;
            this.hasher = hasher;
            this.leaves = new long[slot.shape.leaves()];
        }

        /** Adds a record the scan found (its token inside the range). */
        public void add(StorageRecord record) {
            leaves[slot.shape.leafOf(record.token())] ^= hasher.hash(record);
            bytes += record.sizeInBytes();
        }

        /**
         * Publishes the scanned tree as ready, unless a write landed in the range since the scan started (the scan
         * may have missed it): then the tree is left not ready, to be rebuilt again.
         */
        public Rebuild finish() {
            Ready ready = new Ready(leaves);
            // published before sealing: a write that finds the scan sealed finds this tree (see Slot.update)
            slot.state.set(ready);
            if (scanning.writes.compareAndSet(0, Long.MIN_VALUE)) {
                return new Rebuild(Rebuilt.READY, bytes);
            }
            slot.state.compareAndSet(ready, NotReady.INSTANCE);
            return new Rebuild(Rebuilt.RACED, bytes);
        }
    }

    /**
     * Sets a leaf of a ready tree to the hash of the keys a scan of the leaf's slice just found, when it differs
     * (a live tree that drifted: a write not reported, e.g. an engine that purged a record on its own). Storage
     * thread, in the task that scanned the slice.
     *
     * @param before the leaf's hash read just before the scan ({@link #leaf}); the leaf is set only if it still
     *     holds it, so a write that raced the scan is never overwritten
     * @param scanned the XOR of the hashes of the keys the scan found
     * @return true when the leaf was wrong and is now corrected
     */
    public boolean heal(TreeShape shape, int leaf, long before, long scanned) {
        Slot slot = slots.byRange.get(shape.range());
        if (slot == null || !slot.shape.equals(shape) || !(slot.state.get() instanceof Ready ready)
            || before == scanned) {
            return false;
        }
        return LEAF.compareAndSet(ready.leaves, leaf, before, scanned);
    }

    /**
     * @return the hash of one leaf of the ready tree of exactly {@code shape}; 0 when there is none (then
     *     {@link #heal} does nothing)
     */
    public long leaf(TreeShape shape, int leaf) {
        Slot slot = slots.byRange.get(shape.range());
        if (slot == null || !slot.shape.equals(shape) || !(slot.state.get() instanceof Ready ready)) {
            return 0;
        }
        return (long) LEAF.getVolatile(ready.leaves, leaf);
    }

    // ------------------------------------------------------------------ state

    /** The published set of ranges: immutable once published. */
    private record Slots(Slot[] sorted, long[] ends, Map<TokenRange, Slot> byRange) {
        /** @return the range holding {@code token}, or null: ranges are disjoint, so it is the first ending at or after the token, or (wrapping) the first of all */
        Slot find(long token) {
            if (sorted.length == 0) {
                return null;
            }
            int low = 0;
            int high = ends.length;
            while (low < high) {
                int middle = (low + high) >>> 1;
                if (ends[middle] < token) {
                    low = middle + 1;
                } else {
                    high = middle;
                }
            }
            Slot slot = sorted[low == ends.length ? 0 : low];
            return slot.shape.range().contains(token) ? slot : null;
        }
    }

    private sealed interface State permits NotReady, Scanning, Ready {
    }

    private enum NotReady implements State {
        INSTANCE
    }

    /** A rebuild's scan runs: writes are counted; a negative count means the scan is sealed (its tree published). */
    private record Scanning(AtomicLong writes) implements State {
    }

    private record Ready(long[] leaves) implements State {
    }

    /** One range's tree and its readiness. */
    private static final class Slot {
        final TreeShape shape;
        final AtomicReference<State> state = new AtomicReference<>(NotReady.INSTANCE);

        Slot(TreeShape shape) {
            this.shape = shape;
        }

        void update(long token, long delta) {
            State current = state.get();
            if (current instanceof Scanning scanning) {
                if (scanning.writes.getAndIncrement() >= 0) {
                    return;
                }
                // sealed: the rebuild published its tree before sealing, so this write belongs to that tree
                current = state.get();
            }
            if (current instanceof Ready ready) {
                LEAF.getAndBitwiseXor(ready.leaves, shape.leafOf(token), delta);
            }
        }
    }
}
