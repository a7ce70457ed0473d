package io.ringkv.storage;

import io.ringkv.api.Key;
import java.util.Arrays;
import java.util.Objects;

/**
 * What an engine holds for one key: an opaque version blob (the replica layer's encoded version or sibling
 * set) and either a value or a tombstone. Engines never interpret versions: the replica reads, resolves and
 * writes the resolved record back. Immutable: arrays are copied in and out.
 */
public final class StorageRecord {
    private final StorageKey storageKey;
    private final byte[] version;
    private final byte[] value;

    private StorageRecord(StorageKey storageKey, byte[] version, byte[] value) {
        this.storageKey = Objects.requireNonNull(storageKey, "storageKey");
        this.version = Objects.requireNonNull(version, "version").clone();
        this.value = value == null ? null : value.clone();
    }

    /** A live record holding {@code value}. */
    public static StorageRecord live(StorageKey key, byte[] version, byte[] value) {
        return new StorageRecord(key, version, Objects.requireNonNull(value, "value"));
    }

    /** A tombstone: the key was deleted at {@code version}. */
    public static StorageRecord tombstone(StorageKey key, byte[] version) {
        return new StorageRecord(key, version, null);
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
