package io.ringkv.replication.internal;

import io.ringkv.api.CausalContext;
import io.ringkv.api.Consistency;
import io.ringkv.api.ErrorCode;
import io.ringkv.api.HybridTimestamp;
import io.ringkv.api.Key;
import io.ringkv.api.NodeId;
import io.ringkv.api.Value;
import io.ringkv.api.Version;
import io.ringkv.api.Versioned;
import java.util.List;

/** A decoded replication message. */
public sealed interface Message {
    /** The request id a reply answers; 0 for read repairs, which are not answered. */
    long correlationId();

    /** A Put: versions of a key (tombstones included) to resolve into what the replica holds. */
    record Write(long correlationId, long token, Key key, List<Versioned> versions) implements Message {
    }

    /**
     * A write for a DOWN replica ({@code owner}), for the substitute that receives it to keep as a durable hint.
     *
     * @param createdMillis when the write was first hinted (wall clock)
     */
    record HintedWrite(long correlationId, long token, Key key, List<Versioned> versions, NodeId owner,
                       long createdMillis) implements Message {
    }

    /** Answers a Write or a HintedWrite. */
    record WriteAck(long correlationId, WriteOutcome outcome, HybridTimestamp replicaTime) implements Message {
    }

    /** Asks for every version of a key. */
    record Read(long correlationId, long token, Key key) implements Message {
    }

    /** Answers a Read. */
    record ReadReply(long correlationId, boolean ok, List<Versioned> versions) implements Message {
    }

    /**
     * A client's write handed to a replica of the key to coordinate.
     *
     * @param value the value, null for a delete
     * @param context what the client saw, null for a blind write
     * @param retransmit true when the sender sent it before
     */
    record Coordinate(long correlationId, long token, Key key, Value value, io.ringkv.api.Expiry expiry,
                      CausalContext context, Consistency consistency, boolean retransmit) implements Message {
    }

    /**
     * Answers a Coordinate.
     *
     * @param error null when the write was acknowledged
     * @param version the written version, null on failure
     */
    /**
     * @param nothingWritten true when the replica refused before issuing a dot: another replica may take it
     * @param supersededLive on success, true when the write superseded a live value the replica held
     */
    record CoordinateReply(long correlationId, ErrorCode error, String message, Version version,
                           boolean nothingWritten, boolean supersededLive) implements Message {
    }
    /**
     * Asks a replica for up to {@code maxKeys} live keys after a position, up to {@code endToken} (inclusive).
     *
     * @param afterKey keys of {@code token} after this one; null for every key of {@code token}
     */
    record ScanRequest(long correlationId, long token, Key afterKey, long endToken, int maxKeys) implements Message {
    }

    /**
     * Answers a ScanRequest.
     *
     * @param keys the live keys found, ascending
     * @param exhausted true when the replica visited everything up to the asked end token
     * @param lastToken when not exhausted, the token of the last record visited
     * @param lastKey when not exhausted, the key of the last record visited; null otherwise
     */
    record ScanReply(long correlationId, boolean ok, List<Key> keys, boolean exhausted, long lastToken,
                         Key lastKey) implements Message {
    }
}
