package io.ringkv.api;

import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Everything a protocol state machine needs from the world, injected: who it is, how it sends, what time it
 * is, how it waits, where its randomness comes from, and where it counts what it did. The same protocol code runs with production
 * implementations (Aeron, system clocks) and simulated ones (virtual network and time, seeded randomness).
 *
 * @param self this node's id
 * @param transport messages to and from peers
 * @param clock monotonic and wall-clock time
 * @param timers one-shot timers on the agent thread
 * @param random the node's seeded source of randomness
 * @param counters the node's one counter registry: each protocol object registers its counters here at start
 */
public record NodeContext(NodeId self, Transport transport, Clock clock, Timers timers, RandomGenerator random,
                          CounterRegistry counters) {
    /** @throws NullPointerException when any part is missing */
    public NodeContext {
        Objects.requireNonNull(self, "self");
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(timers, "timers");
        Objects.requireNonNull(random, "random");
        Objects.requireNonNull(counters, "counters");
    }
}
