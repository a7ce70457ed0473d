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
     * An Error in a duty cycle (a stack overflow, say) stops the agent as a failed transport does: the node is marked
     * failed, and the runner closes the agent, running its close actions (a front door on the agent thread closing
     * its clients) before its transport closes; an Error left to the runner would end the thread without them.
     */
    @Test
    void anErrorInADutyCycleFailsTheNodeAndClosesTheAgentWithItsCloseActions() throws InterruptedException {
        AeronTransport transport = AeronTransport.start(TransportConfig.of(NodeId.of("n1"),
            new PeerAddress("127.0.0.1", freePort()), Map.of(), directory.resolve("aeron")));
        NodeHealth health = new NodeHealth();
        NodeAgent agent = new NodeAgent("test-agent", transport, new WheelTimers(new SystemClock()), health);
        java.util.concurrent.CountDownLatch closedWithTransportOpen = new java.util.concurrent.CountDownLatch(1);
        agent.atClose(() -> {
            if (transport.sockets().selector().isOpen()) {
                closedWithTransportOpen.countDown();
            }
        });
        org.agrona.concurrent.AgentRunner runner = new org.agrona.concurrent.AgentRunner(
            new org.agrona.concurrent.SleepingMillisIdleStrategy(1), error -> { }, null, agent);
        org.agrona.concurrent.AgentRunner.startOnThread(runner);
        try {
            assertTrue(agent.submit(() -> {
                throw new StackOverflowError("a test's");
            }));
            assertTrue(closedWithTransportOpen.await(20, TimeUnit.SECONDS), "the agent's close actions did not run");
            assertTrue(health.whyUnavailable().orElse("").contains("a test's"), health.whyUnavailable().toString());
        } finally {
            runner.close();
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
            java.util.concurrent.atomic.AtomicInteger reads = countDeepSleeps(idle, timers);
            long ms = TimeUnit.MILLISECONDS.toNanos(1);
            timers.schedule(TimeUnit.SECONDS.toNanos(600), id -> { });
            // a first duty cycle finds the node alone, which sets how long the strategy spins before it sleeps
            assertEquals(0, agent.doWork());
            backOffToDeepIdle(idle);
            assertEquals(AdaptiveIdleStrategy.MAX_DEEP_IDLE_SLEEP_NANOS, idle.nextParkNanos(),
                "with the next timer ten minutes away the sleep is capped");

            java.util.concurrent.atomic.AtomicInteger fired = new java.util.concurrent.atomic.AtomicInteger();
            timers.schedule(0, id -> fired.incrementAndGet());
            timers.schedule(80 * ms, id -> { });
            Thread.sleep(2);
            assertEquals(0, agent.doWork(), "a cycle that only fired a timer counts as no work");
            assertEquals(1, fired.get());
            long next = idle.nextParkNanos();
            assertTrue(next >= 10 * ms && next <= 80 * ms, "the back-off was reset, or the deep sleep does not end at"
                + " the 80 ms timer: " + next);
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

            backOffToDeepIdle(idle);
            idle.stopSleeping();
            int asleep = reads.get();
            for (int i = 0; i < 100; i++) {
                idle.idle(0);
            }
            assertEquals(asleep, reads.get(), "an agent whose runner stops slept again");
        }
    }

    /**
     * A timer of a deeply idle agent sends a peer a message of many datagrams: the media driver sends one datagram
     * per cycle, so the agent runs cycles at once until the driver has sent it all, and only then sleeps again (a
     * single follow-up cycle sent one datagram, and the rest waited for later wake-ups, up to 100 ms each).
     */
    @Test
    void aMessageATimerSendsGoesOutWholeBeforeTheAgentSleepsAgain() throws InterruptedException {
        PeerAddress addressA = new PeerAddress("127.0.0.1", freePort());
        PeerAddress addressB = new PeerAddress("127.0.0.1", freePort());
        try (AeronTransport a = AeronTransport.start(TransportConfig.of(NodeId.of("a"), addressA,
                Map.of(NodeId.of("b"), addressB), directory.resolve("a")));
             AeronTransport b = AeronTransport.start(TransportConfig.of(NodeId.of("b"), addressB,
                Map.of(NodeId.of("a"), addressA), directory.resolve("b")))) {
            java.util.List<Integer> received = new java.util.concurrent.CopyOnWriteArrayList<>();
            b.register(77, (sender, buffer, offset, length) -> received.add(length));
            WheelTimers timers = new WheelTimers(new SystemClock());
            NodeAgent agent = new NodeAgent("test-agent", a, timers, new NodeHealth());
            AdaptiveIdleStrategy idle = new AdaptiveIdleStrategy();
            agent.idleWith(idle);
            java.util.concurrent.atomic.AtomicInteger sleeps = countDeepSleeps(idle, timers);
            // connect: a small message, sent until the publication takes it, then received
            org.agrona.concurrent.UnsafeBuffer small = message(8);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (received.isEmpty() && System.nanoTime() < deadline) {
                a.send(NodeId.of("b"), small, 0, small.capacity());
                agent.doWork();
                b.doWork();
            }
            assertEquals(1, received.size(), "the peers never connected");

            timers.schedule(TimeUnit.SECONDS.toNanos(600), id -> { });
            backOffToDeepIdle(idle);
            org.agrona.concurrent.UnsafeBuffer large = message(40 * 1024);
            java.util.concurrent.atomic.AtomicReference<Object> sent = new java.util.concurrent.atomic.AtomicReference<>();
            timers.schedule(0, id -> sent.set(a.send(NodeId.of("b"), large, 0, large.capacity())));
            Thread.sleep(2);
            int before = sleeps.get();
            for (int i = 0; i < 1_000 && sleeps.get() == before; i++) {
                idle.idle(agent.doWork());
            }
            assertEquals(io.ringkv.api.SendResult.SENT, sent.get());
            // the agent sleeps again and runs no more cycles: what reaches b now was sent before that sleep
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (received.size() < 2 && System.nanoTime() < deadline) {
                b.doWork();
                Thread.onSpinWait();
            }
            assertEquals(java.util.List.of(small.capacity(), large.capacity()), received,
                "the timer's message did not go out whole before the agent slept again");
        }
    }

    private static org.agrona.concurrent.UnsafeBuffer message(int bodyLength) {
        org.agrona.concurrent.UnsafeBuffer buffer = new org.agrona.concurrent.UnsafeBuffer(
            new byte[io.ringkv.api.MessageHeader.LENGTH + bodyLength]);
        buffer.putShort(0, (short) bodyLength, java.nio.ByteOrder.LITTLE_ENDIAN);
        buffer.putShort(2, (short) 1, java.nio.ByteOrder.LITTLE_ENDIAN);
        buffer.putShort(4, (short) 77, java.nio.ByteOrder.LITTLE_ENDIAN);
        buffer.putShort(6, (short) 1, java.nio.ByteOrder.LITTLE_ENDIAN);
        return buffer;
    }

    /**
     * Has {@code idle} sleep until the next of {@code timers} as the agent's does, counting the deep sleeps begun
     * (each reads the time to the next timer once).
     */
    private static java.util.concurrent.atomic.AtomicInteger countDeepSleeps(AdaptiveIdleStrategy idle,
                                                                           WheelTimers timers) {
        java.util.concurrent.atomic.AtomicInteger sleeps = new java.util.concurrent.atomic.AtomicInteger();
        idle.sleepUntil(() -> {
            sleeps.incrementAndGet();
            return timers.nanosUntilNextDeadline();
        });
        return sleeps;
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
