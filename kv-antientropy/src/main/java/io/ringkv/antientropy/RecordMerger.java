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

    /**
     * As {@link #merge(long, Key, byte[], byte[], Consumer)}, telling apart a record this replica will never take
     * (one that does not decode under its settings: a peer configured otherwise): {@code refused} runs instead of
     * {@code done}, and the sender drops the record rather than sending it again at every retry, which would keep
     * a join or a leave from ever ending. This default refuses nothing.
     */
    default void merge(long token, Key key, byte[] version, byte[] value, Consumer<Boolean> done, Runnable refused) {
        merge(token, key, version, value, done);
    }

    /**
     * Whether a replica that holds nothing for the key takes this record. One it does not take (a tombstone past the
     * grace: others may have purged it, and there is nothing for it to delete) is not sent to a peer that listed
     * nothing for the key, nor by a peer that asked for it holding nothing: sending it would move it for nothing at
     * every pass until its holder purges it. A record this cannot read is taken (sent; the receiver judges it).
     *
     * @param version the record's version blob as this node's engine holds it
     * @param value the record's value blob, null for a tombstone
     * @return true unless a replica holding nothing for the key would refuse the record; this default: always
     */
    default boolean takenWhereAbsent(long token, Key key, byte[] version, byte[] value) {
        return true;
    }
}
