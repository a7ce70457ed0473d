package io.ringkv.replication.internal;

import io.ringkv.api.HybridTimestamp;
import io.ringkv.api.Key;
import io.ringkv.api.Versioned;
import java.util.List;

/** A decoded replication message. */
public sealed interface Message {
    /** The request id a reply answers; 0 for read repairs, which are not answered. */
    long correlationId();

    /** A Put or a Delete (the versioned value is then a tombstone). */
    record Write(long correlationId, long token, Key key, Versioned versioned) implements Message {
    }

    /** Answers a Write. */
    record WriteAck(long correlationId, WriteOutcome outcome, HybridTimestamp replicaTime) implements Message {
    }

    /** Asks for every version of a key. */
    record Read(long correlationId, long token, Key key) implements Message {
    }

    /** Answers a Read. */
    record ReadReply(long correlationId, boolean ok, List<Versioned> versions) implements Message {
    }
}
