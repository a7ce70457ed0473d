package io.ringkv.node.runtime;

import io.ringkv.node.transport.AeronTransport;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentTerminationException;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

/**
 * The one thread that owns a node's protocol state. Each duty cycle runs the transport (media driver, client,
 * arrivals), fires due timers, and runs tasks other threads queued. Other threads reach the node only through
 * {@link #submit(Runnable)}, a bounded queue.
 *
 * <p>When the transport fails for good the agent marks the node's {@link NodeHealth} failed and stops: protocol
 * state that can no longer reach a peer must not keep answering, and the process is expected to exit.
 */
public final class NodeAgent implements Agent {
    private static final int TASK_QUEUE_CAPACITY = 4096;
    private static final int TASKS_PER_CYCLE = 64;

    private final String roleName;
    private final AeronTransport transport;
    private final WheelTimers timers;
    private final NodeHealth health;
    private final ManyToOneConcurrentArrayQueue<Runnable> tasks = new ManyToOneConcurrentArrayQueue<>(TASK_QUEUE_CAPACITY);
    private volatile Thread thread;
    private EngineStage storage;

    /**
     * @param roleName names the thread, e.g. {@code ringkv-node-n1}
     * @param transport the node's transport
     * @param timers the node's timers
     * @param health marked failed when the transport fails
     */
    public NodeAgent(String roleName, AeronTransport transport, WheelTimers timers, NodeHealth health) {
        this.roleName = roleName;
        this.transport = transport;
        this.timers = timers;
        this.health = health;
    }

    /**
     * Queues {@code task} to run on the agent thread.
     *
     * @return false when the queue is full: the caller decides whether to retry or fail
     */
    public boolean submit(Runnable task) {
        return tasks.offer(task);
    }

    /** Runs the storage stage's completions on this agent; set before the agent starts. */
    public void storage(EngineStage stage) {
        this.storage = stage;
    }

    /** Wakes the agent thread if it is parked (any thread): work was handed to it. */
    public void wake() {
        Thread running = thread;
        if (running != null) {
            java.util.concurrent.locks.LockSupport.unpark(running);
        }
    }

    @Override
    public void onStart() {
        thread = Thread.currentThread();
    }

    /**
     * Only messages, timers and tasks count as work: the media driver's own housekeeping (heartbeats, status
     * messages) keeps running every cycle but does not stop an idle node from backing off. Anything the node sends
     * is work that cycle, so the next cycle, which pushes it out, comes at once.
     *
     * @throws AgentTerminationException when the transport has failed, which stops the agent
     */
    @Override
    public int doWork() {
        transport.doHousekeeping();
        if (transport.hasFailed()) {
            health.fail("transport failed: " + transport.failureReason());
            throw new AgentTerminationException("transport failed", true);
        }
        int work = transport.pollMessages();
        work += timers.poll();
        if (storage != null) {
            work += storage.drainCompletions();
        }
        work += tasks.drain(Runnable::run, TASKS_PER_CYCLE);
        return work;
    }

    @Override
    public void onClose() {
        transport.close();
    }

    @Override
    public String roleName() {
        return roleName;
    }
}
