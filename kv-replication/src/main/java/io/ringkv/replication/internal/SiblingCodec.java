package io.ringkv.replication.internal;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import io.ringkv.api.Limits;
import io.ringkv.api.SiblingSet;
import io.ringkv.api.Value;
import io.ringkv.api.Version;
import io.ringkv.api.VersionEncoding;
import io.ringkv.api.Versioned;
import io.ringkv.storage.RecordExpiry;
import io.ringkv.storage.StorageRecord;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * How a replica stores a key's resolved sibling set as ONE {@link StorageRecord}, so a read is one engine get and
 * a write one put. Little-endian:
 * <pre>
 * version blob := formatVersion:u8(=3) expiresAtMillis:i64 count:u16
 *                 { version(VersionEncoding) tombstone:u8 valueLength:i32 }*
 * value blob   := the live siblings' values, concatenated in the blob's order
 * </pre>
 * A set of tombstones only is stored as an engine tombstone (with the blob), so engines and anti-entropy see a
 * delete as a delete. {@code expiresAtMillis} is the set's {@link SiblingSet#expiresAtMillis()} (when its last live
 * value expires, 0 for never), at a fixed place so an engine's compaction reads it without decoding the set
 * ({@link #EXPIRY}); an expired record is kept as the tombstone of the same set with every value expired, the exact
 * blob a replica writes when it learns of that tombstone, so compacted and uncompacted replicas converge.
 * Format 2 (before expiry: no {@code expiresAtMillis}, versions without their expiry) is still read. The engine must accept values of {@code maxSiblings × maxValueBytes}
 * ({@link io.ringkv.replication.ReplicationConfig#storageLimits()}).
 *
 * <p>Format 2 holds dotted versions. Format 1 (vector clocks stamped by any coordinator, before dotted version
 * vectors) is not read: its counters cannot be trusted to be unique, so converting it could let a new write be
 * mistaken for an old one and dropped. A record of format 1 fails with {@code STORAGE_FAILURE} and a message
 * saying so; such a node is started on an empty data directory.
 */
public final class SiblingCodec {
    private static final byte FORMAT = 3;
    private static final byte PRE_EXPIRY_FORMAT = 2;
    private static final byte PRE_DOT_FORMAT = 1;

    /** Reads a stored record's expiry from its blob, for the data store's compaction. */
    public static final RecordExpiry EXPIRY = new RecordExpiry() {
        @Override
        public long expiresAtMillis(byte[] version) {
            if (version.length < 1 + Long.BYTES || version[0] != FORMAT) {
                return Version.NEVER;
            }
            long expiresAt = ByteBuffer.wrap(version, 1, Long.BYTES).order(ByteOrder.LITTLE_ENDIAN).getLong();
            return Math.max(expiresAt, Version.NEVER);
        }

        @Override
        public byte[] expiredVersion(byte[] version) {
            SiblingSet set = decodeVersions(ByteBuffer.wrap(version), null, Limits.DEFAULT);
            List<Versioned> expired = new ArrayList<>(set.size());
            for (Versioned versioned : set.versions()) {
                expired.add(Versioned.tombstone(versioned.version()));
            }
            return encodeVersions(new SiblingSet(expired));
        }
    };

    private SiblingCodec() {
    }

    /** @return true when {@code version} is a version blob in the format {@link #encodeVersions} writes */
    public static boolean isCurrentFormat(byte[] version) {
        return version.length > 0 && version[0] == FORMAT;
    }

    /** @return the version blob of {@code set} */
    public static byte[] encodeVersions(SiblingSet set) {
        int length = 1 + Long.BYTES + Short.BYTES;
        for (Versioned versioned : set.versions()) {
            length += VersionEncoding.versionLength(versioned.version()) + 1 + Integer.BYTES;
        }
        ByteBuffer buffer = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        buffer.put(FORMAT).putLong(set.expiresAtMillis()).putShort((short) set.size());
        for (Versioned versioned : set.versions()) {
            VersionEncoding.writeVersion(buffer, versioned.version());
            buffer.put((byte) (versioned.isTombstone() ? 1 : 0));
            buffer.putInt(versioned.isTombstone() ? -1 : versioned.value().length());
        }
        return buffer.array();
    }

    /** @return the value blob of {@code set}: its live values concatenated */
    public static byte[] encodeValues(SiblingSet set) {
        int length = 0;
        for (Versioned versioned : set.versions()) {
            length += versioned.isTombstone() ? 0 : versioned.value().length();
        }
        ByteBuffer buffer = ByteBuffer.allocate(length);
        for (Versioned versioned : set.versions()) {
            if (!versioned.isTombstone()) {
                versioned.value().copyTo(buffer);
            }
        }
        return buffer.array();
    }

    /**
     * @param record what the engine returned
     * @param limits the value limit every sibling was written under
     * @return the sibling set a record holds
     * @throws KvException with {@link ErrorCode#STORAGE_FAILURE} when the record is not in this format
     */
    public static SiblingSet decode(StorageRecord record, Limits limits) {
        return decodeVersions(record.versionBuffer(), record, limits);
    }

    /**
     * @param record the record the blob is from, whose values it reads; null to read the blob alone, each live
     *     sibling then shown as a tombstone of its version
     */
    private static SiblingSet decodeVersions(ByteBuffer blob, StorageRecord record, Limits limits) {
        ByteBuffer versions = blob.order(ByteOrder.LITTLE_ENDIAN);
        // an engine tombstone holding live siblings is an expired record a compaction kept without its values
        boolean valuesDropped = record == null || record.isTombstone();
        // a view of the record's values: each sibling's value is copied once, into its Value
        ByteBuffer values = valuesDropped ? ByteBuffer.allocate(0) : record.valueBuffer();
        try {
            byte format = versions.get();
            if (format == PRE_DOT_FORMAT) {
                throw new KvException(ErrorCode.STORAGE_FAILURE, "stored record for " + what(record) + " is in"
                    + " format 1, from before dotted version vectors, which this ringkv does not read; start the"
                    + " node on an empty data directory");
            }
            if (format != FORMAT && format != PRE_EXPIRY_FORMAT) {
                throw corrupt(record, "unknown format " + (format & 0xFF));
            }
            boolean withExpiry = format == FORMAT;
            if (withExpiry) {
                versions.getLong();
            }
            int count = versions.getShort() & 0xFFFF;
            List<Versioned> siblings = new ArrayList<>(count);
            int valueOffset = 0;
            for (int i = 0; i < count; i++) {
                Version version = withExpiry ? VersionEncoding.readVersion(versions)
                    : VersionEncoding.readVersionWithoutExpiry(versions);
                boolean tombstone = versions.get() != 0;
                int length = versions.getInt();
                if (tombstone || valuesDropped) {
                    siblings.add(Versioned.tombstone(version));
                    continue;
                }
                if (length < 0 || length > values.limit() - valueOffset) {
                    throw corrupt(record, "value lengths exceed the value blob");
                }
                Value value = Value.of(values.slice(valueOffset, length), limits);
                valueOffset += length;
                siblings.add(Versioned.of(version, value));
            }
            return new SiblingSet(siblings);
        } catch (BufferUnderflowException e) {
            throw corrupt(record, "version blob is truncated");
        }
    }

    private static String what(StorageRecord record) {
        return record == null ? "a key" : String.valueOf(record.key());
    }

    private static KvException corrupt(StorageRecord record, String why) {
        return new KvException(ErrorCode.STORAGE_FAILURE, "stored record for " + what(record) + " is corrupt: " + why);
    }
}
