package io.ringkv.antientropy.internal;

import java.util.List;

/** A decoded anti-entropy message. */
public sealed interface RepairMessage {
    /** The repair session the message belongs to. */
    long sessionId();

    /**
     * How a replica answered a request of a session; {@code REFUSED}: a record the receiver will never take (an
     * earlier build reads it as malformed).
     */
    enum Status { OK, BUSY, FAILED, UNKNOWN_SESSION, REFUSED }

    /** Opens a session over the range (start, end] with a tree of {@code leafCount} leaves. */
    record TreeRequest(long sessionId, long rangeStart, long rangeEnd, int leafCount) implements RepairMessage {
    }

    /** One chunk of the responder's leaf hashes, leaves {@code firstLeaf} on (empty unless OK). */
    record TreeReply(long sessionId, Status status, int firstLeaf, long[] leaves) implements RepairMessage {
    }

    /** Asks for one leaf's (key, hash) pairs. */
    record DigestRequest(long sessionId, int leaf) implements RepairMessage {
    }

    /** One key of a digest: its token, key bytes and hash. */
    record Entry(long token, byte[] key, long hash) {
    }

    /**
     * One chunk of a leaf's digest.
     *
     * @param listing which scan of the leaf the chunk is from (the XOR of the scan's hashes: two scans of the same
     *     records chunk alike); only chunks of one listing make the leaf's digest
     * @param identified false for a chunk of a node from before listings were named: its listing is unknown
     */
    record DigestReply(long sessionId, int leaf, Status status, int chunk, boolean last, long listing,
                       boolean identified, List<Entry> entries) implements RepairMessage {
    }

    /** Asks for these keys' records. */
    record KeysRequest(long sessionId, List<Wanted> keys) implements RepairMessage {
    }

    /**
     * One key asked for: its token and bytes, and whether the asker holds a record of it (a record the asker would
     * not take while holding nothing, a tombstone past the grace, is then not sent).
     */
    record Wanted(long token, byte[] key, boolean held) {
    }

    /** One stored record (version and value as the engine holds them; value null for a tombstone). */
    record Record(long sessionId, int sequence, long token, byte[] key, byte[] version, byte[] value)
        implements RepairMessage {
    }

    /** The initiator ended the session. */
    record SessionEnd(long sessionId) implements RepairMessage {
    }

    /** The responder heard that the session ended (answers every copy of a {@link SessionEnd}). */
    record SessionEndAck(long sessionId) implements RepairMessage {
    }

    /** The responder no longer holds a key it was asked for: there is no record to wait for. */
    record KeyGone(long sessionId, long token, byte[] key) implements RepairMessage {
    }

    /** Answers a Record once merged and durable. */
    record RecordAck(long sessionId, int sequence, Status status) implements RepairMessage {
    }
}
