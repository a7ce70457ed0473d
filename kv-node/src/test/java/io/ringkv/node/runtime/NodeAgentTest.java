package io.ringkv.node.runtime;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.NodeId;
import io.ringkv.node.transport.AeronTransport;
import io.ringkv.node.transport.PeerAddress;
import io.ringkv.node.transport.TransportConfig;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class NodeAgentTest {
    @TempDir
    Path directory;

    /**
     * The agent's adaptive strategy sleeps on the transport's peer sockets, so a hand-off from another thread must
     * end that sleep (a thread unpark would not): after the strategy announced its sleep, a wake given to the agent
     * ends the sockets' next sleep at once.
     */
    @Test
    void anAdaptiveAgentSleepsOnItsPeerSocketsAndAHandOffEndsThatSleep() throws InterruptedException {
        try (AeronTransport transport = AeronTransport.start(TransportConfig.of(NodeId.of("n1"),
            new PeerAddress("127.0.0.1", freePort()), Map.of(), directory.resolve("aeron")))) {
            NodeAgent agent = new NodeAgent("test-agent", transport, new WheelTimers(new SystemClock()),
                new NodeHealth());
            AdaptiveIdleStrategy idle = new AdaptiveIdleStrategy();
            agent.idleWith(idle);
            // spins, yields, the announcement, then a few short sleeps: the agent counts as asleep from there
            for (int i = 0; i < 60; i++) {
                idle.idle(0);
            }
            agent.wake();
            Thread sleeper = Thread.ofPlatform().start(() -> transport.sockets().await(TimeUnit.MINUTES.toNanos(10)));
            sleeper.join(TimeUnit.SECONDS.toMillis(20));
            assertTrue(!sleeper.isAlive(), "the agent's wake did not reach the sleep on its peer sockets");
        }
    }

    /**
     * Tasks the agent runs (one from its inbox, one from a cycle-end action) hand the storage stage reads: the
     * applier, which parks for an hour unless woken, is woken at the end of that duty cycle, and both reads'
     * completions come back to the agent.
     */
    @Test
    void aDutyCycleWakesTheStorageApplierAtItsEndForWhatItSubmitted() throws InterruptedException {
        try (AeronTransport transport = AeronTransport.start(TransportConfig.of(NodeId.of("n1"),
                new PeerAddress("127.0.0.1", freePort()), Map.of(), directory.resolve("aeron")));
             EngineStage stage = new EngineStage("test", "test_stage", "storage",
                new EngineStageTest.NothingEngine(), 64, () -> { }, metrics -> { },
                new io.ringkv.api.CounterRegistry(), TimeUnit.HOURS.toNanos(1))) {
            NodeAgent agent = new NodeAgent("test-agent", transport, new WheelTimers(new SystemClock()),
                new NodeHealth());
            agent.storage(stage);
            java.util.concurrent.atomic.AtomicInteger completed = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicBoolean atEnd = new java.util.concurrent.atomic.AtomicBoolean(true);
            agent.atCycleEnd(() -> {
                if (atEnd.getAndSet(false)) {
                    stage.read(2, engine -> null, (result, failure) -> completed.incrementAndGet());
                }
                return 0;
            });
            // this thread plays the agent thread
            assertTrue(agent.submit(() -> stage.read(1, engine -> null,
                (result, failure) -> completed.incrementAndGet())));
            agent.doWork();
            assertTrue(!stage.wakePending(), "the duty cycle that submitted the reads did not end with a wake-up");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (completed.get() < 2 && System.nanoTime() < deadline) {
                agent.doWork();
                Thread.sleep(1);
            }
            assertTrue(completed.get() == 2, completed.get() + " of the 2 reads' completions came back");
        }
    }

    private static int freePort() {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (SocketException e) {
            throw new UncheckedIOException(e);
        }
    }
}
