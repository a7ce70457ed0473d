package io.ringkv.node.resp;

import io.ringkv.node.metrics.RequestMetrics;
import io.ringkv.node.metrics.ThrottledLog;

import io.ringkv.api.CounterSet;
import io.ringkv.node.service.Answer;
import io.ringkv.node.service.AnswerChannel;
import io.ringkv.node.service.KeyValueService;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.net.StandardSocketOptions;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.ManyToOneConcurrentLinkedQueue;

/**
 * The front door's loop: a selector over the listening socket and every connection, plus a queue through
 * which the node hands back the service's answers in batches ({@link #deliver}). Each wake-up reads what the
 * connections sent, runs the answers that arrived, writes what they complete, then hands every request it
 * dispatched to the service in one go ({@link KeyValueService#flush()}). It blocks in {@code select()} when there
 * is nothing to do, so idle connections cost no CPU. Timeouts need no timer thread and no polling: the select waits at most
 * until the earliest deadline a connection reported, and then the loop closes the connections whose time is up.
 *
 * <p>The loop runs on a thread of its own ({@link #run()}), or on a node's agent thread
 * ({@link RespServer.AgentHost}): then its channels are registered with the selector the agent sleeps on, which
 * hands the loop its keys ({@link #onSelectedByAgent}), and the agent runs the rest of a wake-up at the end of each
 * duty cycle ({@link #pollOnce()}). A request then crosses no thread on its way to the coordinator and back, and
 * neither side wakes the other.
 */
final class EventLoop implements Runnable, AnswerChannel {
    /** Answer batches the loop holds before the node must keep them and retry: one per node cycle at most. */
    private static final int ANSWER_QUEUE_CAPACITY = 4096;
    private static final byte[] TOO_MANY_CLIENTS =
        "-ERR max number of clients reached\r\n".getBytes(StandardCharsets.US_ASCII);

    private final RespConfig config;
    private final Selector selector;
    private final ServerSocketChannel listener;
    private final io.ringkv.node.security.ReloadingTls tls;
    private final CommandDispatcher dispatcher;
    private final KeyValueService service;
    private final CounterSet<RespCounter> counters;
    private final RequestMetrics requests;
    private final BufferPool buffers = new BufferPool();
    private final ThrottledLog attackLog = new ThrottledLog(System.getLogger(EventLoop.class.getName()),
        ThrottledLog.DEFAULT_INTERVAL_NANOS, System::nanoTime);
    private final Set<Connection> connections = new HashSet<>();
    private final ManyToOneConcurrentLinkedQueue<Runnable> tasks = new ManyToOneConcurrentLinkedQueue<>();
    private final ManyToOneConcurrentArrayQueue<List<Runnable>> answers =
        new ManyToOneConcurrentArrayQueue<>(ANSWER_QUEUE_CAPACITY);
    /** Connections that got answers and are serviced once every answer at hand ran. */
    private final ArrayDeque<Connection> answered = new ArrayDeque<>();
    private final AtomicBoolean wakeupPending = new AtomicBoolean();
    private volatile boolean running = true;
    private volatile Thread thread;
    /** Wakes the agent thread the loop runs on; null when the loop has a thread of its own. */
    private final Runnable agentWake;
    /** Keys the agent's selects handed the loop since its last {@link #pollOnce()} (agent thread). */
    private int selectedSincePoll;
    /**
     * The most ready client sockets (and the listener) one agent duty cycle serves: a socket left over stays ready
     * (the selector is level-triggered) and is served by the next cycle's select, so however many clients send at
     * once, heartbeats and replication wait for a bounded share of them per cycle.
     */
    static final int MOST_KEYS_PER_CYCLE = 256;
    /** Counted down once every connection and the listener are closed. */
    private final java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);
    private boolean closing;
    private long nextClientId = 1;
    /** When the loop next looks for expired connections; {@link Long#MAX_VALUE} while none has a deadline. */
    private long nextTimeoutCheckNanos = Long.MAX_VALUE;
    /**
     * How long the port stops accepting after accepting failed. A connection the listener could not accept (the
     * process out of file descriptors) stays queued and keeps the listener ready: retried at once, the loop would
     * spin on it, a core's worth of CPU (on the agent thread, the node's) until a descriptor came free.
     */
    static final long ACCEPT_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** Takes the next waiting connection: the listener's {@code accept}, or a test's stand-in. */
    interface Acceptor {
        /** @return the next connection, or null when none waits */
        SocketChannel accept() throws IOException;
    }
    private volatile Acceptor acceptor;
    /** While accepting is paused, when it resumes ({@link #ACCEPT_PAUSE_NANOS}); 0 while accepting (loop thread). */
    private long acceptPausedUntilNanos;
    /** Closing for time may be this late, so a thousand staggered deadlines cost a few sweeps, not a thousand. */
    private static final long TIMEOUT_CHECK_GAP_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    EventLoop(RespConfig config, Selector selector, ServerSocketChannel listener, CommandDispatcher dispatcher,
              KeyValueService service, CounterSet<RespCounter> counters, RequestMetrics requests) {
        this(config, selector, listener, dispatcher, service, counters, requests, null);
    }

    /** @param tls when not null, every client speaks TLS (1.3, as {@code tls} sets it) on this port */
    EventLoop(RespConfig config, Selector selector, ServerSocketChannel listener, CommandDispatcher dispatcher,
              KeyValueService service, CounterSet<RespCounter> counters, RequestMetrics requests,
              io.ringkv.node.security.ReloadingTls tls) {
        this(config, selector, listener, dispatcher, service, counters, requests, tls, null);
    }

    /**
     * @param agentWake when not null, the loop runs on the agent thread this wakes (see the class comment), and
     *     {@code selector} is the one that agent sleeps on
     */
    EventLoop(RespConfig config, Selector selector, ServerSocketChannel listener, CommandDispatcher dispatcher,
              KeyValueService service, CounterSet<RespCounter> counters, RequestMetrics requests,
              io.ringkv.node.security.ReloadingTls tls, Runnable agentWake) {
        this.agentWake = agentWake;
        this.tls = tls;
        this.requests = requests;
        this.config = config;
        this.selector = selector;
        this.listener = listener;
        this.acceptor = listener::accept;
        this.dispatcher = dispatcher;
        this.service = service;
        this.counters = counters;
    }

    @Override
    public void run() {
        thread = Thread.currentThread();
        try {
            while (running) {
                // from here a producer must wake the loop; while it works, producers skip the wake-up (a syscall)
                // and the loop finds their offers when it comes back here
                wakeupPending.set(false);
                if (answers.isEmpty() && tasks.isEmpty()) {
                    selector.select(this::onSelected, selectTimeoutMillis());
                } else {
                    selector.selectNow(this::onSelected);
                }
                wakeupPending.set(true);
                runAnswers();
                runTasks();
                settle();
                closeExpired();
            }
        } catch (IOException | ClosedSelectorException e) {
            running = false;
        } finally {
            closeEverything();
        }
    }

    /** Runs {@code task} on the loop thread at its next turn, never at once (no recursion into the caller). */
    void later(Runnable task) {
        tasks.offer(task);
        wake();
    }

    void execute(Runnable task) {
        if (onLoopThread()) {
            task.run();
            return;
        }
        tasks.offer(task);
        wake();
    }

    /** Takes a batch of answers from any thread: one queue offer, and a wake-up unless one is already due. */
    @Override
    public boolean deliver(List<Runnable> batch) {
        if (!answers.offer(batch)) {
            return false;
        }
        wake();
        return true;
    }

    boolean onLoopThread() {
        return Thread.currentThread() == thread;
    }

    /** Loop thread: services {@code connection} once the answers at hand have run. */
    void serviceSoon(Connection connection) {
        answered.add(connection);
    }

    /**
     * Agent thread, before any other call of the loop's there: registers the listener with the agent's selector.
     *
     * @throws IOException when the listener cannot be registered (it was closed)
     */
    void startOnAgent() throws IOException {
        thread = Thread.currentThread();
        listener.register(selector, SelectionKey.OP_ACCEPT);
    }

    /**
     * Agent thread, at the end of each duty cycle: runs the answers the cycle delivered and the tasks other threads
     * queued, writes what they complete, hands the requests read since the last call to the service in one go, and
     * closes the connections whose time is up; once the loop was stopped, closes everything instead.
     *
     * @return work done: answer batches, tasks and keys served since the last call (non-zero keeps the agent awake)
     */
    int pollOnce() {
        if (!running) {
            if (!closing) {
                closeEverything();
                // a closed channel's socket is let go of by the selector's next select, which the agent's next
                // cycle makes: only then is the port free, and the server closed
                return 1;
            }
            closed.countDown();
            return 0;
        }
        int work = selectedSincePoll + (answers.isEmpty() ? 0 : 1) + (tasks.isEmpty() ? 0 : 1);
        selectedSincePoll = 0;
        try {
            runAnswers();
            runTasks();
            settle();
            closeExpired();
        } catch (RuntimeException e) {
            // the agent runs gossip and replication too, and the other cycle-end actions after this one
            counters.get(RespCounter.SERVICE_FAILURES).incrementRelease();
        }
        // what this thread queued meanwhile (it does not wake itself) runs in the next cycle, which comes at once
        return answers.isEmpty() && tasks.isEmpty() ? work : work + 1;
    }

    /** Agent thread: one of the loop's keys, which the agent's selector reported ready. */
    void onSelectedByAgent(SelectionKey key) {
        if (selectedSincePoll >= MOST_KEYS_PER_CYCLE) {
            counters.get(RespCounter.KEYS_DEFERRED).incrementRelease();
            return;
        }
        selectedSincePoll++;
        try {
            onSelected(key);
        } catch (RuntimeException e) {
            // the agent runs gossip and replication too: nothing a client causes may reach it
            counters.get(RespCounter.SERVICE_FAILURES).incrementRelease();
        }
    }

    /**
     * Waits until the loop closed every connection and its listener.
     *
     * @return false when it had not after {@code millis}
     */
    boolean awaitClosed(long millis) throws InterruptedException {
        return closed.await(millis, TimeUnit.MILLISECONDS);
    }

    /**
     * Agent thread, as the agent stops (its runner closed, or its transport failed) or when the loop could not start
     * on it: closes every connection and the listener, whose sockets the agent's selector lets go of as it closes.
     */
    void closeOnAgent() {
        running = false;
        if (!closing) {
            closeEverything();
        }
        closed.countDown();
    }

    /** Wakes the loop when it may be blocked in select: not while it works, nor twice for one select. */
    private void wake() {
        if (agentWake != null) {
            if (Thread.currentThread() != thread) {
                agentWake.run();
            }
            return;
        }
        if (!wakeupPending.getAndSet(true)) {
            selector.wakeup();
        }
    }

    /** Stops the loop; it closes every connection and the listener on its way out. */
    void stop() {
        running = false;
        if (agentWake != null) {
            agentWake.run();
            return;
        }
        selector.wakeup();
    }

    CommandDispatcher dispatcher() {
        return dispatcher;
    }

    /** @return where connections record each answered request */
    RequestMetrics requests() {
        return requests;
    }

    CounterSet<RespCounter> counters() {
        return counters;
    }

    /** Counts and (at most once per interval) logs a connection closed for sending HTTP (loop thread only). */
    void crossProtocolClosed(String command) {
        counters.get(RespCounter.CROSS_PROTOCOL_CLOSES).incrementRelease();
        attackLog.warn("possible security attack: a client of the Redis-protocol port sent '" + command
            + "', as a web page makes a browser do to reach the port; its connection was closed and nothing it sent"
            + " ran (see total_cross_protocol_closes)");
    }

    BufferPool buffers() {
        return buffers;
    }

    /** Makes the loop look for expired connections no later than {@code deadlineNanos} (loop thread only). */
    void scheduleTimeoutCheck(long deadlineNanos) {
        if (deadlineNanos < nextTimeoutCheckNanos) {
            nextTimeoutCheckNanos = deadlineNanos;
        }
    }

    /** @return how long select may block: until the next timeout check, or 0 (no limit) when there is none */
    private long selectTimeoutMillis() {
        if (nextTimeoutCheckNanos == Long.MAX_VALUE) {
            return 0;
        }
        long waitNanos = nextTimeoutCheckNanos - System.nanoTime();
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(waitNanos) + 1);
    }

    /** Closes the connections whose time is up, and resumes accepting when its pause is over. */
    private void closeExpired() {
        long now = System.nanoTime();
        if (nextTimeoutCheckNanos == Long.MAX_VALUE || now - nextTimeoutCheckNanos < 0) {
            return;
        }
        long next = Long.MAX_VALUE;
        if (acceptPausedUntilNanos != 0) {
            if (now - acceptPausedUntilNanos >= 0) {
                resumeAccepting();
            } else {
                next = acceptPausedUntilNanos;
            }
        }
        for (Connection connection : Set.copyOf(connections)) {
            if (!connection.expiredBy(now)) {
                next = Math.min(next, connection.nextDeadline());
            }
        }
        nextTimeoutCheckNanos = next == Long.MAX_VALUE ? next : Math.max(next, now + TIMEOUT_CHECK_GAP_NANOS);
    }

    void onClosed(Connection connection) {
        if (connections.remove(connection)) {
            counters.get(RespCounter.CONNECTED_CLIENTS).addRelease(-1);
        }
    }

    private void onSelected(SelectionKey key) {
        if (key.attachment() instanceof Connection connection) {
            try {
                if (key.isValid() && key.isWritable()) {
                    connection.onWritable();
                }
                if (key.isValid() && key.isReadable()) {
                    connection.onReadable();
                }
            } catch (RuntimeException e) {
                // a bug in one connection's handling must not stop the others: drop that connection
                counters.get(RespCounter.SERVICE_FAILURES).incrementRelease();
                connection.close();
            }
        } else if (key.isValid() && key.isAcceptable()) {
            acceptAll();
        }
    }

    private void runAnswers() {
        List<Runnable> batch;
        while ((batch = answers.poll()) != null) {
            for (Runnable answer : batch) {
                try {
                    answer.run();
                } catch (RuntimeException e) {
                    // a bug in one answer must not stop the loop or the answers behind it
                    counters.get(RespCounter.SERVICE_FAILURES).incrementRelease();
                }
            }
        }
    }

    /**
     * Services the connections that got answers, then hands the requests this wake-up dispatched to the service;
     * a request the service refuses at once (its node is overloaded) is answered at once, which may let its
     * connection dispatch more, so it repeats until nothing is left.
     */
    private void settle() {
        do {
            Connection connection;
            while ((connection = answered.poll()) != null) {
                connection.serviceAfterAnswers();
            }
            service.flush();
        } while (!answered.isEmpty());
    }

    private void runTasks() {
        // only the tasks queued before this turn: one that queues another (a read of buffered input that made no
        // progress) leaves it to the next turn, so the selector, the answers and the timeouts still come round
        for (int queued = tasks.size(); queued > 0; queued--) {
            Runnable task = tasks.poll();
            if (task == null) {
                return;
            }
            task.run();
        }
    }

    private void acceptAll() {
        while (true) {
            SocketChannel channel;
            try {
                channel = acceptor.accept();
            } catch (IOException | RuntimeException e) {
                // out of descriptors, say: the waiting connections stay queued until the pause ends
                pauseAccepting();
                return;
            }
            if (channel == null) {
                return;
            }
            try {
                accept(channel);
            } catch (IOException | RuntimeException e) {
                // the client reset the connection while it was set up, say: its socket is let go of, the next
                // waiting connection is served. It is closed before it is counted, so whoever sees the count
                // sees the socket let go of.
                try {
                    channel.close();
                } catch (IOException closing) {
                    // closing released the descriptor or could not: nothing more to do for it
                }
                counters.get(RespCounter.SETUP_FAILURES).incrementRelease();
            }
        }
    }

    /** Stops selecting the listener for {@link #ACCEPT_PAUSE_NANOS}; the connections waiting stay queued. */
    private void pauseAccepting() {
        counters.get(RespCounter.ACCEPT_PAUSES).incrementRelease();
        SelectionKey key = listener.keyFor(selector);
        if (key != null && key.isValid()) {
            key.interestOps(0);
        }
        long until = System.nanoTime() + ACCEPT_PAUSE_NANOS;
        acceptPausedUntilNanos = until == 0 ? 1 : until;
        scheduleTimeoutCheck(acceptPausedUntilNanos);
    }

    private void resumeAccepting() {
        acceptPausedUntilNanos = 0;
        SelectionKey key = listener.keyFor(selector);
        if (key != null && key.isValid()) {
            key.interestOps(SelectionKey.OP_ACCEPT);
        }
    }

    /** Tests: takes connections through {@code replacement} from now on (any thread; the loop reads it next time). */
    void acceptWith(Acceptor replacement) {
        acceptor = replacement;
    }

    /** @return the listening socket (tests) */
    ServerSocketChannel listener() {
        return listener;
    }

    private ClientStream stream(SocketChannel channel) throws IOException {
        if (tls == null) {
            return ClientStream.plain(channel);
        }
        javax.net.ssl.SSLEngine engine = tls.context().createSSLEngine();
        engine.setUseClientMode(false);
        engine.setSSLParameters(tls.parameters());
        // begun now, so the connection sees a handshake under way and times it as a request
        engine.beginHandshake();
        return new TlsStream(channel, engine);
    }

    private void accept(SocketChannel channel) throws IOException {
        if (connections.size() >= config.maxClients()) {
            counters.get(RespCounter.CONNECTIONS_REJECTED).incrementRelease();
            channel.configureBlocking(false);
            channel.write(ByteBuffer.wrap(TOO_MANY_CLIENTS));
            channel.close();
            return;
        }
        channel.configureBlocking(false);
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        ClientSession session = new ClientSession(nextClientId++, config.consistency());
        if (channel.getRemoteAddress() instanceof java.net.InetSocketAddress remote) {
            session.origin(io.ringkv.node.auth.Authenticator.originOf(remote.getAddress()));
        }
        SelectionKey key = channel.register(selector, SelectionKey.OP_READ);
        Connection connection = new Connection(this, stream(channel), key, config, session);
        key.attach(connection);
        connections.add(connection);
        counters.get(RespCounter.CONNECTIONS_ACCEPTED).incrementRelease();
        counters.get(RespCounter.CONNECTED_CLIENTS).addRelease(1);
        scheduleTimeoutCheck(connection.nextDeadline());
    }

    private void closeEverything() {
        closing = true;
        try {
            for (Connection connection : Set.copyOf(connections)) {
                try {
                    connection.close();
                } catch (RuntimeException e) {
                    // the listener and the other connections are closed all the same
                    counters.get(RespCounter.SERVICE_FAILURES).incrementRelease();
                }
            }
            try {
                listener.close();
                if (agentWake == null) {
                    // on an agent thread the selector is the agent's, which its transport closes
                    selector.close();
                }
            } catch (IOException ignored) {
                // shutting down: nothing left to serve
            }
        } finally {
            if (agentWake == null) {
                closed.countDown();
            }
        }
    }
}
