package io.ringkv.replication;

import io.ringkv.api.ErrorCode;

/** Answers a {@link ScanCoordinator#scan}; exactly one method is called once, on the agent thread. */
public interface ScanCallback {
    /** @param page the keys found and the next cursor */
    void onSuccess(ScanPage page);

    /** @param code {@code TIMEOUT} or {@code UNAVAILABLE}; @param message why */
    void onFailure(ErrorCode code, String message);
}
