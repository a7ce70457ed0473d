package io.ringkv.replication.internal;

import io.ringkv.api.CausalContext;
import io.ringkv.api.Consistency;
import io.ringkv.api.ErrorCode;
import io.ringkv.api.Expiry;
import io.ringkv.api.HybridTimestamp;
import io.ringkv.api.Key;
import io.ringkv.api.KvException;
import io.ringkv.api.Limits;
import io.ringkv.api.NodeId;
import io.ringkv.api.SiblingSet;
import io.ringkv.api.Value;
import io.ringkv.api.Version;
import io.ringkv.api.VersionEncoding;
import io.ringkv.api.Versioned;
import io.ringkv.replication.sbe.BooleanType;
import io.ringkv.replication.sbe.CoordinateDecoder;
import io.ringkv.replication.sbe.CoordinateEncoder;
import io.ringkv.replication.sbe.CoordinateReplyDecoder;
import io.ringkv.replication.sbe.CoordinateReplyEncoder;
import io.ringkv.replication.sbe.GetDecoder;
import io.ringkv.replication.sbe.GetEncoder;
import io.ringkv.replication.sbe.GetResponseDecoder;
import io.ringkv.replication.sbe.GetResponseEncoder;
import io.ringkv.replication.sbe.HintedPutDecoder;
import io.ringkv.replication.sbe.HintedPutEncoder;
import io.ringkv.replication.sbe.MessageHeaderDecoder;
import io.ringkv.replication.sbe.MessageHeaderEncoder;
import io.ringkv.replication.sbe.PutAckDecoder;
import io.ringkv.replication.sbe.PutAckEncoder;
import io.ringkv.replication.sbe.PutDecoder;
import io.ringkv.replication.sbe.PutEncoder;
import io.ringkv.replication.sbe.ReplyStatus;
import io.ringkv.replication.sbe.ScanRequestDecoder;
import io.ringkv.replication.sbe.ScanRequestEncoder;
import io.ringkv.replication.sbe.ScanReplyDecoder;
import io.ringkv.replication.sbe.ScanReplyEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Encodes replication messages into one reused send buffer and decodes arrivals with every length checked against
 * the message's end, so a lying length fails with {@link ErrorCode#INVALID_ARGUMENT} instead of reading past it.
 * A message of another schema version (a node of an older or newer ringkv) is malformed here: versions changed
 * meaning with dotted version vectors, so guessing would be worse than dropping. A message that would not fit the
 * send buffer is refused with {@link ErrorCode#VALUE_TOO_LARGE} before a byte is written (its size is computed
 * first, {@link MessageSizes}), never with a buffer error. Owned by the agent thread.
 */
public final class MessageCodec {
    /** The schema id every replication message carries. */
    public static final int SCHEMA_ID = MessageHeaderDecoder.SCHEMA_ID;
    private static final int VAR_HEADER = 4;
    private static final int MAX_VERSION_BYTES = 64 * 1024;
    private static final int MAX_CONTEXT_BYTES = 64 * 1024;
    private static final int MAX_REASON_BYTES = 1024;

    private final Limits limits;
    private final int maxSiblings;
    private final UnsafeBuffer sendBuffer;
    private static final byte[] NO_BYTES = new byte[0];
    private final UnsafeBuffer valueView = new UnsafeBuffer(NO_BYTES);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final PutEncoder putEncoder = new PutEncoder();
    private final PutDecoder putDecoder = new PutDecoder();
    private final HintedPutEncoder hintedEncoder = new HintedPutEncoder();
    private final HintedPutDecoder hintedDecoder = new HintedPutDecoder();
    /** The CoordinateReply error code's high bit: the replica refused before writing anything. */
    private static final int NOTHING_WRITTEN = 0x80;
    /** On a CoordinateReply's success: the write superseded a live value at the coordinating replica. */
    private static final int SUPERSEDED_LIVE = 0x40;
    /** The Coordinate expiry kind's high bit: {@link Expiry#onlyIfLive()}. */
    private static final int ONLY_IF_LIVE = 0x80;
    private final CoordinateEncoder coordinateEncoder = new CoordinateEncoder();
    private final CoordinateDecoder coordinateDecoder = new CoordinateDecoder();
    private final CoordinateReplyEncoder coordinateReplyEncoder = new CoordinateReplyEncoder();
    private final CoordinateReplyDecoder coordinateReplyDecoder = new CoordinateReplyDecoder();
    private final PutAckEncoder ackEncoder = new PutAckEncoder();
    private final PutAckDecoder ackDecoder = new PutAckDecoder();
    private final GetEncoder getEncoder = new GetEncoder();
    private final GetDecoder getDecoder = new GetDecoder();
    private final GetResponseEncoder responseEncoder = new GetResponseEncoder();
    private final GetResponseDecoder responseDecoder = new GetResponseDecoder();
    private final ScanRequestEncoder scanEncoder = new ScanRequestEncoder();
    private final ScanRequestDecoder scanDecoder = new ScanRequestDecoder();
    private final ScanReplyEncoder scanReplyEncoder = new ScanReplyEncoder();
    private final ScanReplyDecoder scanReplyDecoder = new ScanReplyDecoder();
    /** The most keys one scan page asks for or carries. */
    public static final int MAX_SCAN_KEYS = 1000;

    /**
     * @param limits key and value limits arrivals must meet
     * @param maxSiblings most versions a read reply may carry
     * @param maxMessageBytes the send buffer's size
     */
    public MessageCodec(Limits limits, int maxSiblings, int maxMessageBytes) {
        this.limits = limits;
        this.maxSiblings = maxSiblings;
        this.sendBuffer = new UnsafeBuffer(ByteBuffer.allocateDirect(maxMessageBytes));
    }

    /**
     * @return a view of {@code versioned}'s value (empty for a tombstone) for an encoder to copy from: one reused
     *     buffer, so a value is copied once, into the send buffer, and nothing is allocated for it
     */
    private DirectBuffer valueView(Versioned versioned) {
        if (versioned.isTombstone()) {
            valueView.wrap(NO_BYTES);
        } else {
            valueView.wrap(versioned.value().asReadOnlyBuffer());
        }
        return valueView;
    }

    /** @return the buffer every encode method writes into, at offset 0 */
    public DirectBuffer sendBuffer() {
        return sendBuffer;
    }

    /**
     * Encodes a Put carrying {@code versions} (tombstones included). @return the message length
     * @throws KvException with {@link ErrorCode#VALUE_TOO_LARGE} when it would not fit the send buffer
     */
    public int encodeWrite(long correlationId, long token, Key key, List<Versioned> versions) {
        byte[] keyBytes = key.toByteArray();
        requireFits(MessageSizes.put(keyBytes.length, versions), "a Put of " + versions.size() + " versions");
        putEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder).correlationId(correlationId).token(token);
        PutEncoder.VersionsEncoder group = putEncoder.versionsCount(versions.size());
        for (Versioned versioned : versions) {
            byte[] version = VersionEncoding.encodeVersion(versioned.version());
            DirectBuffer value = valueView(versioned);
            group.next().tombstone(versioned.isTombstone() ? BooleanType.TRUE : BooleanType.FALSE)
                .putVersion(version, 0, version.length)
                .putValue(value, 0, value.capacity());
        }
        putEncoder.putKey(keyBytes, 0, keyBytes.length);
        valueView.wrap(NO_BYTES); // holds no value past the encode
        return MessageHeaderEncoder.ENCODED_LENGTH + putEncoder.encodedLength();
    }

    /**
     * Encodes a HintedPut: {@code versions} for {@code owner}, to keep as a hint. @return the message length
     * @throws KvException with {@link ErrorCode#VALUE_TOO_LARGE} when it would not fit the send buffer
     */
    public int encodeHintedWrite(long correlationId, long token, Key key, List<Versioned> versions, NodeId owner,
                                 long createdMillis) {
        byte[] keyBytes = key.toByteArray();
        byte[] ownerBytes = owner.value().getBytes(StandardCharsets.UTF_8);
        requireFits(MessageSizes.hintedPut(keyBytes.length, versions, ownerBytes.length),
            "a HintedPut of " + versions.size() + " versions");
        hintedEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder).correlationId(correlationId).token(token)
            .createdMillis(createdMillis);
        HintedPutEncoder.VersionsEncoder group = hintedEncoder.versionsCount(versions.size());
        for (Versioned versioned : versions) {
            byte[] version = VersionEncoding.encodeVersion(versioned.version());
            DirectBuffer value = valueView(versioned);
            group.next().tombstone(versioned.isTombstone() ? BooleanType.TRUE : BooleanType.FALSE)
                .putVersion(version, 0, version.length)
                .putValue(value, 0, value.capacity());
        }
        hintedEncoder.putKey(keyBytes, 0, keyBytes.length).putOwner(ownerBytes, 0, ownerBytes.length);
        valueView.wrap(NO_BYTES); // holds no value past the encode
        return MessageHeaderEncoder.ENCODED_LENGTH + hintedEncoder.encodedLength();
    }

    /**
     * Encodes a Coordinate; {@code value} null for a delete, {@code context} null for a blind write,
     * {@code retransmit} when it was sent before.
     *
     * @throws KvException with {@link ErrorCode#VALUE_TOO_LARGE} when it would not fit the send buffer
     */
    public int encodeCoordinate(long correlationId, long token, Key key, Value value, Expiry expiry,
                                CausalContext context, Consistency consistency, boolean retransmit) {
        byte[] keyBytes = key.toByteArray();
        byte[] contextBytes = context == null ? new byte[0] : context.toBytes();
        byte[] valueBytes = value == null ? new byte[0] : value.toByteArray();
        requireFits(MessageSizes.coordinate(keyBytes.length, contextBytes.length, valueBytes.length),
            "a Coordinate of a " + valueBytes.length + "-byte value and a " + contextBytes.length + "-byte context");
        coordinateEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .correlationId(correlationId).token(token)
            .n((short) consistency.n()).r((short) consistency.r()).w((short) consistency.w())
            .tombstone(value == null ? BooleanType.TRUE : BooleanType.FALSE)
            .retransmit(retransmit ? BooleanType.TRUE : BooleanType.FALSE)
            .expiryKind((short) (expiry.kind().ordinal() | (expiry.onlyIfLive() ? ONLY_IF_LIVE : 0)))
            .expiryMillis(expiry.millis())
            .putKey(keyBytes, 0, keyBytes.length)
            .putContext(contextBytes, 0, contextBytes.length)
            .putValue(valueBytes, 0, valueBytes.length);
        return MessageHeaderEncoder.ENCODED_LENGTH + coordinateEncoder.encodedLength();
    }

    /**
     * Encodes a CoordinateReply: {@code error} null with the written version, or an error and why, flagged when the
     * replica wrote nothing (it refused before issuing a dot).
     */
    public int encodeCoordinateReply(long correlationId, ErrorCode error, String message, Version written,
                                     boolean nothingWritten, boolean supersededLive) {
        byte[] version = written == null ? new byte[0] : VersionEncoding.encodeVersion(written);
        byte[] reason = message == null ? new byte[0] : message.getBytes(StandardCharsets.UTF_8);
        int reasonLength = Math.min(reason.length, MAX_REASON_BYTES);
        coordinateReplyEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .correlationId(correlationId)
            .errorCode((short) ((error == null ? 0 : error.ordinal() + 1)
                | (error != null && nothingWritten ? NOTHING_WRITTEN : 0)
                | (error == null && supersededLive ? SUPERSEDED_LIVE : 0)))
            .putVersion(version, 0, version.length)
            .putMessage(reason, 0, reasonLength);
        return MessageHeaderEncoder.ENCODED_LENGTH + coordinateReplyEncoder.encodedLength();
    }

    /** @return the length of an encoded PutAck */
    public int encodeAck(long correlationId, WriteOutcome outcome, HybridTimestamp replicaTime) {
        ackEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .correlationId(correlationId)
            .status(switch (outcome) {
                case STORED -> ReplyStatus.OK;
                case STORED_BESIDE_OTHERS -> ReplyStatus.OK_BESIDE_OTHERS;
                case DISK_FULL -> ReplyStatus.DISK_FULL;
                case FAILED -> ReplyStatus.STORAGE_FAILURE;
                case HINT_REFUSED -> ReplyStatus.HINT_REFUSED;
            })
            .timestampPhysicalMillis(replicaTime.physicalMillis())
            .timestampLogical(replicaTime.logical());
        return MessageHeaderEncoder.ENCODED_LENGTH + ackEncoder.encodedLength();
    }

    /** @return the length of an encoded Get */
    public int encodeRead(long correlationId, long token, Key key) {
        byte[] keyBytes = key.toByteArray();
        getEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .correlationId(correlationId).token(token)
            .putKey(keyBytes, 0, keyBytes.length);
        return MessageHeaderEncoder.ENCODED_LENGTH + getEncoder.encodedLength();
    }

    /**
     * @return the length of an encoded GetResponse carrying {@code siblings} (empty when not ok)
     * @throws KvException with {@link ErrorCode#VALUE_TOO_LARGE} when it would not fit the send buffer
     */
    public int encodeReadReply(long correlationId, boolean ok, SiblingSet siblings) {
        if (ok) {
            requireFits(MessageSizes.readReply(siblings.versions()), "a GetResponse of " + siblings.size()
                + " versions");
        }
        responseEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .correlationId(correlationId)
            .status(ok ? ReplyStatus.OK : ReplyStatus.STORAGE_FAILURE);
        GetResponseEncoder.VersionsEncoder group = responseEncoder.versionsCount(ok ? siblings.size() : 0);
        if (ok) {
            for (Versioned versioned : siblings.versions()) {
                byte[] version = VersionEncoding.encodeVersion(versioned.version());
                DirectBuffer value = valueView(versioned);
                group.next().tombstone(versioned.isTombstone() ? BooleanType.TRUE : BooleanType.FALSE)
                    .putVersion(version, 0, version.length)
                    .putValue(value, 0, value.capacity());
            }
        }
        valueView.wrap(NO_BYTES); // holds no value past the encode
        return MessageHeaderEncoder.ENCODED_LENGTH + responseEncoder.encodedLength();
    }

    /** @return the length of an encoded ScanRequest; {@code afterKey} null for every key of {@code token} */
    public int encodeScanRequest(long correlationId, long token, Key afterKey, long endToken, int maxKeys) {
        byte[] keyBytes = afterKey == null ? new byte[0] : afterKey.toByteArray();
        scanEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .correlationId(correlationId).token(token).endToken(endToken)
            .hasKey(afterKey == null ? BooleanType.FALSE : BooleanType.TRUE)
            .maxKeys(maxKeys)
            .putAfterKey(keyBytes, 0, keyBytes.length);
        return MessageHeaderEncoder.ENCODED_LENGTH + scanEncoder.encodedLength();
    }

    /**
     * @return the length of an encoded ScanReply; {@code lastKey} null when exhausted. The caller keeps the keys
     *     within {@link #scanReplyKeyBudget()}.
     */
    public int encodeScanReply(long correlationId, boolean ok, List<Key> keys, boolean exhausted, long lastToken,
                                   Key lastKey) {
        scanReplyEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .correlationId(correlationId)
            .status(ok ? ReplyStatus.OK : ReplyStatus.STORAGE_FAILURE)
            .exhausted(exhausted ? BooleanType.TRUE : BooleanType.FALSE)
            .lastToken(lastToken);
        ScanReplyEncoder.KeysEncoder group = scanReplyEncoder.keysCount(ok ? keys.size() : 0);
        if (ok) {
            for (Key key : keys) {
                byte[] bytes = key.toByteArray();
                group.next().putKey(bytes, 0, bytes.length);
            }
        }
        byte[] last = lastKey == null ? new byte[0] : lastKey.toByteArray();
        scanReplyEncoder.putLastKey(last, 0, last.length);
        return MessageHeaderEncoder.ENCODED_LENGTH + scanReplyEncoder.encodedLength();
    }

    /**
     * @return how many bytes of keys, each counted with its 4-byte length header, a ScanReply may carry and still
     *     fit the send buffer with the largest last key
     */
    public int scanReplyKeyBudget() {
        return sendBuffer.capacity() - MessageHeaderEncoder.ENCODED_LENGTH - ScanReplyEncoder.BLOCK_LENGTH - 4
            - VAR_HEADER - limits.maxKeyBytes();
    }

    /**
     * @return the decoded message, or null when its template is unknown
     * @throws KvException with {@link ErrorCode#INVALID_ARGUMENT} when the message is malformed
     */
    public Message decode(DirectBuffer buffer, int offset, int length) {
        try {
            return decodeChecked(buffer, offset, length);
        } catch (IllegalArgumentException e) {
            // an SBE enum decoder meeting a value its schema does not name
            throw new KvException(ErrorCode.INVALID_ARGUMENT, "malformed message: " + e.getMessage());
        }
    }

    private Message decodeChecked(DirectBuffer buffer, int offset, int length) {
        int end = offset + length;
        require(length >= MessageHeaderDecoder.ENCODED_LENGTH, "shorter than its header");
        headerDecoder.wrap(buffer, offset);
        int bodyOffset = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        int blockLength = headerDecoder.blockLength();
        int version = headerDecoder.version();
        if (version != MessageHeaderDecoder.SCHEMA_VERSION) {
            throw malformed("schema version " + version + "; this node speaks " + MessageHeaderDecoder.SCHEMA_VERSION);
        }
        if (bodyOffset + blockLength > end) {
            throw malformed("block length " + blockLength + " exceeds the message");
        }
        int schemaBlock = schemaBlockLength(headerDecoder.templateId());
        // the fields are read at the schema's offsets: a shorter block would have them read past the message
        if (blockLength < schemaBlock) {
            throw malformed("block length " + blockLength + " is shorter than the schema's " + schemaBlock);
        }
        return switch (headerDecoder.templateId()) {
            case PutDecoder.TEMPLATE_ID -> decodePut(buffer, bodyOffset, blockLength, version, end);
            case HintedPutDecoder.TEMPLATE_ID -> decodeHintedPut(buffer, bodyOffset, blockLength, version, end);
            case CoordinateDecoder.TEMPLATE_ID -> decodeCoordinate(buffer, bodyOffset, blockLength, version, end);
            case CoordinateReplyDecoder.TEMPLATE_ID ->
                decodeCoordinateReply(buffer, bodyOffset, blockLength, version, end);
            case PutAckDecoder.TEMPLATE_ID -> decodeAck(buffer, bodyOffset, blockLength, version);
            case GetDecoder.TEMPLATE_ID -> decodeGet(buffer, bodyOffset, blockLength, version, end);
            case GetResponseDecoder.TEMPLATE_ID -> decodeResponse(buffer, bodyOffset, blockLength, version, end);
            case ScanRequestDecoder.TEMPLATE_ID -> decodeScanRequest(buffer, bodyOffset, blockLength, version, end);
            case ScanReplyDecoder.TEMPLATE_ID -> decodeScanReply(buffer, bodyOffset, blockLength, version, end);
            default -> null;
        };
    }

    /** @return the fixed block length of {@code templateId} in this schema version, 0 for an unknown template */
    private static int schemaBlockLength(int templateId) {
        return switch (templateId) {
            case PutDecoder.TEMPLATE_ID -> PutDecoder.BLOCK_LENGTH;
            case HintedPutDecoder.TEMPLATE_ID -> HintedPutDecoder.BLOCK_LENGTH;
            case CoordinateDecoder.TEMPLATE_ID -> CoordinateDecoder.BLOCK_LENGTH;
            case CoordinateReplyDecoder.TEMPLATE_ID -> CoordinateReplyDecoder.BLOCK_LENGTH;
            case PutAckDecoder.TEMPLATE_ID -> PutAckDecoder.BLOCK_LENGTH;
            case GetDecoder.TEMPLATE_ID -> GetDecoder.BLOCK_LENGTH;
            case GetResponseDecoder.TEMPLATE_ID -> GetResponseDecoder.BLOCK_LENGTH;
            case ScanRequestDecoder.TEMPLATE_ID -> ScanRequestDecoder.BLOCK_LENGTH;
            case ScanReplyDecoder.TEMPLATE_ID -> ScanReplyDecoder.BLOCK_LENGTH;
            default -> 0;
        };
    }

    private Message decodePut(DirectBuffer buffer, int bodyOffset, int blockLength, int version, int end) {
        PutDecoder d = putDecoder.wrap(buffer, bodyOffset, blockLength, version);
        long correlationId = d.correlationId();
        long token = d.token();
        require(d.limit() + 4 <= end, "versions group header exceeds the message");
        PutDecoder.VersionsDecoder group = d.versions();
        requireEntryBlock(group.actingBlockLength(), PutDecoder.VersionsDecoder.sbeBlockLength(), "versions");
        if (group.count() < 1 || group.count() > maxSiblings) {
            throw malformed("put carries " + group.count() + " versions; 1 to " + maxSiblings + " allowed");
        }
        List<Versioned> versions = new ArrayList<>(group.count());
        while (group.hasNext()) {
            group.next();
            require(d.limit() <= end, "versions group entry exceeds the message");
            versions.add(versioned(d::limit, end, group.tombstone(), group::versionLength, group::getVersion,
                group::valueLength, group::getValue));
        }
        Key key = Key.of(bytes(d.limit(), d::keyLength, end, limits.maxKeyBytes(), "key", d::getKey), limits);
        return new Message.Write(correlationId, token, key, versions);
    }

    private Message decodeHintedPut(DirectBuffer buffer, int bodyOffset, int blockLength, int version, int end) {
        HintedPutDecoder d = hintedDecoder.wrap(buffer, bodyOffset, blockLength, version);
        long correlationId = d.correlationId();
        long token = d.token();
        long createdMillis = d.createdMillis();
        require(d.limit() + 4 <= end, "versions group header exceeds the message");
        HintedPutDecoder.VersionsDecoder group = d.versions();
        requireEntryBlock(group.actingBlockLength(), HintedPutDecoder.VersionsDecoder.sbeBlockLength(), "versions");
        if (group.count() < 1 || group.count() > maxSiblings) {
            throw malformed("hinted put carries " + group.count() + " versions; 1 to " + maxSiblings + " allowed");
        }
        List<Versioned> versions = new ArrayList<>(group.count());
        while (group.hasNext()) {
            group.next();
            require(d.limit() <= end, "versions group entry exceeds the message");
            versions.add(versioned(d::limit, end, group.tombstone(), group::versionLength, group::getVersion,
                group::valueLength, group::getValue));
        }
        Key key = Key.of(bytes(d.limit(), d::keyLength, end, limits.maxKeyBytes(), "key", d::getKey), limits);
        String owner = new String(bytes(d.limit(), d::ownerLength, end, NodeId.MAX_LENGTH, "owner", d::getOwner),
            StandardCharsets.UTF_8);
        require(NodeId.isValid(owner), "owner is not a node id");
        return new Message.HintedWrite(correlationId, token, key, versions, NodeId.of(owner), createdMillis);
    }

    private Message decodeCoordinate(DirectBuffer buffer, int bodyOffset, int blockLength, int version, int end) {
        CoordinateDecoder d = coordinateDecoder.wrap(buffer, bodyOffset, blockLength, version);
        long correlationId = d.correlationId();
        long token = d.token();
        Consistency consistency = new Consistency(d.n(), d.r(), d.w());
        BooleanType tombstone = d.tombstone();
        require(tombstone != BooleanType.NULL_VAL, "tombstone flag is not 0 or 1");
        BooleanType retransmit = d.retransmit();
        require(retransmit != BooleanType.NULL_VAL, "retransmit flag is not 0 or 1");
        int expiryKind = d.expiryKind() & ~ONLY_IF_LIVE;
        if (expiryKind >= Expiry.Kind.values().length) {
            throw malformed("expiry kind " + expiryKind + " is unknown");
        }
        Expiry expiry = new Expiry(Expiry.Kind.values()[expiryKind], d.expiryMillis(),
            (d.expiryKind() & ONLY_IF_LIVE) != 0);
        Key key = Key.of(bytes(d.limit(), d::keyLength, end, limits.maxKeyBytes(), "key", d::getKey), limits);
        byte[] context = bytes(d.limit(), d::contextLength, end, MAX_CONTEXT_BYTES, "context", d::getContext);
        byte[] value = bytes(d.limit(), d::valueLength, end, limits.maxValueBytes(), "value", d::getValue);
        return new Message.Coordinate(correlationId, token, key,
            tombstone == BooleanType.TRUE ? null : Value.of(value, limits), expiry,
            context.length == 0 ? null : CausalContext.fromBytes(context), consistency,
            retransmit == BooleanType.TRUE);
    }

    private Message decodeCoordinateReply(DirectBuffer buffer, int bodyOffset, int blockLength, int version,
                                          int end) {
        CoordinateReplyDecoder d = coordinateReplyDecoder.wrap(buffer, bodyOffset, blockLength, version);
        long correlationId = d.correlationId();
        boolean nothingWritten = (d.errorCode() & NOTHING_WRITTEN) != 0;
        boolean supersededLive = (d.errorCode() & SUPERSEDED_LIVE) != 0;
        int code = d.errorCode() & ~(NOTHING_WRITTEN | SUPERSEDED_LIVE);
        if (code > ErrorCode.values().length) {
            throw malformed("unknown error code " + code);
        }
        require(code != 0 || !nothingWritten, "a success cannot have written nothing");
        require(code == 0 || !supersededLive, "a failure cannot have superseded a value");
        byte[] written = bytes(d.limit(), d::versionLength, end, MAX_VERSION_BYTES, "version", d::getVersion);
        byte[] reason = bytes(d.limit(), d::messageLength, end, MAX_REASON_BYTES, "message", d::getMessage);
        if (code == 0) {
            // no version: a change of expiry found the value gone, and wrote nothing
            return new Message.CoordinateReply(correlationId, null, "",
                written.length == 0 ? null : VersionEncoding.decodeVersion(written), false, supersededLive);
        }
        return new Message.CoordinateReply(correlationId, ErrorCode.values()[code - 1],
            new String(reason, StandardCharsets.UTF_8), null, nothingWritten, false);
    }

    private Message decodeAck(DirectBuffer buffer, int bodyOffset, int blockLength, int version) {
        PutAckDecoder d = ackDecoder.wrap(buffer, bodyOffset, blockLength, version);
        ReplyStatus status = status(d.statusRaw());
        WriteOutcome outcome = switch (status) {
            case OK -> WriteOutcome.STORED;
            case OK_BESIDE_OTHERS -> WriteOutcome.STORED_BESIDE_OTHERS;
            case DISK_FULL -> WriteOutcome.DISK_FULL;
            case HINT_REFUSED -> WriteOutcome.HINT_REFUSED;
            default -> WriteOutcome.FAILED;
        };
        return new Message.WriteAck(d.correlationId(), outcome,
            new HybridTimestamp(d.timestampPhysicalMillis(), d.timestampLogical()));
    }

    private Message decodeGet(DirectBuffer buffer, int bodyOffset, int blockLength, int version, int end) {
        GetDecoder d = getDecoder.wrap(buffer, bodyOffset, blockLength, version);
        long correlationId = d.correlationId();
        long token = d.token();
        Key key = Key.of(bytes(d.limit(), d::keyLength, end, limits.maxKeyBytes(), "key", d::getKey), limits);
        return new Message.Read(correlationId, token, key);
    }

    private Message decodeResponse(DirectBuffer buffer, int bodyOffset, int blockLength, int version, int end) {
        GetResponseDecoder d = responseDecoder.wrap(buffer, bodyOffset, blockLength, version);
        long correlationId = d.correlationId();
        ReplyStatus status = status(d.statusRaw());
        require(d.limit() + 4 <= end, "versions group header exceeds the message");
        GetResponseDecoder.VersionsDecoder group = d.versions();
        requireEntryBlock(group.actingBlockLength(), GetResponseDecoder.VersionsDecoder.sbeBlockLength(), "versions");
        if (group.count() > maxSiblings) {
            throw malformed("reply carries " + group.count() + " versions, more than " + maxSiblings);
        }
        List<Versioned> versions = new ArrayList<>(group.count());
        while (group.hasNext()) {
            group.next();
            require(d.limit() <= end, "versions group entry exceeds the message");
            versions.add(versioned(d::limit, end, group.tombstone(), group::versionLength, group::getVersion,
                group::valueLength, group::getValue));
        }
        return new Message.ReadReply(correlationId, status == ReplyStatus.OK, versions);
    }

    private Message decodeScanRequest(DirectBuffer buffer, int bodyOffset, int blockLength, int version, int end) {
        ScanRequestDecoder d = scanDecoder.wrap(buffer, bodyOffset, blockLength, version);
        long correlationId = d.correlationId();
        long token = d.token();
        long endToken = d.endToken();
        if (endToken < token) {
            throw malformed("scan end token " + endToken + " is before its start " + token);
        }
        // the raw byte: the enum's decoder throws for a value it does not know, where a peer's bad flag is a
        // malformed message like any other
        short hasKeyRaw = d.hasKeyRaw();
        if (hasKeyRaw != 0 && hasKeyRaw != 1) {
            throw malformed("hasKey flag is " + hasKeyRaw + ", not 0 or 1");
        }
        BooleanType hasKey = hasKeyRaw == 1 ? BooleanType.TRUE : BooleanType.FALSE;
        int maxKeys = d.maxKeys();
        if (maxKeys < 1 || maxKeys > MAX_SCAN_KEYS) {
            throw malformed("scan asks for " + maxKeys + " keys; 1 to " + MAX_SCAN_KEYS + " allowed");
        }
        byte[] key = bytes(d.limit(), d::afterKeyLength, end, limits.maxKeyBytes(), "key", d::getAfterKey);
        return new Message.ScanRequest(correlationId, token, hasKey == BooleanType.TRUE ? Key.of(key, limits) : null,
            endToken, maxKeys);
    }

    private Message decodeScanReply(DirectBuffer buffer, int bodyOffset, int blockLength, int version,
                                        int end) {
        ScanReplyDecoder d = scanReplyDecoder.wrap(buffer, bodyOffset, blockLength, version);
        long correlationId = d.correlationId();
        ReplyStatus status = status(d.statusRaw());
        short exhaustedRaw = d.exhaustedRaw();
        if (exhaustedRaw != 0 && exhaustedRaw != 1) {
            throw malformed("exhausted flag is " + exhaustedRaw + ", not 0 or 1");
        }
        BooleanType exhausted = exhaustedRaw == 1 ? BooleanType.TRUE : BooleanType.FALSE;
        long lastToken = d.lastToken();
        require(d.limit() + 4 <= end, "keys group header exceeds the message");
        ScanReplyDecoder.KeysDecoder group = d.keys();
        requireEntryBlock(group.actingBlockLength(), ScanReplyDecoder.KeysDecoder.sbeBlockLength(), "keys");
        if (group.count() > MAX_SCAN_KEYS) {
            throw malformed("scan reply carries " + group.count() + " keys, more than " + MAX_SCAN_KEYS);
        }
        List<Key> keys = new ArrayList<>(group.count());
        while (group.hasNext()) {
            group.next();
            keys.add(Key.of(bytes(d.limit(), group::keyLength, end, limits.maxKeyBytes(), "key", group::getKey),
                limits));
        }
        byte[] last = bytes(d.limit(), d::lastKeyLength, end, limits.maxKeyBytes(), "last key", d::getLastKey);
        boolean done = exhausted == BooleanType.TRUE;
        return new Message.ScanReply(correlationId, status == ReplyStatus.OK, keys, done, lastToken,
            done ? null : Key.of(last, limits));
    }

    /** @return the status a reply carries; an unknown value is a malformed message, not an exception */
    private static ReplyStatus status(short raw) {
        for (ReplyStatus status : ReplyStatus.values()) {
            if (status.value() == raw && status != ReplyStatus.NULL_VAL) {
                return status;
            }
        }
        throw new KvException(ErrorCode.INVALID_ARGUMENT, "malformed replication message: unknown reply status "
            + raw);
    }

    /** Reads one entry of a versions group: its tombstone flag, version and value, each checked. */
    private Versioned versioned(java.util.function.IntSupplier limit, int end, BooleanType tombstone,
                                java.util.function.LongSupplier versionLength, VarReader version,
                                java.util.function.LongSupplier valueLength, VarReader value) {
        require(tombstone != BooleanType.NULL_VAL, "tombstone flag is not 0 or 1");
        Version stamp = VersionEncoding.decodeVersion(
            bytes(limit.getAsInt(), versionLength, end, MAX_VERSION_BYTES, "version", version));
        byte[] bytes = bytes(limit.getAsInt(), valueLength, end, limits.maxValueBytes(), "value", value);
        return tombstone == BooleanType.TRUE ? Versioned.tombstone(stamp) : Versioned.of(stamp, Value.of(bytes, limits));
    }

    @FunctionalInterface
    private interface VarReader {
        int read(byte[] destination, int offset, int length);
    }

    /** Reads one var-data field after checking its declared length against the message end and its limit. */
    private static byte[] bytes(int at, java.util.function.LongSupplier length, int end, int max, String what, VarReader reader) {
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

    private void requireFits(long bytes, String what) {
        if (bytes > sendBuffer.capacity()) {
            throw new KvException(ErrorCode.VALUE_TOO_LARGE, what + " would take " + bytes + " bytes, more than the "
                + sendBuffer.capacity() + "-byte replication message limit; nothing was sent");
        }
    }

    /**
     * Refuses a malformed message. A problem worth a computed text is checked at its call with {@link #malformed}
     * instead: the text would otherwise be built for every message decoded.
     */
    private static void require(boolean condition, String problem) {
        if (!condition) {
            throw malformed(problem);
        }
    }

    /** Refuses a group whose entries are shorter than the schema's: their fields would be read past each entry. */
    private static void requireEntryBlock(int actingBlockLength, int schemaBlockLength, String entries) {
        if (actingBlockLength < schemaBlockLength) {
            throw malformed(entries + " entries of " + actingBlockLength + " bytes, shorter than the schema's");
        }
    }

    private static KvException malformed(String problem) {
        return new KvException(ErrorCode.INVALID_ARGUMENT, "malformed replication message: " + problem);
    }
}
