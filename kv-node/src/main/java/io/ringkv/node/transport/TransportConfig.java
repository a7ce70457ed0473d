package io.ringkv.node.transport;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import io.ringkv.api.NodeId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * How a node's Aeron transport is set up.
 *
 * @param self this node
 * @param listen the address this node receives on
 * @param peers every other node and its address
 * @param aeronDirectory the embedded media driver's directory; deleted and recreated on start
 * @param termLength Aeron term length in bytes (a power of two, 64 KiB–1 GiB); the largest message is 1/8 of it
 * @param timeoutNanos how long the node's agent thread may stand still (a long GC pause, SIGSTOP, a frozen VM or
 *     container) before the transport gives up for good ({@link #MIN_TIMEOUT_NANOS} to {@link #MAX_TIMEOUT_NANOS});
 *     any shorter stall is survived
 * @param clusterKey the key every datagram is tagged with and checked against; null for none (datagrams are then
 *     neither tagged nor checked: anyone who can send to the peer port is taken for a peer)
 */
public record TransportConfig(NodeId self, PeerAddress listen, Map<NodeId, PeerAddress> peers, Path aeronDirectory,
                              int termLength, long timeoutNanos, ClusterKey clusterKey) {
    /** 1 MiB terms: messages up to 128 KiB, three terms of sparse files per publication. */
    public static final int DEFAULT_TERM_LENGTH = 1 << 20;
    /**
     * Ten minutes: longer than any GC pause, VM stall, live migration or container freeze a node should ride out.
     * A node stopped for longer was judged DOWN long ago and gains nothing from resuming over a restart.
     */
    public static final long DEFAULT_TIMEOUT_NANOS = TimeUnit.MINUTES.toNanos(10);
    /** Two seconds: Aeron needs the timeout above its driver's one-second timer interval. */
    public static final long MIN_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(2);
    /** One day: far from the overflow of Aeron's nanosecond deadlines. */
    public static final long MAX_TIMEOUT_NANOS = TimeUnit.DAYS.toNanos(1);

    /** @throws KvException with {@code INVALID_CONFIGURATION} naming the bad setting */
    public TransportConfig {
        Objects.requireNonNull(self, "self");
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(aeronDirectory, "aeronDirectory");
        peers = Map.copyOf(peers);
        if (peers.containsKey(self)) {
            throw new KvException(ErrorCode.INVALID_CONFIGURATION, "node " + self + " lists itself as a peer");
        }
        if (Integer.bitCount(termLength) != 1 || termLength < 64 * 1024 || termLength > (1 << 30)) {
            throw new KvException(ErrorCode.INVALID_CONFIGURATION,
                "term length must be a power of two from 64 KiB to 1 GiB, was " + termLength);
        }
        if (timeoutNanos < MIN_TIMEOUT_NANOS || timeoutNanos > MAX_TIMEOUT_NANOS) {
            throw new KvException(ErrorCode.INVALID_CONFIGURATION, "transport timeout must be "
                + TimeUnit.NANOSECONDS.toMillis(MIN_TIMEOUT_NANOS) + "–" + TimeUnit.NANOSECONDS.toMillis(MAX_TIMEOUT_NANOS)
                + " ms, was " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms");
        }
    }

    /** A config without a cluster key. */
    public TransportConfig(NodeId self, PeerAddress listen, Map<NodeId, PeerAddress> peers, Path aeronDirectory,
                           int termLength, long timeoutNanos) {
        this(self, listen, peers, aeronDirectory, termLength, timeoutNanos, null);
    }

    /** A config with the {@linkplain #DEFAULT_TIMEOUT_NANOS default timeout}. */
    public TransportConfig(NodeId self, PeerAddress listen, Map<NodeId, PeerAddress> peers, Path aeronDirectory,
                           int termLength) {
        this(self, listen, peers, aeronDirectory, termLength, DEFAULT_TIMEOUT_NANOS);
    }

    /** @return these settings with another {@link #timeoutNanos()} */
    public TransportConfig withTimeoutNanos(long timeout) {
        return new TransportConfig(self, listen, peers, aeronDirectory, termLength, timeout, clusterKey);
    }

    /** @return these settings with datagrams tagged with {@code key} (null: untagged) */
    public TransportConfig withClusterKey(ClusterKey key) {
        return new TransportConfig(self, listen, peers, aeronDirectory, termLength, timeoutNanos, key);
    }

    /** A config with the default term length and the media driver directory in /dev/shm when it exists. */
    public static TransportConfig of(NodeId self, PeerAddress listen, Map<NodeId, PeerAddress> peers, Path dataDirectory) {
        return new TransportConfig(self, listen, new LinkedHashMap<>(peers), defaultAeronDirectory(self, listen, dataDirectory),
            DEFAULT_TERM_LENGTH);
    }

    /** Shared memory when the machine has it (fast, and never fills the data disk); else the data directory. */
    static Path defaultAeronDirectory(NodeId self, PeerAddress listen, Path dataDirectory) {
        Path shm = Path.of("/dev/shm");
        String name = "ringkv-" + self + "-" + listen.port();
        return Files.isDirectory(shm) && Files.isWritable(shm) ? shm.resolve(name) : dataDirectory.resolve("aeron");
    }
}
