package io.ringkv.replication;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.SiblingSet;

/** Answers a {@link Coordinator#get}; exactly one method is called once, on the agent thread. */
public interface GetCallback {
    /**
     * @param siblings the resolved versions of the key (empty when no replica holds it; tombstones included, see
     *     {@link SiblingSet#isDeleted()}); {@link SiblingSet#context()} is the context for a write that supersedes
     *     them
     */
    void onSuccess(SiblingSet siblings);

    /** @param code {@code UNAVAILABLE}, {@code TIMEOUT} or {@code INVALID_CONSISTENCY}; @param message why */
    void onFailure(ErrorCode code, String message);
}
