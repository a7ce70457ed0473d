package io.ringkv.antientropy;

import io.ringkv.antientropy.internal.RepairMessage;
import io.ringkv.api.Key;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageRecord;
import java.util.ArrayList;
import java.util.List;

/**
 * A repair's storage work, run on the node's storage stage: build a range's hash tree from a token-ordered scan,
 * list one leaf's (key, hash) pairs, read records to send. Pure functions of the engine and their inputs.
 */
final class RepairTasks {
    private RepairTasks() {
    }

    /** @return every leaf hash of the range's tree, built from a scan of the range */
    static long[] leafHashes(StorageEngine engine, TreeShape shape) {
        RangeTree tree = RangeTree.empty(shape);
        engine.scan(shape.range().start(), shape.range().end(), record -> {
            tree.add(record.token(), KeyHash.of(record));
            return true;
        });
        long[] leaves = new long[shape.leaves()];
        for (int i = 0; i < leaves.length; i++) {
            leaves[i] = tree.leaf(i);
        }
        return leaves;
    }

    /** @return the (token, key, hash) of every record in one leaf's slice of the range, in scan order */
    static List<RepairMessage.Entry> digest(StorageEngine engine, TreeShape shape, int leaf) {
        List<RepairMessage.Entry> entries = new ArrayList<>();
        io.ringkv.ring.TokenRange slice = shape.leafRange(leaf);
        engine.scan(slice.start(), slice.end(), record -> {
            entries.add(new RepairMessage.Entry(record.token(), record.key().toByteArray(), KeyHash.of(record)));
            return true;
        });
        return entries;
    }

    /** @return the record held for the key, or null */
    static StorageRecord read(StorageEngine engine, long token, byte[] key) {
        return engine.get(token, Key.of(key));
    }
}
