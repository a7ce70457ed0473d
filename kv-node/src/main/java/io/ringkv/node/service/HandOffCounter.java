package io.ringkv.node.service;

import io.ringkv.api.CounterDescriptor;
import io.ringkv.api.CounterKind;
import io.ringkv.api.CounterSpec;

/** Hand-offs between a front door and the node's agent thread that found the other side's queue full. */
public enum HandOffCounter implements CounterDescriptor {
    /** Written by every front door thread (atomically). */
    AGENT_QUEUE_FULL("agent_queue_full",
        "batches of client requests answered UNAVAILABLE at once because the agent thread's inbox was full"),
    /** Written by the agent thread only. */
    FRONT_DOOR_QUEUE_FULL("front_door_queue_full",
        "answer batches that waited a duty cycle because a front door's queue was full");

    private final CounterSpec spec;

    HandOffCounter(String counterName, String help) {
        this.spec = new CounterSpec(counterName, help, CounterKind.COUNTER, "stats");
    }

    @Override
    public CounterSpec spec() {
        return spec;
    }
}
