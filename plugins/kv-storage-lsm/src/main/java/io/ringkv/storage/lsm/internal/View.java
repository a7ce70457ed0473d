package io.ringkv.storage.lsm.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An immutable picture of where the engine's data lies: the active memtable, the frozen memtables waiting to
 * flush (newest first) and the SSTables (newest first; their sequence ranges never overlap). Readers acquire the
 * current view and read from it without locks; a view retains its tables until the last reader releases it.
 */
final class View {
    private final Memtable active;
    private final List<Memtable> frozen;
    private final List<SSTable> tables;
    // one reference for being the engine's current view, one per reader
    private final AtomicInteger references = new AtomicInteger(1);

    View(Memtable active, List<Memtable> frozen, List<SSTable> tables) {
        this.active = active;
        this.frozen = List.copyOf(frozen);
        this.tables = List.copyOf(tables);
        this.tables.forEach(SSTable::retain);
    }

    Memtable active() {
        return active;
    }

    List<Memtable> frozen() {
        return frozen;
    }

    List<SSTable> tables() {
        return tables;
    }

    /** @return the memtables, newest first */
    List<Memtable> memtables() {
        List<Memtable> all = new ArrayList<>(frozen.size() + 1);
        all.add(active);
        all.addAll(frozen);
        return all;
    }

    /** @return false when the view was already released for good (the caller reads the newer one) */
    boolean tryAcquire() {
        int count = references.get();
        while (count > 0) {
            if (references.compareAndSet(count, count + 1)) {
                return true;
            }
            count = references.get();
        }
        return false;
    }

    /** Drops one reference; the last releases the tables. */
    void release() {
        if (references.decrementAndGet() == 0) {
            tables.forEach(SSTable::release);
        }
    }

    /** @return bytes held by the active and frozen memtables */
    long memtableBytes() {
        long bytes = active.bytes();
        for (Memtable memtable : frozen) {
            bytes += memtable.bytes();
        }
        return bytes;
    }
}
