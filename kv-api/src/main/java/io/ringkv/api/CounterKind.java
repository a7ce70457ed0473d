package io.ringkv.api;

/** Whether a counter only grows or may go up and down; Prometheus exposes the two differently. */
public enum CounterKind {
    /** Only grows while the node runs (events: sends, drops, retries); starts at 0 with each process. */
    COUNTER,
    /** Goes up and down (open connections, bytes held, free disk). */
    GAUGE
}
