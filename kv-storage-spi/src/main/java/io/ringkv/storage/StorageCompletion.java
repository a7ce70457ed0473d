package io.ringkv.storage;

import io.ringkv.api.KvException;

/**
 * How a {@link StorageTask} ended, delivered on the protocol thread.
 *
 * @param <T> the task's result
 */
@FunctionalInterface
public interface StorageCompletion<T> {
    /**
     * @param result the task's result, null when it failed
     * @param failure why the task (or the force that had to cover it) failed, or null
     */
    void complete(T result, KvException failure);
}
