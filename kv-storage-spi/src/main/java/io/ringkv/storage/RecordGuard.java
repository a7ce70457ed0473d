package io.ringkv.storage;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.Key;
import io.ringkv.api.KvException;
import java.util.Objects;

/**
 * The checks every engine makes before it stores anything: arguments present, sizes within the configured
 * limits, engine open. Shared so that every engine rejects the same input with the same error.
 */
public final class RecordGuard {
    private final EngineConfig config;
    private volatile boolean closed;

    /** @param config the limits to enforce */
    public RecordGuard(EngineConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    /**
     * @throws KvException with {@code KEY_TOO_LARGE}, {@code VALUE_TOO_LARGE}, {@code INVALID_ARGUMENT} (version
     *     too large) or {@code CLOSED}
     */
    public void checkWrite(Key key, byte[] version, byte[] value) {
        checkOpen();
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(version, "version");
        config.limits().checkKeyLength(key.length());
        if (version.length > config.maxVersionBytes()) {
            throw new KvException(ErrorCode.INVALID_ARGUMENT,
                "version is " + version.length + " bytes; the limit is " + config.maxVersionBytes() + " bytes");
        }
        if (value != null) {
            config.limits().checkValueLength(value.length);
        }
    }

    /** @throws KvException with {@code CLOSED} once {@link #close()} was called */
    public void checkOpen() {
        if (closed) {
            throw new KvException(ErrorCode.CLOSED, "storage engine for store '" + config.storeName() + "' is closed");
        }
    }

    /** Marks the engine closed. @return true the first time */
    public synchronized boolean close() {
        boolean wasOpen = !closed;
        closed = true;
        return wasOpen;
    }
}
