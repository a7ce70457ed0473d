package io.ringkv.replication.internal;

import io.ringkv.api.NodeId;
import io.ringkv.api.VersionEncoding;
import io.ringkv.api.Versioned;
import io.ringkv.replication.sbe.CoordinateEncoder;
import io.ringkv.replication.sbe.GetResponseEncoder;
import io.ringkv.replication.sbe.HintedPutEncoder;
import io.ringkv.replication.sbe.MessageHeaderEncoder;
import io.ringkv.replication.sbe.PutEncoder;
import java.util.List;

/**
 * The encoded sizes of the replication messages that carry a key's versions, read from the generated codecs (block
 * lengths, group and var-data headers) so they follow the schema: exact sizes for the encoder to check before it
 * writes, and worst cases for the configuration check that every legal sibling set fits one message.
 */
public final class MessageSizes {
    /** Per version in a versions group: the group entry's block (the tombstone flag) and two var-data headers. */
    static final int VERSION_ENTRY_FRAMING = PutEncoder.VersionsEncoder.sbeBlockLength()
        + PutEncoder.VersionsEncoder.versionHeaderLength() + PutEncoder.VersionsEncoder.valueHeaderLength();

    private MessageSizes() {
    }

    /** @return the bytes of a Put of {@code versions} for a key of {@code keyBytes} */
    public static long put(int keyBytes, List<Versioned> versions) {
        return putEnvelope(keyBytes) + versionsBytes(versions);
    }

    /** @return the bytes of a HintedPut of {@code versions} for a key of {@code keyBytes}, for an owner id */
    public static long hintedPut(int keyBytes, List<Versioned> versions, int ownerBytes) {
        return hintedEnvelope(keyBytes, ownerBytes) + versionsBytes(versions);
    }

    /** @return the bytes of a GetResponse carrying {@code versions} */
    public static long readReply(List<Versioned> versions) {
        return readReplyEnvelope() + versionsBytes(versions);
    }

    /** @return the bytes of a Coordinate of a key, a context and a value of those lengths */
    public static long coordinate(int keyBytes, int contextBytes, int valueBytes) {
        return MessageHeaderEncoder.ENCODED_LENGTH + CoordinateEncoder.BLOCK_LENGTH
            + CoordinateEncoder.keyHeaderLength() + keyBytes
            + CoordinateEncoder.contextHeaderLength() + contextBytes
            + CoordinateEncoder.valueHeaderLength() + valueBytes;
    }

    /**
     * The largest message a cluster of these settings can have to send: the largest of a HintedPut (and so of a Put
     * and a GetResponse, which carry less around the same versions) of {@code maxSiblings} versions, each of the
     * largest value and of a past of {@code maxClockEntries - 1} entries (the write's dot is the last entry) with
     * {@link NodeId#MAX_LENGTH}-character ids, and a Coordinate of the largest value and a context pruned to the
     * same entries.
     *
     * @return the worst case in bytes
     */
    public static long worstCase(int maxKeyBytes, int maxValueBytes, int maxSiblings, int maxClockEntries) {
        int pastEntries = maxClockEntries - 1;
        long perVersion = (long) VERSION_ENTRY_FRAMING + VersionEncoding.maxVersionLength(pastEntries) + maxValueBytes;
        long versions = hintedEnvelope(maxKeyBytes, NodeId.MAX_LENGTH) + (long) maxSiblings * perVersion;
        long coordinate = coordinate(maxKeyBytes, VersionEncoding.maxContextLength(pastEntries), maxValueBytes);
        return Math.max(versions, coordinate);
    }

    private static long versionsBytes(List<Versioned> versions) {
        long bytes = 0;
        for (Versioned versioned : versions) {
            bytes += VERSION_ENTRY_FRAMING + VersionEncoding.versionLength(versioned.version())
                + (versioned.isTombstone() ? 0 : versioned.value().length());
        }
        return bytes;
    }

    private static int putEnvelope(int keyBytes) {
        return MessageHeaderEncoder.ENCODED_LENGTH + PutEncoder.BLOCK_LENGTH + PutEncoder.VersionsEncoder.sbeHeaderSize()
            + PutEncoder.keyHeaderLength() + keyBytes;
    }

    private static int hintedEnvelope(int keyBytes, int ownerBytes) {
        return MessageHeaderEncoder.ENCODED_LENGTH + HintedPutEncoder.BLOCK_LENGTH
            + HintedPutEncoder.VersionsEncoder.sbeHeaderSize() + HintedPutEncoder.keyHeaderLength() + keyBytes
            + HintedPutEncoder.ownerHeaderLength() + ownerBytes;
    }

    private static int readReplyEnvelope() {
        return MessageHeaderEncoder.ENCODED_LENGTH + GetResponseEncoder.BLOCK_LENGTH
            + GetResponseEncoder.VersionsEncoder.sbeHeaderSize();
    }
}
