package io.ringkv.api;

/**
 * One-shot timers that fire on the node's agent thread. Handlers are usually long-lived objects that tell
 * their timers apart by id, so scheduling allocates nothing.
 */
public interface Timers {
    /**
     * @param delayNanos how long from now, at least 0
     * @param handler called once when the timer fires, unless cancelled first
     * @return the timer's id, unique for this node's lifetime
     */
    long schedule(long delayNanos, TimerHandler handler);

    /** @return true when the timer was pending and will now not fire */
    boolean cancel(long timerId);
}
