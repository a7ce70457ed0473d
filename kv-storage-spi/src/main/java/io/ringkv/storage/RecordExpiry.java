package io.ringkv.storage;

/**
 * When a live record's value expires, read from its version blob by the layer that wrote the blob (engines never
 * interpret versions). An engine that compacts asks it for each live record it rewrites; a record past its expiry
 * is kept as a tombstone with {@link #expiredVersion}, whose write time for the purge rule is the expiry instant,
 * and is dropped later as any tombstone is: past its grace and when the store's {@link PurgeGate} allows. So an
 * expired value frees its space at the first compaction after it expires, and cannot come back through a replica
 * that missed the write that made it expire. Called from engine threads: implementations are thread-safe and do not
 * block.
 */
public interface RecordExpiry {
    /** Records never expire: the rule for stores whose blobs carry no expiry. */
    RecordExpiry NEVER = new RecordExpiry() {
        @Override
        public long expiresAtMillis(byte[] version) {
            return 0;
        }

        @Override
        public byte[] expiredVersion(byte[] version) {
            return version;
        }
    };

    /**
     * @param version a live record's version blob
     * @return when the record's value expires, in wall-clock milliseconds since the epoch, or 0 for never
     */
    long expiresAtMillis(byte[] version);

    /**
     * @param version the version blob of a live record whose {@link #expiresAtMillis} has passed
     * @return the version blob of the tombstone kept in its place; the same bytes as the writing layer would store
     *     for the expired record written as a delete, so replicas that compacted and replicas that did not agree
     */
    byte[] expiredVersion(byte[] version);
}
