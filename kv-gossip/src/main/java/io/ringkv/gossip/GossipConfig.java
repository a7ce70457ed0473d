package io.ringkv.gossip;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import io.ringkv.api.NodeId;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * How a node gossips.
 *
 * @param clusterName nodes gossip only with nodes of the same cluster name (a safety net against two clusters
 *     joined by a mistyped seed); 1–254 bytes
 * @param intervalNanos time between rounds (default 1 s)
 * @param seeds nodes contacted when no other peer is known or alive, and now and then besides; may include this
 *     node, which is skipped
 * @param maxMessageBytes the size messages are split to stay under (default 16 KiB; 1 KiB–60 KiB)
 * @param quarantineNanos how long the state of a removed node keeps spreading before every node forgets it
 *     (default 1 hour); after it, gossip of that generation is refused so it cannot come back
 */
public record GossipConfig(String clusterName, long intervalNanos, List<NodeId> seeds, int maxMessageBytes,
                           long quarantineNanos) {
    /** Default cluster name. */
    public static final String DEFAULT_CLUSTER_NAME = "ringkv";
    /** Default time between rounds. */
    public static final long DEFAULT_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** Default message size limit. */
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024;
    /** Default quarantine of removed nodes. */
    public static final long DEFAULT_QUARANTINE_NANOS = TimeUnit.HOURS.toNanos(1);

    /** @throws KvException with {@code INVALID_CONFIGURATION} naming the bad setting */
    public GossipConfig {
        Objects.requireNonNull(clusterName, "clusterName");
        seeds = List.copyOf(seeds);
        int nameBytes = clusterName.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (nameBytes < 1 || nameBytes > 254 || clusterName.isBlank()) {
            throw invalid("cluster name must be 1–254 bytes, was '" + clusterName + "'");
        }
        if (intervalNanos < TimeUnit.MILLISECONDS.toNanos(10) || intervalNanos > TimeUnit.MINUTES.toNanos(1)) {
            throw invalid("gossip interval must be 10 ms–60 s, was " + intervalNanos / 1_000_000 + " ms");
        }
        if (maxMessageBytes < 1024 || maxMessageBytes > 60 * 1024) {
            throw invalid("gossip message size must be 1–60 KiB, was " + maxMessageBytes + " bytes");
        }
        if (quarantineNanos < intervalNanos) {
            throw invalid("quarantine must be at least one gossip interval");
        }
    }

    /** @return the defaults with these seeds */
    public static GossipConfig withSeeds(List<NodeId> seeds) {
        return new GossipConfig(DEFAULT_CLUSTER_NAME, DEFAULT_INTERVAL_NANOS, seeds, DEFAULT_MAX_MESSAGE_BYTES,
            DEFAULT_QUARANTINE_NANOS);
    }

    /** @return this configuration with another interval */
    public GossipConfig withInterval(long nanos) {
        return new GossipConfig(clusterName, nanos, seeds, maxMessageBytes, Math.max(quarantineNanos, nanos));
    }

    /** @return this configuration with another message size limit */
    public GossipConfig withMaxMessageBytes(int bytes) {
        return new GossipConfig(clusterName, intervalNanos, seeds, bytes, quarantineNanos);
    }

    /** @return this configuration with another quarantine */
    public GossipConfig withQuarantine(long nanos) {
        return new GossipConfig(clusterName, intervalNanos, seeds, maxMessageBytes, nanos);
    }

    /** @return this configuration with another cluster name */
    public GossipConfig withClusterName(String name) {
        return new GossipConfig(name, intervalNanos, seeds, maxMessageBytes, quarantineNanos);
    }

    private static KvException invalid(String message) {
        return new KvException(ErrorCode.INVALID_CONFIGURATION, message);
    }
}
