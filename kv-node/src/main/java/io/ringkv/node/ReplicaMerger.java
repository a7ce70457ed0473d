package io.ringkv.node;

import io.ringkv.antientropy.RecordMerger;
import io.ringkv.api.Key;
import io.ringkv.replication.Replication;
import java.util.function.Consumer;

/**
 * Anti-entropy's view of the node's replica: a peer's record is merged by replication's resolver, and a record a
 * replica holding nothing would refuse (a tombstone past the grace) is not sent to such a peer. The two modules do not
 * know each other; the node joins them here.
 */
public final class ReplicaMerger implements RecordMerger {
    private final Replication replication;

    /** @param replication the node's replication, which owns the records' meaning */
    public ReplicaMerger(Replication replication) {
        this.replication = replication;
    }

    @Override
    public void merge(long token, Key key, byte[] version, byte[] value, Consumer<Boolean> done) {
        replication.mergeRecord(token, key, version, value, done);
    }

    @Override
    public void merge(long token, Key key, byte[] version, byte[] value, Consumer<Boolean> done, Runnable refused) {
        replication.mergeRecord(token, key, version, value, done, refused);
    }

    @Override
    public boolean takenWhereAbsent(long token, Key key, byte[] version, byte[] value) {
        return replication.takenWhereAbsent(token, key, version, value);
    }
}
