package io.ringkv.antientropy;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;

/**
 * How {@link LiveTreeRebuilder} paces the scans that make live trees ready.
 *
 * @param rebuildBytesPerSecond scan rate the rebuilds average at most: after a range's scan of B bytes the next
 *     waits B / rate (default 32 MiB/s: a node holding 1 TB rebuilds every tree in about 9 hours, well inside a day's
 *     repair period, while taking a few per cent of a disk's bandwidth; an empty or small node is ready in seconds)
 * @param minPauseNanos the least pause between two ranges' rebuilds, so a node of many small ranges still leaves
 *     its storage stage to the requests (default 10 ms: 768 empty ranges in about 8 s)
 * @param rebuildPeriodNanos every tree is rebuilt from a scan this long after its last scheduled pass started, to
 *     bound drift from writes a tree could not see (default 24 h; 0 for never)
 */
public record LiveTreeConfig(long rebuildBytesPerSecond, long minPauseNanos, long rebuildPeriodNanos) {
    /** The defaults. */
    public static final LiveTreeConfig DEFAULT = new LiveTreeConfig(32L << 20, 10_000_000L, 24 * 3_600_000_000_000L);

    /** @throws KvException with {@code INVALID_CONFIGURATION} naming the bad setting */
    public LiveTreeConfig {
        if (rebuildBytesPerSecond < 1 << 20) {
            throw invalid("repair.tree-rebuild-rate must be at least 1 MiB/s, was " + rebuildBytesPerSecond);
        }
        if (minPauseNanos < 0 || minPauseNanos > 60_000_000_000L) {
            throw invalid("repair.tree-rebuild-pause must be 0 to 60 s, was " + minPauseNanos + " ns");
        }
        if (rebuildPeriodNanos < 0) {
            throw invalid("repair.tree-rebuild-period must not be negative, was " + rebuildPeriodNanos + " ns");
        }
    }

    /** @return these settings with the scheduled rebuild every {@code periodNanos} (0: never) */
    public LiveTreeConfig withRebuildPeriod(long periodNanos) {
        return new LiveTreeConfig(rebuildBytesPerSecond, minPauseNanos, periodNanos);
    }

    private static KvException invalid(String message) {
        return new KvException(ErrorCode.INVALID_CONFIGURATION, message);
    }
}
