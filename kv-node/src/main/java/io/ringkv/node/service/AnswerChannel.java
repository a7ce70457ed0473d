package io.ringkv.node.service;

import java.util.List;

/**
 * The way back to a front door's thread: a service hands it every answer one of its cycles produced for that
 * front door in one call (one queue offer, at most one wake-up), rather than one hand-off per answer.
 */
@FunctionalInterface
public interface AnswerChannel {
    /** Runs answers on the thread that delivers them: for callers that answer on their own thread. */
    AnswerChannel CALLER = answers -> {
        answers.forEach(Runnable::run);
        return true;
    };

    /**
     * Runs every task of {@code answers} on this channel's thread, in order. Called from any thread; never blocks.
     * The channel owns the list from then on.
     *
     * @return false when the channel cannot take them now (its queue is full): nothing was taken, the caller
     *     keeps them and delivers them again later
     */
    boolean deliver(List<Runnable> answers);
}
