package io.ringkv.node.service;

/**
 * Where a {@link KeyValueService} sends the result of one call: exactly one of its methods is called, once, on
 * the thread of its {@link #channel()} (the front door's), or on the asking thread while the call is running.
 *
 * @param <T> the result
 */
public interface Answer<T> {
    /** The call succeeded with {@code result}. */
    void succeeded(T result);

    /**
     * The call failed: a {@link io.ringkv.api.KvException}'s code and message reach the client; anything else is
     * a bug, answered as an internal error and counted.
     */
    void failed(Throwable failure);

    /** @return the thread this answer runs on; by default whichever thread completes it */
    default AnswerChannel channel() {
        return AnswerChannel.CALLER;
    }
}
