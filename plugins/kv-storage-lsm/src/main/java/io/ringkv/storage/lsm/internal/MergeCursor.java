package io.ringkv.storage.lsm.internal;

import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Merges sorted sources into one stream in (token, key) order; where several sources hold a key, only the entry
 * with the highest sequence number comes out.
 */
final class MergeCursor implements EntryCursor {
    private record Head(Entry entry, EntryCursor source) {
    }

    private static final Comparator<Head> ORDER = Comparator.<Head, io.ringkv.storage.StorageKey>comparing(
        head -> head.entry().key()).thenComparingLong(head -> -head.entry().seq());

    private final PriorityQueue<Head> heads;

    MergeCursor(List<EntryCursor> sources) {
        heads = new PriorityQueue<>(Math.max(1, sources.size()), ORDER);
        sources.forEach(this::advance);
    }

    @Override
    public Entry next() {
        Head head = heads.poll();
        if (head == null) {
            return null;
        }
        advance(head.source());
        while (!heads.isEmpty() && heads.peek().entry().key().equals(head.entry().key())) {
            advance(heads.poll().source());
        }
        return head.entry();
    }

    private void advance(EntryCursor source) {
        Entry next = source.next();
        if (next != null) {
            heads.add(new Head(next, source));
        }
    }
}
