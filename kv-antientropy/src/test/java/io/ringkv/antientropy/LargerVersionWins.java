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

    /**
     * @return a merger that writes through {@code stage}, where a tombstone whose version blob is below
     *     {@code forgottenBelow} stands for one past the grace: a replica holding nothing for its key does not take it
     */
    static RecordMerger forgetting(SimStorageStage stage, byte forgottenBelow) {
        return new RecordMerger() {
            @Override
            public void merge(long token, Key key, byte[] version, byte[] value,
                              java.util.function.Consumer<Boolean> done) {
                stage.write(token, engine -> {
                    if (engine.get(token, key) == null && !takenWhereAbsent(token, key, version, value)) {
                        return Boolean.TRUE;
                    }
                    return LargerVersionWins.merge(engine, token, key, version, value);
                }, (stored, failure) -> done.accept(failure == null));
            }

            @Override
            public boolean takenWhereAbsent(long token, Key key, byte[] version, byte[] value) {
                return value != null || version[0] >= forgottenBelow;
            }
        };
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
