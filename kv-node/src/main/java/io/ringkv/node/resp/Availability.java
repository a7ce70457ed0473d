package io.ringkv.node.resp;

import java.util.Optional;

/**
 * Whether the node behind the front door can serve. {@code PING} answers an {@code UNAVAILABLE} error while it
 * cannot, so a health check that pings sees a node that looks alive but would fail every request for what it is.
 */
@FunctionalInterface
public interface Availability {
    /** Always available: a front door whose service has no way to fail as a whole. */
    Availability ALWAYS = Optional::empty;

    /**
     * Called on the front door's thread, so it must be quick and thread-safe.
     *
     * @return why the node cannot serve, or empty while it can
     */
    Optional<String> whyUnavailable();
}
