package io.ringkv.replication;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.Value;

/** How a change of a key's expiry ({@link Coordinator#changeExpiry}) ended; called on the agent thread. */
public interface ExpiryCallback {
    /**
     * @param value the key's value as the read found it, null when the key was absent (nothing was written)
     * @param changed true when the new expiry (or the delete, for an expiry already past) was written at W
     */
    void onSuccess(Value value, boolean changed);

    /** The read or the write failed; the write may or may not have taken effect when the write failed. */
    void onFailure(ErrorCode code, String message);
}
