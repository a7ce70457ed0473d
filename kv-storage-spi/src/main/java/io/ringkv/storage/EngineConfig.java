package io.ringkv.storage;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import io.ringkv.api.Limits;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What an engine is opened with: where its files live, the store's name, the size limits it enforces, and
 * engine-specific options (each engine documents its own and rejects unknown ones).
 *
 * @param dataDirectory the node's data directory; the engine keeps its files under
 *     {@code dataDirectory/storeName}
 * @param storeName 1–64 characters of letters, digits, '.', '_' or '-'
 * @param limits key and value limits; engines reject larger records with a clear error
 * @param maxVersionBytes largest version blob accepted
 * @param options engine-specific settings by name
 * @param purgeGate asked before a tombstone past its grace is dropped; {@link PurgeGate#GRACE_ONLY} drops every one
 * @param expiry reads a live record's expiry from its version blob, for engines that drop expired values at
 *     compaction; {@link RecordExpiry#NEVER} for stores without expiry
 */
public record EngineConfig(Path dataDirectory, String storeName, Limits limits, int maxVersionBytes,
                           Map<String, String> options, PurgeGate purgeGate, RecordExpiry expiry) {
    /** Version blobs above this are rejected: vector clocks are pruned long before. */
    public static final int DEFAULT_MAX_VERSION_BYTES = 64 * 1024;
    /**
     * How long engines that purge tombstones keep one at least, unless configured otherwise: 10 days, longer than a
     * node is expected to stay down, so that a replica that missed a delete gets it from repair first.
     */
    public static final long DEFAULT_TOMBSTONE_GRACE_SECONDS = 10 * 86_400;
    private static final Pattern STORE_NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    /** @throws KvException with {@link ErrorCode#INVALID_CONFIGURATION} naming the bad setting */
    public EngineConfig {
        Objects.requireNonNull(dataDirectory, "dataDirectory");
        Objects.requireNonNull(limits, "limits");
        if (storeName == null || !STORE_NAME.matcher(storeName).matches() || storeName.startsWith(".")) {
            throw new KvException(ErrorCode.INVALID_CONFIGURATION,
                "store name must be 1–64 characters of [A-Za-z0-9._-] not starting with '.', was '" + storeName + "'");
        }
        if (maxVersionBytes < 1) {
            throw new KvException(ErrorCode.INVALID_CONFIGURATION,
                "max version size must be at least 1 byte, was " + maxVersionBytes);
        }
        options = Map.copyOf(options);
        Objects.requireNonNull(purgeGate, "purgeGate");
        Objects.requireNonNull(expiry, "expiry");
    }

    /** A store without expiry whose tombstones are purged when {@code purgeGate} allows. */
    public EngineConfig(Path dataDirectory, String storeName, Limits limits, int maxVersionBytes,
                        Map<String, String> options, PurgeGate purgeGate) {
        this(dataDirectory, storeName, limits, maxVersionBytes, options, purgeGate, RecordExpiry.NEVER);
    }

    /** A store whose tombstones are purged once past their grace ({@link PurgeGate#GRACE_ONLY}). */
    public EngineConfig(Path dataDirectory, String storeName, Limits limits, int maxVersionBytes,
                        Map<String, String> options) {
        this(dataDirectory, storeName, limits, maxVersionBytes, options, PurgeGate.GRACE_ONLY);
    }

    /** A store with default limits and no options. */
    public static EngineConfig of(Path dataDirectory, String storeName) {
        return new EngineConfig(dataDirectory, storeName, Limits.DEFAULT, DEFAULT_MAX_VERSION_BYTES, Map.of());
    }

    /** @return a copy with {@code options} */
    public EngineConfig withOptions(Map<String, String> newOptions) {
        return new EngineConfig(dataDirectory, storeName, limits, maxVersionBytes, newOptions, purgeGate, expiry);
    }

    /** @return a copy whose tombstones are purged only when {@code gate} allows */
    public EngineConfig withPurgeGate(PurgeGate gate) {
        return new EngineConfig(dataDirectory, storeName, limits, maxVersionBytes, options, gate, expiry);
    }

    /** @return a copy with {@code newLimits} */
    public EngineConfig withLimits(Limits newLimits) {
        return new EngineConfig(dataDirectory, storeName, newLimits, maxVersionBytes, options, purgeGate, expiry);
    }

    /** @return a copy whose live records expire as {@code rule} reads them */
    public EngineConfig withExpiry(RecordExpiry rule) {
        return new EngineConfig(dataDirectory, storeName, limits, maxVersionBytes, options, purgeGate, rule);
    }

    /** @return the directory that holds this store's files */
    public Path storeDirectory() {
        return dataDirectory.resolve(storeName);
    }
}
