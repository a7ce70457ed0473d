package io.ringkv.replication;

import io.ringkv.storage.RecordListener;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageKey;
import io.ringkv.storage.StorageRecord;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A listener that keeps a copy of the records an engine holds, from nothing but what it is told, and counts the
 * changes whose reported "before" was not what the copy held: if every write is reported, the copy equals the engine.
 */
final class RecordMirror implements RecordListener {
    private final Map<StorageKey, StorageRecord> records = new TreeMap<>();
    private int wrongBefore;
    private int reported;

    /** Starts from what the engine holds (a node's start). */
    RecordMirror(StorageEngine engine) {
        records.putAll(contents(engine));
    }

    @Override
    public void replaced(StorageRecord before, StorageRecord after) {
        StorageKey key = (after != null ? after : before).storageKey();
        reported++;
        if (!Objects.equals(records.get(key), before)) {
            wrongBefore++;
        }
        if (after == null) {
            records.remove(key);
        } else {
            records.put(key, after);
        }
    }

    Map<StorageKey, StorageRecord> records() {
        return records;
    }

    int wrongBefore() {
        return wrongBefore;
    }

    int reported() {
        return reported;
    }

    static Map<StorageKey, StorageRecord> contents(StorageEngine engine) {
        Map<StorageKey, StorageRecord> all = new TreeMap<>();
        engine.scan(0, 0, record -> {
            all.put(record.storageKey(), record);
            return true;
        });
        return all;
    }
}
