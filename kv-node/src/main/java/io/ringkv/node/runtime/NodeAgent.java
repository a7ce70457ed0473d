package io.ringkv.node.runtime;

import io.ringkv.node.transport.AeronTransport;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntSupplier;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentTerminationException;
import org.agrona.concurrent.IdleStrategy;

/**
 * The one thread that owns a node's protocol state. Each duty cycle runs the transport (media driver, client,
 * arrivals), fires due timers, runs tasks other threads queued, then runs the cycle-end actions (which hand a
 * cycle's results to other threads in one go) and wakes a parked storage applier once for every task the cycle
 * handed it. Other threads reach the node only through its {@link #inbox()}, a bounded queue whose offers wake the
 * agent when it is parked.
 *
 * <p>When the transport fails for good the agent marks the node's {@link NodeHealth} failed and stops: protocol
 * state that can no longer reach a peer must not keep answering, and the process is expected to exit.
 */
public final class NodeAgent implements Agent {
    private static final int TASK_QUEUE_CAPACITY = 4096;
    private static final int TASKS_PER_CYCLE = 64;
    /**
     * The most cycles run at once after a cycle that only fired timers: enough for the driver to send a 64 KiB
     * repair reply in datagrams of 1,408 bytes (47) to a few peers, bounded so that no driver work keeps it awake.
     */
    private static final int MAX_QUIET_FOLLOW_UPS = 256;

    private final String roleName;
    private final AeronTransport transport;
    private final WheelTimers timers;
    private final NodeHealth health;
    private final AgentInbox inbox = new AgentInbox(TASK_QUEUE_CAPACITY);
    private final CopyOnWriteArrayList<IntSupplier> cycleEnds = new CopyOnWriteArrayList<>();
    private final CopyOnWriteArrayList<Runnable> closings = new CopyOnWriteArrayList<>();
    private volatile Thread thread;
    private volatile Runnable wakeIfParked;
    /** The agent's adaptive idle strategy, told of cycles that only fired timers; set before the agent runs. */
    private AdaptiveIdleStrategy adaptive;
    /** Cycles still to run at once after timers fired, while the media driver keeps sending (agent thread). */
    private int quietFollowUps;
    private EngineStage[] storage = new EngineStage[0];

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
        return inbox.offer(task);
    }

    /** @return the queue other threads hand work to this agent through */
    public AgentInbox inbox() {
        return inbox;
    }

    /**
     * Lets offers to the inbox wake the agent thread while {@code idle} parks it: call before the agent runs, with
     * the strategy it will run with. {@link AdaptiveIdleStrategy} sleeps on the transport's peer sockets, so a
     * datagram ends its sleep too; the other strategies park blind for at most 1 ms and are not woken.
     */
    public void idleWith(IdleStrategy idle) {
        if (idle instanceof AdaptiveIdleStrategy adaptive) {
            // a datagram for the media driver ends the sleep as a hand-off from another thread does
            adaptive.sleepOn(transport.sockets());
            adaptive.sleepUntil(timers::nanosUntilNextDeadline);
            this.adaptive = adaptive;
            inbox.wakeWith(adaptive::wakeIfParked);
            wakeIfParked = adaptive::wakeIfParked;
        }
    }

    /**
     * Adds an action run on the agent thread at the end of every duty cycle, e.g. handing the cycle's answers to
     * a front door in one offer. It returns its work count: non-zero keeps the agent from backing off.
     */
    public void atCycleEnd(IntSupplier action) {
        cycleEnds.add(action);
    }

    /**
     * Adds an action run on the agent thread when the agent stops (its runner closed, or its transport failed),
     * before the transport closes: e.g. a front door on this thread closing its clients' connections.
     */
    public void atClose(Runnable action) {
        closings.add(action);
    }

    /** Runs the storage stages' completions on this agent (the data engine's, the hint store's); before it starts. */
    public void storage(EngineStage... stages) {
        this.storage = stages.clone();
        for (EngineStage stage : storage) {
            stage.wakeAtCycleEnd();
        }
    }

    /**
     * Keeps the agent from sleeping from now on and wakes it, so that it sees at once that its runner is stopping
     * (a deep sleep lasts up to 100 ms). Any thread; call before closing the agent's runner.
     */
    public void stopSleeping() {
        if (adaptive != null) {
            adaptive.stopSleeping();
        } else {
            wake();
        }
    }

    /** Wakes the agent thread if it is parked (any thread): work was handed to it. */
    public void wake() {
        Runnable adaptive = wakeIfParked;
        if (adaptive != null) {
            adaptive.run();
            return;
        }
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
     * @throws AgentTerminationException when the transport has failed, or the cycle threw an {@link Error}, which
     *     stops the agent (and runs {@link #onClose()}: a front door on this thread closes its clients)
     */
    @Override
    public int doWork() {
        try {
            return cycle();
        } catch (Error e) {
            // the runner would let an Error end the thread without closing the agent
            health.fail("the agent thread failed: " + e);
            throw new AgentTerminationException(e);
        }
    }

    private int cycle() {
        int housekeeping = transport.doHousekeeping();
        if (transport.hasFailed()) {
            health.fail("transport failed: " + transport.failureReason());
            throw new AgentTerminationException("transport failed", true);
        }
        try {
            int work = transport.pollMessages();
            int fired = timers.poll();
            for (EngineStage stage : storage) {
                work += stage.drainCompletions();
            }
            work += inbox.drain(TASKS_PER_CYCLE);
            for (IntSupplier action : cycleEnds) {
                work += action.getAsInt();
            }
            if (adaptive != null && work == 0) {
                // timers alone are no sign of traffic: the agent backs off where it was, after as many cycles at once
                // as the media driver takes to send what they sent (one datagram per publication per cycle)
                if (fired > 0) {
                    quietFollowUps = MAX_QUIET_FOLLOW_UPS;
                } else if (housekeeping == 0) {
                    quietFollowUps = 0;
                }
                if (quietFollowUps > 0) {
                    quietFollowUps--;
                    adaptive.quietWork();
                }
                return 0;
            }
            quietFollowUps = 0;
            return work + fired;
        } finally {
            // also when a handler threw: what the cycle submitted before it must not wait out the applier's park
            for (EngineStage stage : storage) {
                stage.endCycle();
            }
        }
    }

    @Override
    public void onClose() {
        try {
            for (Runnable action : closings) {
                try {
                    action.run();
                } catch (RuntimeException e) {
                    // closing: the transport must close whatever an action does
                    System.getLogger(NodeAgent.class.getName()).log(System.Logger.Level.WARNING,
                        "closing the agent: " + e);
                }
            }
        } finally {
            transport.close();
        }
    }

    @Override
    public String roleName() {
        return roleName;
    }
}
