package io.ringkv.node;

import io.ringkv.api.NodeContext;
import io.ringkv.api.NodeId;
import io.ringkv.node.probe.PeerProbe;
import io.ringkv.node.runtime.NodeAgent;
import io.ringkv.node.transport.AeronTransport;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentRunner;

/**
 * A running ringkv node: its agent thread, its transport, and the protocol services on it (today the peer
 * probe; replication and gossip join as they arrive).
 */
public final class RingkvNode implements AutoCloseable {
    private final NodeConfig config;
    private final NodeContext context;
    private final NodeAgent agent;
    private final AeronTransport transport;
    private AgentRunner runner;
    private PeerProbe probe;

    @Inject
    RingkvNode(NodeConfig config, NodeContext context, NodeAgent agent, AeronTransport transport) {
        this.config = config;
        this.context = context;
        this.agent = agent;
        this.transport = transport;
    }

    /**
     * Creates the data directory, starts the peer probe and the agent thread.
     *
     * @param events receives one line per notable event (peer reachable, unreachable, agent errors)
     */
    public void start(Consumer<String> events) {
        try {
            Files.createDirectories(config.dataDirectory());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create data directory " + config.dataDirectory(), e);
        }
        probe = new PeerProbe(context, new ArrayList<>(config.peers().keySet()),
            TimeUnit.MILLISECONDS.toNanos(config.probeIntervalMillis()), config.probeMisses(),
            new PeerProbe.Listener() {
                @Override
                public void onReachable(NodeId peer, long roundTripNanos) {
                    events.accept(String.format("peer %s reachable (round trip %.3f ms)", peer, roundTripNanos / 1e6));
                }

                @Override
                public void onUnreachable(NodeId peer) {
                    events.accept("peer " + peer + " unreachable");
                }
            });
        probe.start();
        ErrorHandler errors = error -> events.accept("agent error: " + error);
        runner = new AgentRunner(config.idle().newStrategy(), errors, null, agent);
        AgentRunner.startOnThread(runner);
    }

    /** @return the node's settings */
    public NodeConfig config() {
        return config;
    }

    /** @return the transport (its counters are safe to read approximately from any thread) */
    public AeronTransport transport() {
        return transport;
    }

    @Override
    public void close() {
        if (runner != null) {
            runner.close();
        } else {
            transport.close();
        }
    }
}
