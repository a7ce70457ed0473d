package io.ringkv.storage.lsm.internal;

import io.ringkv.api.Key;
import io.ringkv.api.Limits;
import io.ringkv.storage.StorageKey;
import io.ringkv.storage.StorageRecord;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The one encoding of a record, shared by the commit log and SSTable blocks (little-endian):
 * {@code token i64, keyLength i32, versionLength i32, valueLength i32 (-1 for a tombstone), seq i64,
 * writeMillis i64, key, version, value}.
 */
final class RecordCodec {
    static final int HEADER_BYTES = 8 + 4 + 4 + 4 + 8 + 8;
    static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private RecordCodec() {
    }

    /** @return the encoded length of {@code entry} */
    static int encodedLength(Entry entry) {
        StorageRecord record = entry.record();
        return HEADER_BYTES + record.key().length() + record.versionLength() + Math.max(0, record.valueLength());
    }

    /** Writes {@code entry} at the buffer's position (little-endian), advancing it. */
    static void encode(Entry entry, ByteBuffer out) {
        StorageRecord record = entry.record();
        ByteBuffer buffer = out.order(ByteOrder.LITTLE_ENDIAN);
        putHeader(record.token(), record.key(), record.versionLength(), record.valueLength(), entry.seq(),
            entry.writeMillis(), buffer);
        buffer.put(record.versionBuffer());
        if (!record.isTombstone()) {
            buffer.put(record.valueBuffer());
        }
    }

    /**
     * Writes a record from its parts, so the write path encodes the caller's arrays without copying them first.
     *
     * @param value the value, or null for a tombstone
     */
    static void encode(long token, Key key, byte[] version, byte[] value, long seq, long writeMillis,
                       ByteBuffer out) {
        ByteBuffer buffer = out.order(ByteOrder.LITTLE_ENDIAN);
        putHeader(token, key, version.length, value == null ? -1 : value.length, seq, writeMillis, buffer);
        buffer.put(version);
        if (value != null) {
            buffer.put(value);
        }
    }

    /** Writes the header and the key. */
    private static void putHeader(long token, Key key, int versionLength, int valueLength, long seq,
                                  long writeMillis, ByteBuffer buffer) {
        buffer.putLong(token).putInt(key.length()).putInt(versionLength).putInt(valueLength).putLong(seq)
            .putLong(writeMillis);
        key.copyTo(buffer);
    }

    /** @return the encoded length of the record at {@code offset}, read from its header */
    static long length(MemorySegment segment, long offset) {
        int valueLength = segment.get(INT, offset + 16);
        return HEADER_BYTES + (long) segment.get(INT, offset + 8) + segment.get(INT, offset + 12)
            + Math.max(0, valueLength);
    }

    /** @return true when the header at {@code offset} describes a record that fits in {@code limit} */
    static boolean fits(MemorySegment segment, long offset, long limit) {
        if (offset + HEADER_BYTES > limit) {
            return false;
        }
        int keyLength = segment.get(INT, offset + 8);
        int versionLength = segment.get(INT, offset + 12);
        int valueLength = segment.get(INT, offset + 16);
        return keyLength >= 0 && versionLength >= 0 && valueLength >= -1
            && offset + HEADER_BYTES + (long) keyLength + versionLength + Math.max(0, valueLength) <= limit;
    }

    static long token(MemorySegment segment, long offset) {
        return segment.get(LONG, offset);
    }

    static int keyLength(MemorySegment segment, long offset) {
        return segment.get(INT, offset + 8);
    }

    static long seq(MemorySegment segment, long offset) {
        return segment.get(LONG, offset + 20);
    }

    /** Decodes the record at {@code offset}; the caller has checked it {@link #fits}. */
    static Entry decode(MemorySegment segment, long offset, Limits limits) {
        long token = segment.get(LONG, offset);
        int keyLength = segment.get(INT, offset + 8);
        int versionLength = segment.get(INT, offset + 12);
        int valueLength = segment.get(INT, offset + 16);
        long seq = segment.get(LONG, offset + 20);
        long writeMillis = segment.get(LONG, offset + 28);
        long at = offset + HEADER_BYTES;
        byte[] key = bytes(segment, at, keyLength);
        ByteBuffer version = segment.asSlice(at + keyLength, versionLength).asByteBuffer();
        StorageKey storageKey = new StorageKey(token, Key.of(key, limits));
        // the buffers are views of the block: the record copies each once
        StorageRecord record = valueLength < 0
            ? StorageRecord.tombstone(storageKey, version)
            : StorageRecord.live(storageKey, version,
                segment.asSlice(at + keyLength + versionLength, valueLength).asByteBuffer());
        return new Entry(record, seq, writeMillis);
    }

    private static byte[] bytes(MemorySegment segment, long offset, int length) {
        byte[] bytes = new byte[length];
        MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, offset, bytes, 0, length);
        return bytes;
    }

    /**
     * Compares the (token, key) of the record at {@code offset} with ({@code token}, {@code key}).
     *
     * @return negative, zero or positive as the stored record sorts before, with or after the given key
     */
    static int compare(MemorySegment segment, long offset, long token, MemorySegment key) {
        int byToken = Long.compare(segment.get(LONG, offset), token);
        if (byToken != 0) {
            return byToken;
        }
        long keyStart = offset + HEADER_BYTES;
        return compareKeys(segment, keyStart, segment.get(INT, offset + 8), key);
    }

    /** Compares stored key bytes with {@code key} as unsigned bytes, shorter first on a common prefix. */
    static int compareKeys(MemorySegment segment, long keyStart, int keyLength, MemorySegment key) {
        long mismatch = MemorySegment.mismatch(segment, keyStart, keyStart + keyLength, key, 0, key.byteSize());
        if (mismatch < 0) {
            return 0;
        }
        if (mismatch == keyLength || mismatch == key.byteSize()) {
            return Long.compare(keyLength, key.byteSize());
        }
        return Integer.compare(Byte.toUnsignedInt(segment.get(ValueLayout.JAVA_BYTE, keyStart + mismatch)),
            Byte.toUnsignedInt(key.get(ValueLayout.JAVA_BYTE, mismatch)));
    }
}
