package io.ringkv.node.service;

import io.ringkv.api.Counter;
import io.ringkv.node.runtime.AgentInbox;

/**
 * A front door's calls onto the node's agent thread, one named method each, through the agent's bounded inbox.
 * A refused offer is counted ({@code agent_queue_full}) and reported to the caller, which answers at once: the
 * front door never blocks on a busy node. One front door thread calls it.
 */
final class AgentProxy {
    private final AgentInbox inbox;
    private final Counter queueFull;

    /** @param queueFull counts refused offers; front doors share it, so it is added to atomically */
    AgentProxy(AgentInbox inbox, Counter queueFull) {
        this.inbox = inbox;
        this.queueFull = queueFull;
    }

    /** @return false when the inbox was full: {@code requests} will not run, and the refusal was counted */
    boolean runRequests(Runnable requests) {
        if (inbox.offer(requests)) {
            return true;
        }
        queueFull.increment();
        return false;
    }
}
