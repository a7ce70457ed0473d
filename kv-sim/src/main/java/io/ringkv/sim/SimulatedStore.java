package io.ringkv.sim;

import io.ringkv.storage.RecordMap;
import io.ringkv.storage.StorageKey;
import io.ringkv.storage.StorageRecord;
import java.util.ArrayList;
import java.util.List;

/**
 * A store's records on a simulated disk, with an undo journal of the writes since the last flush: a crash
 * replays the journal backwards, leaving exactly what was flushed.
 */
final class SimulatedStore {
    private final RecordMap records = new RecordMap();
    private final List<Undo> unflushed = new ArrayList<>();

    private record Undo(StorageKey key, StorageRecord previous) {
    }

    RecordMap records() {
        return records;
    }

    void write(StorageRecord record) {
        unflushed.add(new Undo(record.storageKey(), records.put(record)));
    }

    void flush() {
        unflushed.clear();
    }

    int unflushedWrites() {
        return unflushed.size();
    }

    void revertUnflushed() {
        for (int i = unflushed.size() - 1; i >= 0; i--) {
            Undo undo = unflushed.get(i);
            if (undo.previous() == null) {
                records.remove(undo.key());
            } else {
                records.put(undo.previous());
            }
        }
        unflushed.clear();
    }
}
