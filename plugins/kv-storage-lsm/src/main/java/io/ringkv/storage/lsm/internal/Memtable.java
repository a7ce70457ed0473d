package io.ringkv.storage.lsm.internal;

import io.ringkv.storage.StorageKey;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The newest writes, sorted by (token, key), backed by one commit log segment (the memtable replayed at start by
 * every segment the last run left). Readers never block; the engine's
 * writer applies entries one at a time. Once frozen it is only read, then flushed to an SSTable.
 */
final class Memtable {
    private final ConcurrentSkipListMap<StorageKey, Entry> entries;
    private final AtomicLong bytes;
    private final List<Long> segments;

    /** @param segmentId the commit log segment that holds this memtable's writes */
    Memtable(long segmentId) {
        this(List.of(segmentId));
    }

    /** @param segments the commit log segments that hold this memtable's writes, deleted once it is flushed */
    Memtable(List<Long> segments) {
        this.entries = new ConcurrentSkipListMap<>();
        this.bytes = new AtomicLong();
        this.segments = List.copyOf(segments);
    }

    private Memtable(Memtable entriesOf, List<Long> segments) {
        this.entries = entriesOf.entries;
        this.bytes = entriesOf.bytes;
        this.segments = List.copyOf(segments);
    }

    /** @return this memtable's entries, backed by {@code segments} instead (before it is published) */
    Memtable withSegments(List<Long> segments) {
        return new Memtable(this, segments);
    }

    List<Long> segments() {
        return segments;
    }

    /** Makes {@code entry} the key's newest entry unless a newer one is already here. */
    void apply(Entry entry) {
        Entry kept = entries.merge(entry.key(), entry, (old, incoming) -> incoming.seq() > old.seq() ? incoming : old);
        if (kept == entry) {
            bytes.addAndGet(entry.memoryBytes());
        }
    }

    /** @return the entry under {@code key}, or null */
    Entry get(StorageKey key) {
        return entries.get(key);
    }

    /** @return entries from {@code from} (inclusive) in order */
    EntryCursor cursor(StorageKey from) {
        Iterator<Entry> iterator = entries.tailMap(from, true).values().iterator();
        return () -> iterator.hasNext() ? iterator.next() : null;
    }

    /** @return every entry in order */
    Collection<Entry> entries() {
        return entries.values();
    }

    /** @return an estimate of the heap this memtable holds (replaced entries still count until the flush) */
    long bytes() {
        return bytes.get();
    }

    int size() {
        return entries.size();
    }

    boolean isEmpty() {
        return entries.isEmpty();
    }
}
