package io.ringkv.node.service;

import io.ringkv.node.runtime.AgentInbox;

/**
 * A front door's calls onto the node's agent thread, one named method each, through the agent's bounded inbox.
 * A refused offer is counted ({@code agent_queue_full}) and reported to the caller, which answers at once: the
 * front door never blocks on a busy node. One front door thread calls it.
 */
final class AgentProxy {
    private final AgentInbox inbox;
    /** Written by the front door's thread only; read by INFO from any. */
    private volatile long queueFull;

    AgentProxy(AgentInbox inbox) {
        this.inbox = inbox;
    }

    /** @return false when the inbox was full: {@code requests} will not run, and the refusal was counted */
    boolean runRequests(Runnable requests) {
        if (inbox.offer(requests)) {
            return true;
        }
        queueFull++;
        return false;
    }

    /** @return batches of requests the agent's inbox refused since start */
    long queueFull() {
        return queueFull;
    }
}
