package io.ringkv.antientropy;

import io.ringkv.api.Key;
import io.ringkv.sim.SimStorageStage;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageRecord;
import java.util.Arrays;

/**
 * The tests' stand-in for the resolver: the record with the larger version blob wins. Deterministic, commutative
 * and idempotent, which is all a repair relies on.
 */
final class LargerVersionWins {
    private LargerVersionWins() {
    }

    /** @return a merger that writes through {@code stage} */
    static RecordMerger through(SimStorageStage stage) {
        return (token, key, version, value, done) -> stage.write(token, engine -> merge(engine, token, key, version,
            value), (stored, failure) -> done.accept(failure == null));
    }

    private static Boolean merge(StorageEngine engine, long token, Key key, byte[] version, byte[] value) {
        StorageRecord held = engine.get(token, key);
        if (held == null || Arrays.compare(version, held.version()) > 0) {
            if (value == null) {
                engine.delete(token, key, version);
            } else {
                engine.put(token, key, version, value);
            }
        }
        return Boolean.TRUE;
    }
}
