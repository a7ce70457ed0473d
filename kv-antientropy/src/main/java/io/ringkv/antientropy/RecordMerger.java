package io.ringkv.antientropy;

import io.ringkv.api.Key;
import java.util.function.Consumer;

/**
 * Where a repair hands a peer's record of a key: the node's replica merges it with what it holds (with the
 * cluster's resolver) and stores the result through its storage stage. Anti-entropy treats records as opaque bytes;
 * replication knows what they mean. Called on the agent thread.
 */
@FunctionalInterface
public interface RecordMerger {
    /**
     * @param version the record's version blob as the peer's engine holds it
     * @param value the record's value blob, null for a tombstone
     * @param done receives true once the merge is durable, false when it could not be stored (on the agent thread)
     */
    void merge(long token, Key key, byte[] version, byte[] value, Consumer<Boolean> done);
}
