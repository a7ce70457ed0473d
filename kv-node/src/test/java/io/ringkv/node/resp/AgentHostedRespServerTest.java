package io.ringkv.node.resp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.node.service.MapKeyValueService;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.channels.SelectionKey;
import java.util.ArrayList;
import java.util.List;
import java.nio.channels.Selector;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import org.agrona.concurrent.ManyToOneConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;

/**
 * The front-door tests of {@link RespServerTest} that start their server through its helper, again with the loop on
 * an agent thread ({@link RespServer.AgentHost}) instead of a thread of its own: the agent's selector serves the
 * loop's keys, and the agent runs the loop at the end of each duty cycle, as a node's agent does (sleeping up to
 * 100 ms, as a node's deeply idle agent does, so that connection timeouts are seen).
 */
class AgentHostedRespServerTest extends RespServerTest {
    private TestAgent agent;

    @Override
    RespServer.AgentHost host() {
        if (agent == null) {
            agent = new TestAgent(100);
            closeLast(agent);
        }
        return agent;
    }

    /**
     * The agent here sleeps until something wakes it: a client's bytes, or the loop's own wake-up when an answer or a
     * task arrives from another thread. A wake-up the loop failed to give would leave a request unanswered forever.
     */
    @Test
    @org.junit.jupiter.api.Timeout(60)
    void everyRequestWakesTheAgentWhoseSleepHasNoEndAndSoDoesEveryAnswerFromAnotherThread() throws Exception {
        java.util.concurrent.ExecutorService elsewhere = java.util.concurrent.Executors.newSingleThreadExecutor();
        agent = new TestAgent(0);
        closeLast(agent);
        closeLast(elsewhere::shutdownNow);
        RespServer server = startOn(agent, new MapKeyValueService(elsewhere));
        try (RespTestClient client = new RespTestClient(server.address())) {
            for (int i = 0; i < 200; i++) {
                assertEquals("OK", client.call("SET", "k" + i, "v" + i));
                assertEquals(new RespTestClient.Bulk("v" + i), client.call("GET", "k" + i));
            }
            assertEquals("PONG", client.call("PING"), "a command the loop answers itself");
        } finally {
            server.close();
        }
    }

    /**
     * More clients send at once than one duty cycle serves: the cycle serves its most and leaves the others, still
     * ready, to the next ones, and every client is answered.
     */
    @Test
    void aCycleServesAtMostItsShareOfTheClientsThatSentAndTheNextCyclesServeTheRest() throws Exception {
        RespServer server = startOn(host(), new MapKeyValueService(null));
        int clients = EventLoop.MOST_KEYS_PER_CYCLE + 100;
        List<Socket> sockets = new ArrayList<>();
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        try {
            // the agent is held while every client connects and sends, so that one select sees them all ready
            assertTrue(agent.submit(() -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
            for (int i = 0; i < clients; i++) {
                Socket socket = new Socket(server.address().getAddress(), server.port());
                sockets.add(socket);
                socket.setSoTimeout(20_000);
                socket.getOutputStream().write(RespTestClient.command("PING"));
            }
            release.countDown();
            for (Socket socket : sockets) {
                assertEquals("+PONG\r\n", new String(socket.getInputStream().readNBytes(7),
                    java.nio.charset.StandardCharsets.US_ASCII));
            }
            assertTrue(server.counters().value(RespCounter.KEYS_DEFERRED) > 0,
                "no cycle left a ready client for the next one");
        } finally {
            release.countDown();
            for (Socket socket : sockets) {
                socket.close();
            }
            server.close();
        }
    }

    @Test
    void theFrontDoorRunsOnTheAgentThreadAndWakesItWhenAClientSends() throws Exception {
        java.util.Set<String> callers = java.util.concurrent.ConcurrentHashMap.newKeySet();
        io.ringkv.node.service.KeyValueService watched =
            new io.ringkv.node.service.ForwardingKeyValueService(new MapKeyValueService(null)) {
                @Override
                public void put(io.ringkv.api.Key key, io.ringkv.api.Value value,
                                io.ringkv.node.service.CausalContext context, io.ringkv.api.Consistency consistency,
                                io.ringkv.node.service.Answer<Void> answer) {
                    callers.add(Thread.currentThread().getName());
                    super.put(key, value, context, consistency, answer);
                }
            };
        RespServer server = startOn(host(), watched);
        try (RespTestClient client = new RespTestClient(server.address())) {
            assertTrue(server.onAgentThread());
            long cyclesBefore = agent.cycles;
            // the agent sleeps in select between requests (up to 100 ms here, as a deeply idle node's agent)
            Thread.sleep(300);
            assertTrue(agent.cycles - cyclesBefore < 20, "an idle agent sleeps, it does not spin: "
                + (agent.cycles - cyclesBefore) + " cycles");
            assertEquals("OK", client.call("SET", "k", "v"));
            assertEquals(new RespTestClient.Bulk("v"), client.call("GET", "k"));
            assertEquals(java.util.Set.of("test-agent"), callers, "the request was read and dispatched on the agent");
        } finally {
            server.close();
        }
    }

    @Test
    void closingTheServerClosesItsClientsOnTheAgentThread() throws Exception {
        RespServer server = startOn(host(), new MapKeyValueService(null));
        try (Socket socket = new Socket(server.address().getAddress(), server.port())) {
            InputStream in = pinged(socket);
            server.close();
            socket.setSoTimeout(5_000);
            assertEquals(-1, in.read(), "the connection was closed by the server");
        }
        assertThrowsConnect(server);
    }

    @Test
    void aServerWhoseAgentStoppedClosesItsClientsItself() throws Exception {
        RespServer server = startOn(host(), new MapKeyValueService(null));
        try (Socket socket = new Socket(server.address().getAddress(), server.port())) {
            InputStream in = pinged(socket);
            // the agent stops first, as when its transport fails: it closes the clients of the front door it serves
            agent.close();
            socket.setSoTimeout(5_000);
            assertEquals(-1, in.read(), "the connection was closed by the server");
            server.close();
        }
        assertThrowsConnect(server);
    }

    private static RespServer startOn(RespServer.AgentHost host, io.ringkv.node.service.KeyValueService service) {
        return startOn(host, RespConfig.onPort(0), service, NodeInfo.NONE);
    }

    /** @return the socket's input, after a PING on it was answered */
    private static InputStream pinged(Socket socket) throws IOException {
        socket.getOutputStream().write(RespTestClient.command("PING"));
        InputStream in = socket.getInputStream();
        assertEquals("+PONG\r\n", new String(in.readNBytes(7), java.nio.charset.StandardCharsets.US_ASCII));
        return in;
    }

    private static void assertThrowsConnect(RespServer server) {
        try (Socket ignored = new Socket(server.address().getAddress(), server.port())) {
            throw new AssertionError("the listener still accepts connections");
        } catch (IOException expected) {
            // refused: the listener is closed
        }
    }

    /**
     * An agent thread as a node's: selects (sleeping, after a cycle without work, up to {@code sleepMillis}; 0: until
     * woken), runs its tasks, then its cycle-end actions; runs its close actions as it stops.
     */
    static final class TestAgent implements RespServer.AgentHost, AutoCloseable {
        private final Selector selector;
        private final long sleepMillis;
        private final ManyToOneConcurrentLinkedQueue<Runnable> tasks = new ManyToOneConcurrentLinkedQueue<>();
        private final CopyOnWriteArrayList<IntSupplier> cycleEnds = new CopyOnWriteArrayList<>();
        private final CopyOnWriteArrayList<Runnable> closings = new CopyOnWriteArrayList<>();
        private final Thread thread;
        private volatile boolean running = true;
        private Consumer<SelectionKey> keys;
        volatile long cycles;

        TestAgent(long sleepMillis) {
            this.sleepMillis = sleepMillis;
            try {
                selector = Selector.open();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            thread = Thread.ofPlatform().name("test-agent").daemon(true).start(this::run);
        }

        private void run() {
            int work = 0;
            try {
                while (running) {
                    Consumer<SelectionKey> served = key -> {
                        if (keys != null) {
                            keys.accept(key);
                        }
                    };
                    if (work > 0 || !tasks.isEmpty()) {
                        selector.selectNow(served);
                    } else {
                        selector.select(served, sleepMillis);
                    }
                    work = 0;
                    Runnable task;
                    while ((task = tasks.poll()) != null) {
                        task.run();
                        work++;
                    }
                    for (IntSupplier action : cycleEnds) {
                        work += action.getAsInt();
                    }
                    cycles++;
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            } finally {
                for (Runnable action : closings) {
                    action.run();
                }
            }
        }

        @Override
        public Selector selector() {
            return selector;
        }

        @Override
        public void serve(Consumer<SelectionKey> keys) {
            this.keys = keys;
        }

        @Override
        public void atCycleEnd(IntSupplier action) {
            cycleEnds.add(action);
        }

        @Override
        public void atClose(Runnable action) {
            closings.add(action);
        }

        @Override
        public boolean submit(Runnable task) {
            if (!running) {
                return false;
            }
            tasks.offer(task);
            selector.wakeup();
            return true;
        }

        @Override
        public void wake() {
            selector.wakeup();
        }

        @Override
        public void close() throws Exception {
            if (!running) {
                return;
            }
            running = false;
            selector.wakeup();
            thread.join(TimeUnit.SECONDS.toMillis(5));
            selector.close();
        }
    }
}
