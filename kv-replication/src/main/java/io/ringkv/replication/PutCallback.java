package io.ringkv.replication;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.Version;

/** Answers a {@link Coordinator#put} or {@link Coordinator#delete}; exactly one method is called once. */
public interface PutCallback {
    /** @param written the version W replicas made durable */
    void onSuccess(Version written);

    /**
     * What the coordinator calls on success; by default {@link #onSuccess(Version)}.
     *
     * @param written the version W replicas made durable
     * @param supersededLive true when the write superseded a live value held by the replica that coordinated it,
     *     or found by the read before a blind write's second round (a blind {@code DEL} answers 1 then): their view
     *     only, not the cluster's
     */
    default void onSuccess(Version written, boolean supersededLive) {
        onSuccess(written);
    }

    /**
     * The write was not acknowledged by W replicas. It may still have reached some of them and may still become
     * visible (a failed write is indeterminate, as in every Dynamo-style store).
     *
     * @param code {@code UNAVAILABLE}, {@code TIMEOUT}, {@code DISK_FULL} (every replica that failed it has a
     *     full disk; the message names them), {@code STORAGE_FAILURE} or {@code INVALID_CONSISTENCY}
     * @param message why
     */
    void onFailure(ErrorCode code, String message);
}
