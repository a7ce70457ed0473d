package io.ringkv.api;

/** Called when a timer scheduled with {@link Timers#schedule} fires. */
@FunctionalInterface
public interface TimerHandler {
    /** @param timerId the id {@link Timers#schedule} returned */
    void onTimer(long timerId);
}
