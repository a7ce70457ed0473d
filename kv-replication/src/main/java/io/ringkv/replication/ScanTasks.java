package io.ringkv.replication;

import io.ringkv.api.Key;
import io.ringkv.storage.StorageEngine;
import java.util.ArrayList;
import java.util.List;

/**
 * A replica's share of SCAN, run by the storage stage on a storage thread: the live keys after a position, in the
 * engine's (token, key) order, up to an end token. Pure function of its inputs and the engine.
 */
final class ScanTasks {
    /**
     * Records visited per page at most, live or not: a range full of tombstones answers in bounded pages (possibly
     * empty, with a position to resume from) instead of holding the storage thread.
     */
    static final int MAX_VISITS = 10_000;

    private ScanTasks() {
    }

    /**
     * What a page found.
     *
     * @param keys the live keys, ascending
     * @param exhausted true when every record up to the end token was visited
     * @param lastToken when not exhausted: the token of the last record visited (the next page starts after it)
     * @param lastKey when not exhausted: the key of the last record visited; null when exhausted
     */
    record Page(List<Key> keys, boolean exhausted, long lastToken, Key lastKey) {
    }

    /**
     * @param token the position's token: the page holds keys of greater tokens, and of this one after
     *     {@code afterKey}
     * @param afterKey null for every key of {@code token}
     * @param endToken the last token visited, at least {@code token} (signed order)
     * @param maxKeys most keys returned
     * @param keyBudget most key bytes returned, each key counted with 4 bytes more (the reply must fit a datagram)
     * @param nowMillis a key whose every value expired by then is not live
     */
    static Page page(StorageEngine engine, long token, Key afterKey, long endToken, int maxKeys, int keyBudget,
                     long nowMillis) {
        Collector collector = new Collector(token, afterKey, maxKeys, keyBudget);
        // token - 1 wraps to Long.MAX_VALUE for Long.MIN_VALUE: the engine's (MAX, end] then starts at MIN, as meant
        engine.scan(token - 1, endToken, record -> collector.visit(record.token(), record.key(),
            record.isTombstone() || expired(record.version(), nowMillis)));
        return new Page(List.copyOf(collector.keys), !collector.stopped, collector.lastToken,
            collector.stopped ? collector.lastKey : null);
    }

    private static boolean expired(byte[] version, long nowMillis) {
        long expiresAt = io.ringkv.replication.internal.SiblingCodec.EXPIRY.expiresAtMillis(version);
        return expiresAt != 0 && expiresAt <= nowMillis;
    }

    /** Collects one page's keys, stopping at the first record that does not fit it. */
    private static final class Collector {
        private final long token;
        private final Key afterKey;
        private final int maxKeys;
        private final int keyBudget;
        private final List<Key> keys = new ArrayList<>();
        private int bytes;
        private int visits;
        private boolean stopped;
        private long lastToken;
        private Key lastKey;

        Collector(long token, Key afterKey, int maxKeys, int keyBudget) {
            this.token = token;
            this.afterKey = afterKey;
            this.maxKeys = maxKeys;
            this.keyBudget = keyBudget;
        }

        boolean visit(long recordToken, Key key, boolean tombstone) {
            if (recordToken == token && afterKey != null && key.compareTo(afterKey) <= 0) {
                return true;
            }
            int size = key.length() + 4;
            if (visits == MAX_VISITS || !tombstone && (keys.size() == maxKeys || bytes + size > keyBudget)) {
                // stopped before this record (visits > 0 here, as maxKeys >= 1 and the budget fits the largest key):
                // the next page starts after the last record visited, so this one comes first there
                stopped = true;
                return false;
            }
            visits++;
            if (!tombstone) {
                keys.add(key);
                bytes += size;
            }
            lastToken = recordToken;
            lastKey = key;
            return true;
        }
    }
}
