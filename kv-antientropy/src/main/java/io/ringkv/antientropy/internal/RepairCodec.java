package io.ringkv.antientropy.internal;

import io.ringkv.antientropy.sbe.BooleanType;
import io.ringkv.antientropy.sbe.DigestReplyDecoder;
import io.ringkv.antientropy.sbe.DigestReplyEncoder;
import io.ringkv.antientropy.sbe.DigestRequestDecoder;
import io.ringkv.antientropy.sbe.DigestRequestEncoder;
import io.ringkv.antientropy.sbe.KeyGoneDecoder;
import io.ringkv.antientropy.sbe.KeyGoneEncoder;
import io.ringkv.antientropy.sbe.KeysRequestDecoder;
import io.ringkv.antientropy.sbe.KeysRequestEncoder;
import io.ringkv.antientropy.sbe.MessageHeaderDecoder;
import io.ringkv.antientropy.sbe.MessageHeaderEncoder;
import io.ringkv.antientropy.sbe.RecordAckDecoder;
import io.ringkv.antientropy.sbe.RecordAckEncoder;
import io.ringkv.antientropy.sbe.RecordDecoder;
import io.ringkv.antientropy.sbe.RecordEncoder;
import io.ringkv.antientropy.sbe.SessionEndAckDecoder;
import io.ringkv.antientropy.sbe.SessionEndAckEncoder;
import io.ringkv.antientropy.sbe.SessionEndDecoder;
import io.ringkv.antientropy.sbe.SessionEndEncoder;
import io.ringkv.antientropy.sbe.SessionStatus;
import io.ringkv.antientropy.sbe.TreeReplyDecoder;
import io.ringkv.antientropy.sbe.TreeReplyEncoder;
import io.ringkv.antientropy.sbe.TreeRequestDecoder;
import io.ringkv.antientropy.sbe.TreeRequestEncoder;
import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Encodes and decodes anti-entropy messages (schema id {@link #SCHEMA_ID}). One send buffer, reused: agent thread
 * only. Decoding checks every length against the message's end and the configured limits and throws
 * {@code INVALID_ARGUMENT} on anything malformed, which the caller drops and counts.
 */
public final class RepairCodec {
    /** The SBE schema id of anti-entropy messages. */
    public static final int SCHEMA_ID = MessageHeaderDecoder.SCHEMA_ID;
    /** Encoded bytes one message may take: a datagram's worth. */
    public static final int MAX_MESSAGE_BYTES = 64 * 1024;
    /** Leaf hashes one tree reply carries (32 KiB): a larger tree travels in several replies. */
    public static final int LEAVES_PER_TREE_REPLY = 4096;
    private static final int VAR_HEADER = 4;

    private final int maxKeyBytes;
    private final int maxRecordBytes;
    private final UnsafeBuffer sendBuffer = new UnsafeBuffer(ByteBuffer.allocateDirect(MAX_MESSAGE_BYTES));
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final TreeRequestEncoder treeRequest = new TreeRequestEncoder();
    private final TreeRequestDecoder treeRequestDecoder = new TreeRequestDecoder();
    private final TreeReplyEncoder treeReply = new TreeReplyEncoder();
    private final TreeReplyDecoder treeReplyDecoder = new TreeReplyDecoder();
    private final DigestRequestEncoder digestRequest = new DigestRequestEncoder();
    private final DigestRequestDecoder digestRequestDecoder = new DigestRequestDecoder();
    private final DigestReplyEncoder digestReply = new DigestReplyEncoder();
    private final DigestReplyDecoder digestReplyDecoder = new DigestReplyDecoder();
    private final KeysRequestEncoder keysRequest = new KeysRequestEncoder();
    private final KeysRequestDecoder keysRequestDecoder = new KeysRequestDecoder();
    private final RecordEncoder record = new RecordEncoder();
    private final RecordDecoder recordDecoder = new RecordDecoder();
    private final RecordAckEncoder recordAck = new RecordAckEncoder();
    private final RecordAckDecoder recordAckDecoder = new RecordAckDecoder();
    private final SessionEndEncoder sessionEnd = new SessionEndEncoder();
    private final SessionEndDecoder sessionEndDecoder = new SessionEndDecoder();
    private final KeyGoneEncoder keyGone = new KeyGoneEncoder();
    private final KeyGoneDecoder keyGoneDecoder = new KeyGoneDecoder();
    private final SessionEndAckEncoder sessionEndAck = new SessionEndAckEncoder();
    private final SessionEndAckDecoder sessionEndAckDecoder = new SessionEndAckDecoder();

    /**
     * @param maxKeyBytes the largest key a message may carry
     * @param maxRecordBytes the largest version or value blob a record may carry
     */
    public RepairCodec(int maxKeyBytes, int maxRecordBytes) {
        this.maxKeyBytes = maxKeyBytes;
        this.maxRecordBytes = maxRecordBytes;
    }

    /** @return the buffer the last encode wrote, from offset 0 */
    public DirectBuffer sendBuffer() {
        return sendBuffer;
    }

    /** @return the bytes of one digest entry on the wire, for chunking */
    public static int entryBytes(byte[] key) {
        return 8 + 8 + VAR_HEADER + key.length;
    }

    /** @return the bytes a record message takes, to check it fits before sending */
    public static int recordBytes(byte[] key, byte[] version, byte[] value) {
        return MessageHeaderEncoder.ENCODED_LENGTH + RecordEncoder.BLOCK_LENGTH + 3 * VAR_HEADER + key.length
            + version.length + (value == null ? 0 : value.length);
    }

    public int encodeTreeRequest(long sessionId, long start, long end, int leafCount) {
        treeRequest.wrapAndApplyHeader(sendBuffer, 0, header).sessionId(sessionId).rangeStart(start).rangeEnd(end)
            .leafCount(leafCount);
        return MessageHeaderEncoder.ENCODED_LENGTH + treeRequest.encodedLength();
    }

    /** Encodes a reply without leaves: a refusal or failure. */
    public int encodeTreeReply(long sessionId, RepairMessage.Status status) {
        return encodeTreeReply(sessionId, status, new long[0], 0, 0);
    }

    /**
     * Encodes leaves {@code firstLeaf} to {@code firstLeaf + count - 1} of {@code leaves}.
     *
     * @param count at most {@link #LEAVES_PER_TREE_REPLY}, so the reply fits one message
     */
    public int encodeTreeReply(long sessionId, RepairMessage.Status status, long[] leaves, int firstLeaf,
                               int count) {
        if (count > LEAVES_PER_TREE_REPLY) {
            throw new IllegalArgumentException(count + " leaves do not fit one tree reply");
        }
        treeReply.wrapAndApplyHeader(sendBuffer, 0, header).sessionId(sessionId).status(status(status))
            .firstLeaf(firstLeaf);
        TreeReplyEncoder.LeavesEncoder group = treeReply.leavesCount(count);
        for (int i = firstLeaf; i < firstLeaf + count; i++) {
            group.next().hash(leaves[i]);
        }
        return MessageHeaderEncoder.ENCODED_LENGTH + treeReply.encodedLength();
    }

    public int encodeDigestRequest(long sessionId, int leaf) {
        digestRequest.wrapAndApplyHeader(sendBuffer, 0, header).sessionId(sessionId).leaf(leaf);
        return MessageHeaderEncoder.ENCODED_LENGTH + digestRequest.encodedLength();
    }

    /** @param listing which scan of the leaf the chunk is from ({@link RepairMessage.DigestReply#listing()}) */
    public int encodeDigestReply(long sessionId, int leaf, RepairMessage.Status status, int chunk, boolean last,
                                 long listing, List<RepairMessage.Entry> entries) {
        digestReply.wrapAndApplyHeader(sendBuffer, 0, header).sessionId(sessionId).leaf(leaf).status(status(status))
            .chunk(chunk).last(last ? BooleanType.TRUE : BooleanType.FALSE).listing(listing);
        DigestReplyEncoder.EntriesEncoder group = digestReply.entriesCount(entries.size());
        for (RepairMessage.Entry entry : entries) {
            group.next().hash(entry.hash()).token(entry.token()).putKey(entry.key(), 0, entry.key().length);
        }
        return MessageHeaderEncoder.ENCODED_LENGTH + digestReply.encodedLength();
    }

    public int encodeKeysRequest(long sessionId, List<RepairMessage.Wanted> keys) {
        keysRequest.wrapAndApplyHeader(sendBuffer, 0, header).sessionId(sessionId);
        KeysRequestEncoder.KeysEncoder group = keysRequest.keysCount(keys.size());
        for (RepairMessage.Wanted wanted : keys) {
            group.next().token(wanted.token()).held(wanted.held() ? BooleanType.TRUE : BooleanType.FALSE)
                .putKey(wanted.key(), 0, wanted.key().length);
        }
        return MessageHeaderEncoder.ENCODED_LENGTH + keysRequest.encodedLength();
    }

    public int encodeRecord(long sessionId, int sequence, long token, byte[] key, byte[] version, byte[] value) {
        byte[] bytes = value == null ? new byte[0] : value;
        record.wrapAndApplyHeader(sendBuffer, 0, header).sessionId(sessionId).sequence(sequence).token(token)
            .tombstone(value == null ? BooleanType.TRUE : BooleanType.FALSE)
            .putKey(key, 0, key.length).putVersion(version, 0, version.length).putValue(bytes, 0, bytes.length);
        return MessageHeaderEncoder.ENCODED_LENGTH + record.encodedLength();
    }

    public int encodeRecordAck(long sessionId, int sequence, RepairMessage.Status status) {
        recordAck.wrapAndApplyHeader(sendBuffer, 0, header).sessionId(sessionId).sequence(sequence)
            .status(status(status));
        return MessageHeaderEncoder.ENCODED_LENGTH + recordAck.encodedLength();
    }

    public int encodeSessionEnd(long sessionId) {
        sessionEnd.wrapAndApplyHeader(sendBuffer, 0, header).sessionId(sessionId);
        return MessageHeaderEncoder.ENCODED_LENGTH + sessionEnd.encodedLength();
    }

    public int encodeKeyGone(long sessionId, long token, byte[] key) {
        keyGone.wrapAndApplyHeader(sendBuffer, 0, header).sessionId(sessionId).token(token).putKey(key, 0, key.length);
        return MessageHeaderEncoder.ENCODED_LENGTH + keyGone.encodedLength();
    }

    public int encodeSessionEndAck(long sessionId) {
        sessionEndAck.wrapAndApplyHeader(sendBuffer, 0, header).sessionId(sessionId);
        return MessageHeaderEncoder.ENCODED_LENGTH + sessionEndAck.encodedLength();
    }

    /**
     * @return the decoded message, or null when its template is unknown
     * @throws KvException with {@code INVALID_ARGUMENT} when the message is malformed
     */
    /** @return the fixed block length of {@code templateId} in this schema version, 0 for an unknown template */
    private static int schemaBlockLength(int templateId) {
        return switch (templateId) {
            case TreeRequestDecoder.TEMPLATE_ID -> TreeRequestDecoder.BLOCK_LENGTH;
            case TreeReplyDecoder.TEMPLATE_ID -> TreeReplyDecoder.BLOCK_LENGTH;
            case DigestRequestDecoder.TEMPLATE_ID -> DigestRequestDecoder.BLOCK_LENGTH;
            // a node from before listings were named sends the block without the listing, which ends it
            case DigestReplyDecoder.TEMPLATE_ID -> DigestReplyDecoder.listingEncodingOffset();
            case KeysRequestDecoder.TEMPLATE_ID -> KeysRequestDecoder.BLOCK_LENGTH;
            case RecordDecoder.TEMPLATE_ID -> RecordDecoder.BLOCK_LENGTH;
            case RecordAckDecoder.TEMPLATE_ID -> RecordAckDecoder.BLOCK_LENGTH;
            case SessionEndDecoder.TEMPLATE_ID -> SessionEndDecoder.BLOCK_LENGTH;
            case SessionEndAckDecoder.TEMPLATE_ID -> SessionEndAckDecoder.BLOCK_LENGTH;
            case KeyGoneDecoder.TEMPLATE_ID -> KeyGoneDecoder.BLOCK_LENGTH;
            default -> 0;
        };
    }

    public RepairMessage decode(DirectBuffer buffer, int offset, int length) {
        try {
            return decodeChecked(buffer, offset, length);
        } catch (IllegalArgumentException e) {
            // an SBE enum decoder meeting a value its schema does not name
            throw new KvException(ErrorCode.INVALID_ARGUMENT, "malformed message: " + e.getMessage());
        }
    }

    private RepairMessage decodeChecked(DirectBuffer buffer, int offset, int length) {
        int end = offset + length;
        require(length >= MessageHeaderDecoder.ENCODED_LENGTH, "shorter than its header");
        headerDecoder.wrap(buffer, offset);
        int body = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        int blockLength = headerDecoder.blockLength();
        int version = headerDecoder.version();
        if (version != MessageHeaderDecoder.SCHEMA_VERSION) {
            throw malformed("schema version " + version);
        }
        if (body + blockLength > end) {
            throw malformed("block length " + blockLength + " exceeds the message");
        }
        int schemaBlock = schemaBlockLength(headerDecoder.templateId());
        // the fields are read at the schema's offsets: a shorter block would have them read past the message
        if (blockLength < schemaBlock) {
            throw malformed("block length " + blockLength + " is shorter than the schema's " + schemaBlock);
        }
        return switch (headerDecoder.templateId()) {
            case TreeRequestDecoder.TEMPLATE_ID -> {
                TreeRequestDecoder d = treeRequestDecoder.wrap(buffer, body, blockLength, version);
                yield new RepairMessage.TreeRequest(d.sessionId(), d.rangeStart(), d.rangeEnd(),
                    (int) Math.min(Integer.MAX_VALUE, d.leafCount()));
            }
            case TreeReplyDecoder.TEMPLATE_ID -> {
                TreeReplyDecoder d = treeReplyDecoder.wrap(buffer, body, blockLength, version);
                long sessionId = d.sessionId();
                RepairMessage.Status status = status(d.statusRaw());
                int firstLeaf = (int) Math.min(Integer.MAX_VALUE, d.firstLeaf());
                require(d.limit() + 4 <= end, "leaves group header exceeds the message");
                TreeReplyDecoder.LeavesDecoder group = d.leaves();
                // each entry's fields are read at the schema's offsets: a shorter entry would read past it
                require(group.actingBlockLength() >= TreeReplyDecoder.LeavesDecoder.sbeBlockLength(),
                    "leaves entries of " + group.actingBlockLength() + " bytes, shorter than the schema's");
                require(d.limit() + (long) group.count() * group.actingBlockLength() <= end,
                    "leaves exceed the message");
                long[] leaves = new long[group.count()];
                for (int i = 0; group.hasNext(); i++) {
                    leaves[i] = group.next().hash();
                }
                yield new RepairMessage.TreeReply(sessionId, status, firstLeaf, leaves);
            }
            case DigestRequestDecoder.TEMPLATE_ID -> {
                DigestRequestDecoder d = digestRequestDecoder.wrap(buffer, body, blockLength, version);
                yield new RepairMessage.DigestRequest(d.sessionId(), (int) Math.min(Integer.MAX_VALUE, d.leaf()));
            }
            case DigestReplyDecoder.TEMPLATE_ID -> decodeDigestReply(buffer, body, blockLength, version, end);
            case KeysRequestDecoder.TEMPLATE_ID -> {
                KeysRequestDecoder d = keysRequestDecoder.wrap(buffer, body, blockLength, version);
                long sessionId = d.sessionId();
                require(d.limit() + 4 <= end, "keys group header exceeds the message");
                KeysRequestDecoder.KeysDecoder group = d.keys();
                // each entry's fields are read at the schema's offsets: a shorter entry would read past them. An
                // entry of a node from before the held flag ends after its token: the key then counts as held, and
                // its record is sent whatever it is, as that node's own sessions expect
                int entryLength = group.actingBlockLength();
                boolean withHeld = entryLength >= KeysRequestDecoder.KeysDecoder.sbeBlockLength();
                require(withHeld || entryLength == KeysRequestDecoder.KeysDecoder.heldEncodingOffset(),
                    "keys entries of " + entryLength + " bytes, shorter than the schema's");
                List<RepairMessage.Wanted> keys = new ArrayList<>(group.count());
                while (group.hasNext()) {
                    group.next();
                    require(d.limit() <= end, "keys entry exceeds the message");
                    long token = group.token();
                    BooleanType held = withHeld ? group.held() : BooleanType.TRUE;
                    require(held != BooleanType.NULL_VAL, "held flag is not 0 or 1");
                    keys.add(new RepairMessage.Wanted(token, bytes(d.limit(), group::keyLength, end, maxKeyBytes,
                        "key", group::getKey), held == BooleanType.TRUE));
                }
                yield new RepairMessage.KeysRequest(sessionId, keys);
            }
            case RecordDecoder.TEMPLATE_ID -> {
                RecordDecoder d = recordDecoder.wrap(buffer, body, blockLength, version);
                long sessionId = d.sessionId();
                int sequence = (int) d.sequence();
                long token = d.token();
                BooleanType tombstone = d.tombstone();
                require(tombstone != BooleanType.NULL_VAL, "tombstone flag is not 0 or 1");
                byte[] key = bytes(d.limit(), d::keyLength, end, maxKeyBytes, "key", d::getKey);
                byte[] stamp = bytes(d.limit(), d::versionLength, end, maxRecordBytes, "version", d::getVersion);
                byte[] value = bytes(d.limit(), d::valueLength, end, maxRecordBytes, "value", d::getValue);
                yield new RepairMessage.Record(sessionId, sequence, token, key, stamp,
                    tombstone == BooleanType.TRUE ? null : value);
            }
            case RecordAckDecoder.TEMPLATE_ID -> {
                RecordAckDecoder d = recordAckDecoder.wrap(buffer, body, blockLength, version);
                yield new RepairMessage.RecordAck(d.sessionId(), (int) d.sequence(), status(d.statusRaw()));
            }
            case SessionEndDecoder.TEMPLATE_ID ->
                new RepairMessage.SessionEnd(sessionEndDecoder.wrap(buffer, body, blockLength, version).sessionId());
            case SessionEndAckDecoder.TEMPLATE_ID -> new RepairMessage.SessionEndAck(
                sessionEndAckDecoder.wrap(buffer, body, blockLength, version).sessionId());
            case KeyGoneDecoder.TEMPLATE_ID -> {
                KeyGoneDecoder d = keyGoneDecoder.wrap(buffer, body, blockLength, version);
                long sessionId = d.sessionId();
                long token = d.token();
                yield new RepairMessage.KeyGone(sessionId, token,
                    bytes(d.limit(), d::keyLength, end, maxKeyBytes, "key", d::getKey));
            }
            default -> null;
        };
    }

    private RepairMessage decodeDigestReply(DirectBuffer buffer, int body, int blockLength, int version, int end) {
        DigestReplyDecoder d = digestReplyDecoder.wrap(buffer, body, blockLength, version);
        long sessionId = d.sessionId();
        int leaf = (int) Math.min(Integer.MAX_VALUE, d.leaf());
        RepairMessage.Status status = status(d.statusRaw());
        int chunk = d.chunk();
        BooleanType last = d.last();
        require(last != BooleanType.NULL_VAL, "last flag is not 0 or 1");
        boolean identified = blockLength >= DigestReplyDecoder.BLOCK_LENGTH;
        if (!identified && blockLength != DigestReplyDecoder.listingEncodingOffset()) {
            throw malformed("block length " + blockLength
                + " is neither the schema's nor that of a node from before listings were named");
        }
        long listing = identified ? d.listing() : 0;
        require(d.limit() + 4 <= end, "entries group header exceeds the message");
        DigestReplyDecoder.EntriesDecoder group = d.entries();
        // each entry's fields are read at the schema's offsets: a shorter entry would read past it
        require(group.actingBlockLength() >= DigestReplyDecoder.EntriesDecoder.sbeBlockLength(), "entries entries of "
            + group.actingBlockLength() + " bytes, shorter than the schema's");
        List<RepairMessage.Entry> entries = new ArrayList<>(group.count());
        while (group.hasNext()) {
            group.next();
            require(d.limit() <= end, "digest entry exceeds the message");
            long hash = group.hash();
            long token = group.token();
            entries.add(new RepairMessage.Entry(token, bytes(d.limit(), group::keyLength, end, maxKeyBytes, "key",
                group::getKey), hash));
        }
        return new RepairMessage.DigestReply(sessionId, leaf, status, chunk, last == BooleanType.TRUE, listing,
            identified, entries);
    }

    private static SessionStatus status(RepairMessage.Status status) {
        return switch (status) {
            case OK -> SessionStatus.OK;
            case BUSY -> SessionStatus.BUSY;
            case FAILED -> SessionStatus.FAILED;
            case UNKNOWN_SESSION -> SessionStatus.UNKNOWN_SESSION;
            case REFUSED -> SessionStatus.REFUSED;
        };
    }

    private static RepairMessage.Status status(short raw) {
        for (SessionStatus status : SessionStatus.values()) {
            if (status != SessionStatus.NULL_VAL && status.value() == raw) {
                return RepairMessage.Status.valueOf(status.name());
            }
        }
        throw new KvException(ErrorCode.INVALID_ARGUMENT, "malformed anti-entropy message: unknown status " + raw);
    }

    @FunctionalInterface
    private interface VarReader {
        int read(byte[] destination, int offset, int length);
    }

    private static byte[] bytes(int at, LongSupplier length, int end, int max, String what, VarReader reader) {
        if (at + VAR_HEADER > end) {
            throw malformed(what + " length exceeds the message");
        }
        long declared = length.getAsLong();
        if (declared < 0 || declared > max) {
            throw malformed(what + " is " + declared + " bytes; the limit is " + max);
        }
        if (at + VAR_HEADER + declared > end) {
            throw malformed(what + " length " + declared + " exceeds the message");
        }
        byte[] bytes = new byte[(int) declared];
        reader.read(bytes, 0, bytes.length);
        return bytes;
    }

    /**
     * Refuses a malformed message. A problem worth a computed text is checked at its call with {@link #malformed}
     * instead: the text would otherwise be built for every message decoded (a join streams every record).
     */
    private static void require(boolean condition, String problem) {
        if (!condition) {
            throw malformed(problem);
        }
    }

    private static KvException malformed(String problem) {
        return new KvException(ErrorCode.INVALID_ARGUMENT, "malformed anti-entropy message: " + problem);
    }
}
