package io.ringkv.node.runtime;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingIdleStrategy;

/** How a node's agent thread waits when it has nothing to do. */
public enum IdlePreset {
    /** The default: fast while traffic flows, near-silent when idle. */
    ADAPTIVE,
    /** Agrona's backoff defaults (spin, yield, park up to 1 ms). */
    BACKOFF,
    /** Sleep 1 µs between duty cycles: low latency, a steady share of a core. */
    SLEEPING,
    /** Never sleep: lowest latency, a whole core per node. For dedicated hardware only. */
    BUSY_SPIN;

    /** @return a fresh idle strategy for one agent */
    public IdleStrategy newStrategy() {
        return switch (this) {
            case ADAPTIVE -> new AdaptiveIdleStrategy();
            case BACKOFF -> new BackoffIdleStrategy();
            case SLEEPING -> new SleepingIdleStrategy(1_000);
            case BUSY_SPIN -> new BusySpinIdleStrategy();
        };
    }

    /** @return the name used on the command line, e.g. {@code busy-spin} */
    public String optionName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * @throws KvException with {@code INVALID_CONFIGURATION} listing the presets
     */
    public static IdlePreset parse(String name) {
        for (IdlePreset preset : values()) {
            if (preset.optionName().equals(name)) {
                return preset;
            }
        }
        throw new KvException(ErrorCode.INVALID_CONFIGURATION, "unknown idle strategy '" + name + "'; choose one of "
            + Arrays.stream(values()).map(IdlePreset::optionName).collect(Collectors.joining(", ")));
    }
}
