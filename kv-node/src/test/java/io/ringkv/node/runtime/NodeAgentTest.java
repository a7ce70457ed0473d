package io.ringkv.node.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
     * Deeply idle on its sockets, the agent sleeps until its next timer, from 10 ms up to 100 ms. A duty cycle that
     * only fired timers returns no work and leaves the back-off where it was (one more cycle runs at once, to send
     * what the timers sent); a cycle with a task resets it.
     */
    @Test
    void anIdleAgentSleepsUntilItsNextTimerAndATimerAloneDoesNotWakeItUp() throws InterruptedException {
        try (AeronTransport transport = AeronTransport.start(TransportConfig.of(NodeId.of("n1"),
            new PeerAddress("127.0.0.1", freePort()), Map.of(), directory.resolve("aeron")))) {
            WheelTimers timers = new WheelTimers(new SystemClock());
            NodeAgent agent = new NodeAgent("test-agent", transport, timers, new NodeHealth());
            AdaptiveIdleStrategy idle = new AdaptiveIdleStrategy();
            agent.idleWith(idle);
            // counts the deep sleeps begun (each reads the time to the next timer once)
            java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
            idle.sleepUntil(() -> {
                reads.incrementAndGet();
                return timers.nanosUntilNextDeadline();
            });
            long ms = TimeUnit.MILLISECONDS.toNanos(1);
            timers.schedule(TimeUnit.SECONDS.toNanos(600), id -> { });
            // a first duty cycle finds the node alone, which sets how long the strategy spins before it sleeps
            assertEquals(0, agent.doWork());
            backOffToDeepIdle(idle);
            assertEquals(AdaptiveIdleStrategy.MAX_DEEP_IDLE_SLEEP_NANOS, idle.nextParkNanos(),
                "with the next timer ten minutes away the sleep is capped");

            java.util.concurrent.atomic.AtomicInteger fired = new java.util.concurrent.atomic.AtomicInteger();
            timers.schedule(0, id -> fired.incrementAndGet());
            timers.schedule(40 * ms, id -> { });
            Thread.sleep(2);
            assertEquals(0, agent.doWork(), "a cycle that only fired a timer counts as no work");
            assertEquals(1, fired.get());
            long next = idle.nextParkNanos();
            assertTrue(next > 10 * ms && next <= 40 * ms, "the back-off was reset, or the deep sleep does not end at"
                + " the 40 ms timer: " + next);
            int before = reads.get();
            idle.idle(0);
            assertEquals(before, reads.get(), "the cycle after the timers did not run at once: a sleep began");
            idle.idle(0);
            assertEquals(before + 1, reads.get(), "the next idle cycle did not sleep deeply");

            assertTrue(agent.submit(() -> { }));
            int work = agent.doWork();
            assertTrue(work > 0, "a task is work");
            idle.idle(work);
            assertEquals(1_000, idle.nextParkNanos(), "work makes the agent responsive again");
        }
    }

    /** Runs idle duty cycles until the strategy sleeps longer than its active maximum of 1 ms. */
    private static void backOffToDeepIdle(AdaptiveIdleStrategy idle) {
        for (int i = 0; i < 200 && idle.nextParkNanos() <= TimeUnit.MILLISECONDS.toNanos(1); i++) {
            idle.idle(0);
        }
        assertTrue(idle.nextParkNanos() > TimeUnit.MILLISECONDS.toNanos(1), "never became deeply idle");
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
