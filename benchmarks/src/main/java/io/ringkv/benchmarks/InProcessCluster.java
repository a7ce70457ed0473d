package io.ringkv.benchmarks;

import io.ringkv.api.Consistency;
import io.ringkv.api.ErrorCode;
import io.ringkv.api.Key;
import io.ringkv.api.Node;
import io.ringkv.api.NodeId;
import io.ringkv.api.Value;
import io.ringkv.api.Version;
import io.ringkv.node.ClusterSettings;
import io.ringkv.node.GossipSettings;
import io.ringkv.node.NodeComponent;
import io.ringkv.node.NodeConfig;
import io.ringkv.node.RingkvNode;
import io.ringkv.node.runtime.IdlePreset;
import io.ringkv.node.transport.PeerAddress;
import io.ringkv.replication.Coordinator;
import io.ringkv.replication.PutCallback;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.stream.Stream;

/**
 * Real nodes in this JVM, each with its own agent thread, embedded media driver and storage engine, talking over
 * Aeron on 127.0.0.1 with free ports and data under one temporary directory. With one node it is a standalone
 * cluster (N = 1); with more, every node lists every node as a seed, and N = the node count with quorum R and W.
 * {@link #start} returns once every node's ring holds every node and a write acknowledged by all of them
 * succeeded; {@link #close} closes the nodes and deletes the directory.
 */
final class InProcessCluster implements AutoCloseable {
    private static final long READY_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(60);
    private static final long POLL_MILLIS = 100;

    private final Path directory;
    private final List<RingkvNode> nodes = new ArrayList<>();

    private InProcessCluster(Path directory) {
        this.directory = directory;
    }

    /**
     * Starts {@code count} nodes with the default idle strategy, gossip and resolver, and {@code engine}.
     *
     * @throws IllegalStateException when the cluster is not ready within 60 s (the nodes are closed again)
     */
    static InProcessCluster start(int count, String engine) {
        InProcessCluster cluster;
        try {
            cluster = new InProcessCluster(Files.createTempDirectory("ringkv-quorum"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            cluster.startNodes(count, engine);
            cluster.awaitReady();
            return cluster;
        } catch (RuntimeException | Error e) {
            cluster.close();
            throw e;
        }
    }

    /** @return the node with index {@code i}, from 0 */
    RingkvNode node(int i) {
        return nodes.get(i);
    }

    private void startNodes(int count, String engine) {
        List<PeerAddress> listens = Stream.generate(() -> new PeerAddress("127.0.0.1", freePort())).limit(count)
            .toList();
        List<PeerAddress> seeds = count == 1 ? List.of() : listens;
        ClusterSettings defaults = ClusterSettings.DEFAULT;
        ClusterSettings settings = new ClusterSettings(count, 0, 0, defaults.resolver(), engine, defaults.vnodes(),
            defaults.requestTimeoutMillis());
        for (int i = 0; i < count; i++) {
            NodeId id = NodeId.of("node" + (i + 1));
            NodeConfig config = new NodeConfig(id, listens.get(i), seeds, directory.resolve(id.value()),
                IdlePreset.ADAPTIVE, 0, Node.DEFAULT_ZONE, Node.DEFAULT_RACK, GossipSettings.DEFAULT, settings,
                Map.of());
            RingkvNode node = NodeComponent.of(config).node();
            nodes.add(node);
            node.start(line -> {
                if (line.contains("error")) {
                    System.err.println(id + ": " + line);
                }
            });
        }
    }

    /** Waits until every node routes by a ring of every node, then until a write reaches all of them. */
    private void awaitReady() {
        long deadline = System.nanoTime() + READY_TIMEOUT_NANOS;
        for (RingkvNode node : nodes) {
            while (InProcessCluster.<Integer>ask(node, (coordinator, size) -> size.complete(coordinator.ring().size()),
                deadline) < nodes.size()) {
                pause(deadline, "every node's ring to hold " + nodes.size() + " nodes");
            }
        }
        Consistency all = new Consistency(nodes.size(), nodes.size(), nodes.size());
        Key probe = Key.utf8("ready-probe");
        while (!InProcessCluster.<Boolean>ask(nodes.getFirst(),
            (coordinator, done) -> write(coordinator, probe, all, done), deadline)) {
            pause(deadline, "a write acknowledged by all " + nodes.size() + " nodes");
        }
    }

    private static void write(Coordinator coordinator, Key key, Consistency consistency,
                              CompletableFuture<Boolean> result) {
        coordinator.put(key, Value.utf8("ready"), null, consistency, new PutCallback() {
            @Override
            public void onSuccess(Version written) {
                result.complete(true);
            }

            @Override
            public void onFailure(ErrorCode code, String message) {
                result.complete(false);
            }
        });
    }

    /**
     * Cold path: asks {@code node}'s coordinator on its agent thread and waits for the answer.
     *
     * @param question runs on the agent thread and completes the future it is given, there or in a callback
     * @throws IllegalStateException when the answer is not there by {@code deadlineNanos}
     */
    static <T> T ask(RingkvNode node, BiConsumer<Coordinator, CompletableFuture<T>> question, long deadlineNanos) {
        CompletableFuture<T> answer = new CompletableFuture<>();
        if (!node.submitToCoordinator(coordinator -> question.accept(coordinator, answer))) {
            throw new IllegalStateException(node.config().id() + "'s agent task queue is full");
        }
        try {
            return answer.get(Math.max(1, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("no answer from " + node.config().id() + "'s agent in time", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static void pause(long deadlineNanos, String awaited) {
        if (System.nanoTime() > deadlineNanos) {
            throw new IllegalStateException("cluster not ready within 60 s: waited for " + awaited);
        }
        try {
            Thread.sleep(POLL_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Closes every node (its agent, transport and engine), then deletes the data directory. */
    @Override
    public void close() {
        for (RingkvNode node : nodes.reversed()) {
            try {
                node.close();
            } catch (RuntimeException e) {
                System.err.println("closing " + node.config().id() + ": " + e);
            }
        }
        nodes.clear();
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
        } catch (IOException e) {
            System.err.println("cannot delete " + directory + ": " + e);
        }
    }

    /** @return a UDP port on 127.0.0.1 that was free a moment ago */
    static int freePort() {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
