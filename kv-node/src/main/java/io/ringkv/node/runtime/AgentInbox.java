package io.ringkv.node.runtime;

import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

/**
 * The bounded queue through which other threads hand work to the agent thread. An offer that succeeds wakes the
 * agent if it is parked, so handed-over work does not wait for the idle strategy's park to end; a full queue
 * refuses at once and the caller decides what to answer (it never blocks).
 */
public final class AgentInbox {
    private final ManyToOneConcurrentArrayQueue<Runnable> tasks;
    private volatile Runnable wakeup = () -> { };

    /** @param capacity tasks the inbox holds before it refuses offers */
    public AgentInbox(int capacity) {
        tasks = new ManyToOneConcurrentArrayQueue<>(capacity);
    }

    /** @param wake called after each accepted offer, from the offering thread; must be cheap when nothing sleeps */
    public void wakeWith(Runnable wake) {
        wakeup = wake;
    }

    /**
     * Queues {@code task} to run on the agent thread and wakes the agent if it is parked.
     *
     * @return false when the queue is full: nothing was queued
     */
    public boolean offer(Runnable task) {
        if (!tasks.offer(task)) {
            return false;
        }
        wakeup.run();
        return true;
    }

    /** Agent thread: runs up to {@code limit} queued tasks in the order offered. @return tasks run */
    int drain(int limit) {
        return tasks.drain(Runnable::run, limit);
    }
}
