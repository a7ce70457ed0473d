package io.ringkv.api;

import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Everything a protocol state machine needs from the world, injected: who it is, how it sends, what time it
 * is, how it waits, and where its randomness comes from. The same protocol code runs with production
 * implementations (Aeron, system clocks) and simulated ones (virtual network and time, seeded randomness).
 *
 * @param self this node's id
 * @param transport messages to and from peers
 * @param clock monotonic and wall-clock time
 * @param timers one-shot timers on the agent thread
 * @param random the node's seeded source of randomness
 */
public record NodeContext(NodeId self, Transport transport, Clock clock, Timers timers, RandomGenerator random) {
    /** @throws NullPointerException when any part is missing */
    public NodeContext {
        Objects.requireNonNull(self, "self");
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(timers, "timers");
        Objects.requireNonNull(random, "random");
    }
}
