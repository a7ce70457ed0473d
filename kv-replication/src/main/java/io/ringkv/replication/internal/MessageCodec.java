package io.ringkv.replication.internal;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.HybridTimestamp;
import io.ringkv.api.Key;
import io.ringkv.api.KvException;
import io.ringkv.api.Limits;
import io.ringkv.api.SiblingSet;
import io.ringkv.api.Value;
import io.ringkv.api.Version;
import io.ringkv.api.VersionEncoding;
import io.ringkv.api.Versioned;
import io.ringkv.replication.sbe.BooleanType;
import io.ringkv.replication.sbe.DeleteDecoder;
import io.ringkv.replication.sbe.DeleteEncoder;
import io.ringkv.replication.sbe.GetDecoder;
import io.ringkv.replication.sbe.GetEncoder;
import io.ringkv.replication.sbe.GetResponseDecoder;
import io.ringkv.replication.sbe.GetResponseEncoder;
import io.ringkv.replication.sbe.MessageHeaderDecoder;
import io.ringkv.replication.sbe.MessageHeaderEncoder;
import io.ringkv.replication.sbe.PutAckDecoder;
import io.ringkv.replication.sbe.PutAckEncoder;
import io.ringkv.replication.sbe.PutDecoder;
import io.ringkv.replication.sbe.PutEncoder;
import io.ringkv.replication.sbe.ReplyStatus;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Encodes replication messages into one reused send buffer and decodes arrivals with every length checked against
 * the message's end, so a lying length fails with {@link ErrorCode#INVALID_ARGUMENT} instead of reading past it.
 * Owned by the agent thread.
 */
public final class MessageCodec {
    /** The schema id every replication message carries. */
    public static final int SCHEMA_ID = MessageHeaderDecoder.SCHEMA_ID;
    private static final int VAR_HEADER = 4;
    private static final int MAX_VERSION_BYTES = 64 * 1024;

    private final Limits limits;
    private final int maxSiblings;
    private final UnsafeBuffer sendBuffer;
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final PutEncoder putEncoder = new PutEncoder();
    private final PutDecoder putDecoder = new PutDecoder();
    private final DeleteEncoder deleteEncoder = new DeleteEncoder();
    private final DeleteDecoder deleteDecoder = new DeleteDecoder();
    private final PutAckEncoder ackEncoder = new PutAckEncoder();
    private final PutAckDecoder ackDecoder = new PutAckDecoder();
    private final GetEncoder getEncoder = new GetEncoder();
    private final GetDecoder getDecoder = new GetDecoder();
    private final GetResponseEncoder responseEncoder = new GetResponseEncoder();
    private final GetResponseDecoder responseDecoder = new GetResponseDecoder();

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

    /** @return the buffer every encode method writes into, at offset 0 */
    public DirectBuffer sendBuffer() {
        return sendBuffer;
    }

    /** Encodes a Put, or a Delete when the value is a tombstone. @return the message length */
    public int encodeWrite(long correlationId, long token, Key key, Versioned versioned) {
        byte[] keyBytes = key.toByteArray();
        byte[] version = VersionEncoding.encodeVersion(versioned.version());
        if (versioned.isTombstone()) {
            deleteEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
                .correlationId(correlationId).token(token)
                .putKey(keyBytes, 0, keyBytes.length)
                .putVersion(version, 0, version.length);
            return MessageHeaderEncoder.ENCODED_LENGTH + deleteEncoder.encodedLength();
        }
        byte[] value = versioned.value().toByteArray();
        putEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .correlationId(correlationId).token(token)
            .putKey(keyBytes, 0, keyBytes.length)
            .putVersion(version, 0, version.length)
            .putValue(value, 0, value.length);
        return MessageHeaderEncoder.ENCODED_LENGTH + putEncoder.encodedLength();
    }

    /** @return the length of an encoded PutAck */
    public int encodeAck(long correlationId, WriteOutcome outcome, HybridTimestamp replicaTime) {
        ackEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .correlationId(correlationId)
            .status(switch (outcome) {
                case STORED -> ReplyStatus.OK;
                case DISK_FULL -> ReplyStatus.DISK_FULL;
                case FAILED -> ReplyStatus.STORAGE_FAILURE;
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

    /** @return the length of an encoded GetResponse carrying {@code siblings} (empty when not ok) */
    public int encodeReadReply(long correlationId, boolean ok, SiblingSet siblings) {
        responseEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .correlationId(correlationId)
            .status(ok ? ReplyStatus.OK : ReplyStatus.STORAGE_FAILURE);
        GetResponseEncoder.VersionsEncoder group = responseEncoder.versionsCount(ok ? siblings.size() : 0);
        if (ok) {
            for (Versioned versioned : siblings.versions()) {
                byte[] version = VersionEncoding.encodeVersion(versioned.version());
                byte[] value = versioned.isTombstone() ? new byte[0] : versioned.value().toByteArray();
                group.next().tombstone(versioned.isTombstone() ? BooleanType.TRUE : BooleanType.FALSE)
                    .putVersion(version, 0, version.length)
                    .putValue(value, 0, value.length);
            }
        }
        return MessageHeaderEncoder.ENCODED_LENGTH + responseEncoder.encodedLength();
    }

    /**
     * @return the decoded message, or null when its template is unknown
     * @throws KvException with {@link ErrorCode#INVALID_ARGUMENT} when the message is malformed
     */
    public Message decode(DirectBuffer buffer, int offset, int length) {
        int end = offset + length;
        require(length >= MessageHeaderDecoder.ENCODED_LENGTH, "shorter than its header");
        headerDecoder.wrap(buffer, offset);
        int bodyOffset = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        int blockLength = headerDecoder.blockLength();
        int version = headerDecoder.version();
        require(bodyOffset + blockLength <= end, "block length " + blockLength + " exceeds the message");
        return switch (headerDecoder.templateId()) {
            case PutDecoder.TEMPLATE_ID -> decodePut(buffer, bodyOffset, blockLength, version, end);
            case DeleteDecoder.TEMPLATE_ID -> decodeDelete(buffer, bodyOffset, blockLength, version, end);
            case PutAckDecoder.TEMPLATE_ID -> decodeAck(buffer, bodyOffset, blockLength, version);
            case GetDecoder.TEMPLATE_ID -> decodeGet(buffer, bodyOffset, blockLength, version, end);
            case GetResponseDecoder.TEMPLATE_ID -> decodeResponse(buffer, bodyOffset, blockLength, version, end);
            default -> null;
        };
    }

    private Message decodePut(DirectBuffer buffer, int bodyOffset, int blockLength, int version, int end) {
        PutDecoder d = putDecoder.wrap(buffer, bodyOffset, blockLength, version);
        long correlationId = d.correlationId();
        long token = d.token();
        Key key = Key.of(bytes(d.limit(), d::keyLength, end, limits.maxKeyBytes(), "key", d::getKey), limits);
        Version stamp = VersionEncoding.decodeVersion(
            bytes(d.limit(), d::versionLength, end, MAX_VERSION_BYTES, "version", d::getVersion));
        Value value = Value.of(bytes(d.limit(), d::valueLength, end, limits.maxValueBytes(), "value", d::getValue),
            limits);
        return new Message.Write(correlationId, token, key, Versioned.of(stamp, value));
    }

    private Message decodeDelete(DirectBuffer buffer, int bodyOffset, int blockLength, int version, int end) {
        DeleteDecoder d = deleteDecoder.wrap(buffer, bodyOffset, blockLength, version);
        long correlationId = d.correlationId();
        long token = d.token();
        Key key = Key.of(bytes(d.limit(), d::keyLength, end, limits.maxKeyBytes(), "key", d::getKey), limits);
        Version stamp = VersionEncoding.decodeVersion(
            bytes(d.limit(), d::versionLength, end, MAX_VERSION_BYTES, "version", d::getVersion));
        return new Message.Write(correlationId, token, key, Versioned.tombstone(stamp));
    }

    private Message decodeAck(DirectBuffer buffer, int bodyOffset, int blockLength, int version) {
        PutAckDecoder d = ackDecoder.wrap(buffer, bodyOffset, blockLength, version);
        ReplyStatus status = status(d.statusRaw());
        WriteOutcome outcome = switch (status) {
            case OK -> WriteOutcome.STORED;
            case DISK_FULL -> WriteOutcome.DISK_FULL;
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
        require(group.count() <= maxSiblings, "reply carries " + group.count() + " versions, more than "
            + maxSiblings);
        List<Versioned> versions = new ArrayList<>(group.count());
        while (group.hasNext()) {
            group.next();
            require(d.limit() <= end, "versions group entry exceeds the message");
            BooleanType tombstone = group.tombstone();
            require(tombstone != BooleanType.NULL_VAL, "tombstone flag is not 0 or 1");
            Version stamp = VersionEncoding.decodeVersion(
                bytes(d.limit(), group::versionLength, end, MAX_VERSION_BYTES, "version", group::getVersion));
            byte[] value = bytes(d.limit(), group::valueLength, end, limits.maxValueBytes(), "value",
                group::getValue);
            versions.add(tombstone == BooleanType.TRUE ? Versioned.tombstone(stamp)
                : Versioned.of(stamp, Value.of(value, limits)));
        }
        return new Message.ReadReply(correlationId, status == ReplyStatus.OK, versions);
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

    @FunctionalInterface
    private interface VarReader {
        int read(byte[] destination, int offset, int length);
    }

    /** Reads one var-data field after checking its declared length against the message end and its limit. */
    private static byte[] bytes(int at, java.util.function.LongSupplier length, int end, int max, String what, VarReader reader) {
        require(at + VAR_HEADER <= end, what + " length exceeds the message");
        long declared = length.getAsLong();
        require(declared >= 0 && declared <= max, what + " is " + declared + " bytes; the limit is " + max);
        require(at + VAR_HEADER + declared <= end, what + " length " + declared + " exceeds the message");
        byte[] bytes = new byte[(int) declared];
        reader.read(bytes, 0, bytes.length);
        return bytes;
    }

    private static void require(boolean condition, String problem) {
        if (!condition) {
            throw new KvException(ErrorCode.INVALID_ARGUMENT, "malformed replication message: " + problem);
        }
    }
}
