package io.ringkv.antientropy;

import io.ringkv.antientropy.internal.RepairMessage;
import io.ringkv.api.Key;
import io.ringkv.api.Limits;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageRecord;
import java.util.ArrayList;
import java.util.List;

/**
 * A repair's storage work, run on the node's storage stage: build a range's hash tree from a token-ordered scan,
 * or take it from the node's {@link LiveTrees}, list one leaf's (key, hash) pairs (correcting the live tree's leaf),
 * read records to send. Functions of the engine, the live trees and their inputs.
 */
final class RepairTasks {
    private RepairTasks() {
    }

    /** A range's leaf hashes, and whether they came from the live tree (else from a scan). */
    record Tree(long[] leaves, boolean live) {
    }

    /**
     * One leaf's keys, the XOR of their hashes (the scan's name in its digest replies), and whether the scan corrected
     * the live tree's hash of the leaf.
     */
    record Digest(List<RepairMessage.Entry> entries, long hashes, boolean healed) {
    }

    /** @return the range's leaf hashes: the live tree's when it is ready for exactly this shape, else from a scan */
    static Tree tree(StorageEngine engine, TreeShape shape, LiveTrees live) {
        long[] leaves = live.leaves(shape);
        return leaves != null ? new Tree(leaves, true) : new Tree(leafHashes(engine, shape), false);
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

    /**
     * @return the (token, key, hash) of every record in one leaf's slice of the range, in scan order; the live
     *     tree's hash of the leaf is corrected to the scan's when they differ (the scan is the truth)
     */
    static Digest digest(StorageEngine engine, TreeShape shape, int leaf, LiveTrees live) {
        long before = live.leaf(shape, leaf);
        List<RepairMessage.Entry> entries = new ArrayList<>();
        long[] scanned = new long[1];
        io.ringkv.ring.TokenRange slice = shape.leafRange(leaf);
        engine.scan(slice.start(), slice.end(), record -> {
            long hash = KeyHash.of(record);
            scanned[0] ^= hash;
            entries.add(new RepairMessage.Entry(record.token(), record.key().toByteArray(), hash));
            return true;
        });
        return new Digest(entries, scanned[0], live.heal(shape, leaf, before, scanned[0]));
    }

    /** @return what rebuilding {@code range}'s live tree from a scan of the engine did */
    static LiveTrees.Rebuild rebuild(StorageEngine engine, LiveTrees live, io.ringkv.ring.TokenRange range) {
        LiveTrees.RebuildScan scan = live.startRebuild(range);
        if (scan == null) {
            return new LiveTrees.Rebuild(LiveTrees.Rebuilt.NOT_HELD, 0);
        }
        engine.scan(range.start(), range.end(), record -> {
            scan.add(record);
            return true;
        });
        return scan.finish();
    }

    /** @return the record held for the key, or null */
    static StorageRecord read(StorageEngine engine, long token, byte[] key) {
        // a key this node listed or a peer's codec checked against the configured limit, not the default one
        return engine.get(token, Key.of(key, Limits.CEILING));
    }
}
