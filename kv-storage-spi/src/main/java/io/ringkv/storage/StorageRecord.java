package io.ringkv.storage;

import io.ringkv.api.Key;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * What an engine holds for one key: an opaque version blob (the replica layer's encoded version or sibling
 * set) and either a value or a tombstone. Engines never interpret versions: the replica reads, resolves and
 * writes the resolved record back. Immutable: arrays are copied in and out; the read-only views
 * ({@link #versionBuffer()}, {@link #valueBuffer()}) and the buffer factory ({@link #live(StorageKey, ByteBuffer,
 * ByteBuffer)}) let the hot paths read and build records with one copy of a value, not several.
 */
public final class StorageRecord {
    private final StorageKey storageKey;
    private final byte[] version;
    private final byte[] value;

    /** Takes the arrays as they are: every caller passes arrays nothing else holds. */
    private StorageRecord(StorageKey storageKey, byte[] version, byte[] value) {
        this.storageKey = Objects.requireNonNull(storageKey, "storageKey");
        this.version = version;
        this.value = value;
    }

    /** A live record holding {@code value}. */
    public static StorageRecord live(StorageKey key, byte[] version, byte[] value) {
        return new StorageRecord(key, Objects.requireNonNull(version, "version").clone(),
            Objects.requireNonNull(value, "value").clone());
    }

    /**
     * A live record from the remaining bytes of two buffers, each copied once (the buffers' positions are not
     * moved): an engine decoding a record from its own pages builds it without an intermediate array.
     */
    public static StorageRecord live(StorageKey key, ByteBuffer version, ByteBuffer value) {
        return new StorageRecord(key, remaining(version, "version"), remaining(value, "value"));
    }

    /** A tombstone: the key was deleted at {@code version}. */
    public static StorageRecord tombstone(StorageKey key, byte[] version) {
        return new StorageRecord(key, Objects.requireNonNull(version, "version").clone(), null);
    }

    /** A tombstone from the remaining bytes of {@code version}, copied once (its position is not moved). */
    public static StorageRecord tombstone(StorageKey key, ByteBuffer version) {
        return new StorageRecord(key, remaining(version, "version"), null);
    }

    private static byte[] remaining(ByteBuffer buffer, String what) {
        byte[] bytes = new byte[Objects.requireNonNull(buffer, what).remaining()];
        buffer.get(buffer.position(), bytes);
        return bytes;
    }

    /** @return token and key */
    public StorageKey storageKey() {
        return storageKey;
    }

    /** @return the key's ring token */
    public long token() {
        return storageKey.token();
    }

    /** @return the key */
    public Key key() {
        return storageKey.key();
    }

    /** @return true when this record marks a delete */
    public boolean isTombstone() {
        return value == null;
    }

    /** @return a copy of the version blob */
    public byte[] version() {
        return version.clone();
    }

    /** @return a copy of the value, or null for a tombstone */
    public byte[] value() {
        return value == null ? null : value.clone();
    }

    /** @return the version blob, read-only, without a copy */
    public ByteBuffer versionBuffer() {
        return ByteBuffer.wrap(version).asReadOnlyBuffer();
    }

    /** @return the value, read-only, without a copy; null for a tombstone */
    public ByteBuffer valueBuffer() {
        return value == null ? null : ByteBuffer.wrap(value).asReadOnlyBuffer();
    }

    /** @return the version blob's length */
    public int versionLength() {
        return version.length;
    }

    /** @return the value's length, or -1 for a tombstone */
    public int valueLength() {
        return value == null ? -1 : value.length;
    }

    /** @return bytes this record occupies, roughly: key, version and value */
    public long sizeInBytes() {
        return Long.BYTES + storageKey.key().length() + version.length + Math.max(0, valueLength());
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof StorageRecord that
            && storageKey.equals(that.storageKey)
            && Arrays.equals(version, that.version)
            && Arrays.equals(value, that.value);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * storageKey.hashCode() + Arrays.hashCode(version)) + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return (isTombstone() ? "Tombstone[" : "Record[") + storageKey + ", version " + version.length
            + " bytes" + (isTombstone() ? "" : ", value " + value.length + " bytes") + "]";
    }
}
