package io.ringkv.storage;

/**
 * Storage work handed to a {@link StorageStage}: runs on a storage thread against the node's engine.
 *
 * @param <T> what the task hands back to the protocol thread
 */
@FunctionalInterface
public interface StorageTask<T> {
    /**
     * @param engine the node's engine
     * @return the result the completion receives
     * @throws io.ringkv.api.KvException when the engine refused or failed (the completion receives it)
     */
    T run(StorageEngine engine);
}
