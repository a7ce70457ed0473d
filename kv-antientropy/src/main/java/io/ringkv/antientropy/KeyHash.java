package io.ringkv.antientropy;

import io.ringkv.storage.StorageRecord;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;

/**
 * The 64-bit hash of one key's state that {@link RangeTree} leaves XOR together: the first 8 bytes (big-endian)
 * of SHA-256 over the key, its version blob and its value or tombstone mark, each length-prefixed so no two
 * different inputs share an encoding. Any change of key, version or value, and a live record turned tombstone,
 * changes the hash (up to a 2^-64 collision chance).
 *
 * <p>Why SHA-256: XOR combining cancels only when bits are uniformly spread and independent, which a
 * cryptographic hash guarantees; every JDK ships it (intrinsified, over 1 GB/s on current CPUs), and it is the same
 * on every JVM, so hashes can cross the wire. Never 0: 0 means "no key" in a tree, so a digest of 0 maps to 1.
 *
 * <p>An instance reuses one {@link MessageDigest} and is not thread-safe (one per storage stage); the static
 * {@code of} methods make a digest per call.
 */
public final class KeyHash {
    private static final byte RECORD_DOMAIN = 1;
    private static final byte VERSION_SET_DOMAIN = 2;

    private final MessageDigest digest;
    private final byte[] prefix = new byte[Integer.BYTES];

    /** A hasher owned by one thread. */
    public KeyHash() {
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            // Every Java SE platform must provide SHA-256 (MessageDigest's javadoc).
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    /** @return the hash of a stored record: key, version blob, and value or tombstone */
    public static long of(StorageRecord record) {
        return new KeyHash().hash(record);
    }

    /** @return the hash of a key with a version blob and a value, {@code null} for a tombstone */
    public static long of(byte[] key, byte[] version, byte[] valueOrNull) {
        return new KeyHash().hash(key, version, valueOrNull);
    }

    /**
     * @return the hash of a key with its encoded version (sibling) set, values included in the encoding; never
     *     equal to a record hash of the same bytes (a distinct domain)
     */
    public static long of(byte[] key, byte[] versionSet) {
        return new KeyHash().hashVersionSet(key, versionSet);
    }

    /** @return {@link #of(StorageRecord)}, reusing this instance's digest */
    public long hash(StorageRecord record) {
        // read through the record's views: nothing allocated for the value (the digest reads a read-only view
        // through its own reused chunk of up to 4 KiB)
        return hashRecord(ByteBuffer.wrap(record.key().toByteArray()), record.versionBuffer(), record.valueBuffer());
    }

    /** @return {@link #of(byte[], byte[], byte[])}, reusing this instance's digest */
    public long hash(byte[] key, byte[] version, byte[] valueOrNull) {
        // Checked before the digest sees a byte, so a bad call leaves the reused digest clean.
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(version, "version");
        return hashRecord(ByteBuffer.wrap(key), ByteBuffer.wrap(version),
            valueOrNull == null ? null : ByteBuffer.wrap(valueOrNull));
    }

    /** The one encoding of a record both {@code hash} methods digest: domain, key, version, value or tombstone. */
    private long hashRecord(ByteBuffer key, ByteBuffer version, ByteBuffer valueOrNull) {
        digest.update(RECORD_DOMAIN);
        field(key);
        field(version);
        if (valueOrNull == null) {
            lengthPrefix(-1);
        } else {
            field(valueOrNull);
        }
        return finish();
    }

    /** @return {@link #of(byte[], byte[])}, reusing this instance's digest */
    public long hashVersionSet(byte[] key, byte[] versionSet) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(versionSet, "versionSet");
        digest.update(VERSION_SET_DOMAIN);
        field(key);
        field(versionSet);
        return finish();
    }

    private void field(byte[] bytes) {
        lengthPrefix(bytes.length);
        digest.update(bytes);
    }

    private void field(ByteBuffer bytes) {
        lengthPrefix(bytes.remaining());
        digest.update(bytes);
    }

    private void lengthPrefix(int length) {
        // one update of four bytes: the digest's per-byte path costs a call chain per byte, on every write
        prefix[0] = (byte) (length >>> 24);
        prefix[1] = (byte) (length >>> 16);
        prefix[2] = (byte) (length >>> 8);
        prefix[3] = (byte) length;
        digest.update(prefix, 0, Integer.BYTES);
    }

    private long finish() {
        byte[] sha = digest.digest();
        long hash = 0;
        for (int i = 0; i < Long.BYTES; i++) {
            hash = (hash << 8) | (sha[i] & 0xFF);
        }
        return hash == 0 ? 1 : hash;
    }
}
