package io.ringkv.node.service;

import io.ringkv.api.CounterDescriptor;
import io.ringkv.api.CounterKind;

/** Hand-offs between a front door and the node's agent thread that found the other side's queue full. */
public enum HandOffCounter implements CounterDescriptor {
    /** Written by every front door thread (atomically). */
    AGENT_QUEUE_FULL("agent_queue_full",
        "batches of client requests answered UNAVAILABLE at once because the agent thread's inbox was full"),
    /** Written by the agent thread only. */
    FRONT_DOOR_QUEUE_FULL("front_door_queue_full",
        "answer batches that waited a duty cycle because a front door's queue was full");

    private final String counterName;
    private final String help;

    HandOffCounter(String counterName, String help) {
        this.counterName = counterName;
        this.help = help;
    }

    @Override
    public String counterName() {
        return counterName;
    }

    @Override
    public String help() {
        return help;
    }

    @Override
    public CounterKind kind() {
        return CounterKind.COUNTER;
    }

    @Override
    public String section() {
        return "stats";
    }
}
