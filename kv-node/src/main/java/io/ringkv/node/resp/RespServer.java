package io.ringkv.node.resp;

import io.ringkv.node.metrics.RequestMetrics;

import io.ringkv.api.CounterRegistry;
import io.ringkv.api.CounterSet;
import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import io.ringkv.node.auth.Authenticator;
import io.ringkv.node.service.KeyValueService;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.util.Objects;

/**
 * The Redis-protocol front door: listens on a TCP port and serves RESP2 and RESP3 clients on one thread of its
 * own or on the node's agent thread ({@link AgentHost}), answering data commands through a {@link KeyValueService}. Start it with {@link #start}, stop it with
 * {@link #close}.
 */
public final class RespServer implements AutoCloseable {
    private static final int ACCEPT_BACKLOG = 511;
    private static final long STOP_WAIT_MILLIS = 5_000;

    private final EventLoop loop;
    private final Thread thread;
    private final InetSocketAddress address;
    private final CounterSet<RespCounter> counters;

    private RespServer(EventLoop loop, Thread thread, InetSocketAddress address, CounterSet<RespCounter> counters) {
        this.loop = loop;
        this.thread = thread;
        this.address = address;
        this.counters = counters;
    }

    /** @return the server's loop (tests) */
    EventLoop loop() {
        return loop;
    }

    /**
     * Binds the port and starts serving on a thread named {@code ringkv-resp-<port>}.
     *
     * @param service answers the data commands
     * @param node adds the node's fields to {@code INFO}
     * @throws KvException with {@code INVALID_CONFIGURATION} when the address cannot be bound
     */
    public static RespServer start(RespConfig config, KeyValueService service, NodeInfo node) {
        return start(listen(config), service, node);
    }

    /**
     * Binds the port without serving yet, so a node can announce its real client port (when configured as 0)
     * before anything that answers clients exists. Connections wait in the backlog until {@link #start(Listener,
     * KeyValueService, NodeInfo)}.
     *
     * @throws KvException with {@code INVALID_CONFIGURATION} when the address cannot be bound
     */
    public static Listener listen(RespConfig config) {
        ServerSocketChannel channel = null;
        Selector selector = null;
        try {
            selector = Selector.open();
            channel = ServerSocketChannel.open();
            channel.bind(new InetSocketAddress(config.host(), config.port()), ACCEPT_BACKLOG);
            channel.configureBlocking(false);
            channel.register(selector, SelectionKey.OP_ACCEPT);
        } catch (IOException e) {
            closeQuietly(channel, selector);
            throw new KvException(ErrorCode.INVALID_CONFIGURATION, "cannot listen for Redis clients on "
                + config.host() + ":" + config.port() + ": " + e.getMessage(), e);
        }
        try {
            return new Listener(config, channel, selector, boundAddress(channel));
        } catch (KvException e) {
            closeQuietly(channel, selector);
            throw e;
        }
    }

    /**
     * Starts serving a bound listener on a thread named {@code ringkv-resp-<port>}; the listener belongs to the
     * server from then on.
     *
     * @param service answers the data commands
     * @param node adds the node's fields to {@code INFO}
     */
    public static RespServer start(Listener listener, KeyValueService service, NodeInfo node) {
        return start(listener, service, node, Availability.ALWAYS);
    }

    /**
     * Starts serving a bound listener, as {@link #start(Listener, KeyValueService, NodeInfo)} does, with
     * {@code PING} answering an {@code UNAVAILABLE} error whenever {@code availability} says the node cannot serve.
     */
    public static RespServer start(Listener listener, KeyValueService service, NodeInfo node,
                                   Availability availability) {
        return start(listener, service, node, availability, new CounterRegistry(RespCounter.values().length));
    }

    /**
     * Starts serving a bound listener, as {@link #start(Listener, KeyValueService, NodeInfo, Availability)} does,
     * with the front door's counters registered in {@code counters}, the node's registry, whose every counter
     * {@code INFO} shows in its section.
     *
     * @throws IllegalArgumentException when {@code counters} already holds the front door's counters
     */
    public static RespServer start(Listener listener, KeyValueService service, NodeInfo node,
                                   Availability availability, CounterRegistry counters) {
        return start(listener, service, node, availability, counters,
            new RequestMetrics(new io.prometheus.metrics.model.registry.PrometheusRegistry()));
    }

    /**
     * Starts serving a bound listener, as {@link #start(Listener, KeyValueService, NodeInfo, Availability,
     * CounterRegistry)} does, recording every answered request's command, consistency, duration and error in
     * {@code requests}.
     */
    public static RespServer start(Listener listener, KeyValueService service, NodeInfo node,
                                   Availability availability, CounterRegistry counters, RequestMetrics requests) {
        return start(listener, service, node, availability, counters, requests, Authenticator.open());
    }

    /**
     * Starts serving a bound listener, as {@link #start(Listener, KeyValueService, NodeInfo, Availability,
     * CounterRegistry, RequestMetrics)} does, with clients logging in through {@code authenticator}: when it
     * {@linkplain Authenticator#required() requires} a login, a connection runs only AUTH, HELLO and QUIT until it
     * logged in, and then only the commands its user's permission allows.
     *
     * @param authenticator its counters registered in {@code counters}; the caller closes it after the server
     */
    public static RespServer start(Listener listener, KeyValueService service, NodeInfo node,
                                   Availability availability, CounterRegistry counters, RequestMetrics requests,
                                   Authenticator authenticator) {
        return start(listener, service, node, availability, counters, requests, authenticator, null);
    }

    /**
     * Starts serving a bound listener, as {@link #start(Listener, KeyValueService, NodeInfo, Availability,
     * CounterRegistry, RequestMetrics, Authenticator)} does, on the agent thread {@code host} when it is not null
     * and the listener has no TLS, else on a thread of its own.
     *
     * @throws KvException with {@code INVALID_CONFIGURATION} when the agent does not take the front door within
     *     five seconds (its task queue is full, or it stopped); the listener is closed then
     */
    public static RespServer start(Listener listener, KeyValueService service, NodeInfo node,
                                   Availability availability, CounterRegistry counters, RequestMetrics requests,
                                   Authenticator authenticator, AgentHost host) {
        Objects.requireNonNull(requests, "requests");
        Objects.requireNonNull(authenticator, "authenticator");
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(availability, "availability");
        if (!listener.channel.isOpen()) {
            throw new IllegalStateException("the listener on " + listener.address + " is closed");
        }
        RespConfig config = listener.config;
        CounterSet<RespCounter> own = counters.register(RespCounter.class);
        InfoReport info = new InfoReport(config, counters, node, System.nanoTime());
        CommandDispatcher dispatcher = new CommandDispatcher(own, new AccessGate(authenticator));
        new ConnectionCommands(config, dispatcher, info, availability, authenticator).registerIn(dispatcher);
        new KeyValueCommands(service, config.limits()).registerIn(dispatcher);
        new ExpiryCommands(service, config.limits(), System::currentTimeMillis).registerIn(dispatcher);
        info.port(listener.port());
        if (host != null && listener.tls == null) {
            return startOnAgent(listener, host, dispatcher, service, own, requests);
        }
        EventLoop loop = new EventLoop(config, listener.selector, listener.channel, dispatcher, service, own,
            requests, listener.tls);
        Thread thread = Thread.ofPlatform().name("ringkv-resp-" + listener.port()).daemon(true).start(loop);
        return new RespServer(loop, thread, listener.address, own);
    }

    private static RespServer startOnAgent(Listener listener, AgentHost host, CommandDispatcher dispatcher,
                                           KeyValueService service, CounterSet<RespCounter> own,
                                           RequestMetrics requests) {
        EventLoop loop = new EventLoop(listener.config, host.selector(), listener.channel, dispatcher, service, own,
            requests, null, host::wake);
        // 0: not yet taken by the agent, 1: taken, 2: given up by this thread (the agent must then do nothing)
        java.util.concurrent.atomic.AtomicInteger state = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.CompletableFuture<Void> started = new java.util.concurrent.CompletableFuture<>();
        // set up on the agent thread, which owns the selector's keys from then on; the listener is registered last,
        // so nothing can make it ready before the loop serves it
        boolean submitted = host.submit(() -> {
            if (!state.compareAndSet(0, 1)) {
                return;
            }
            try {
                // the listener's own selector is not needed: closing it lets go of its key
                listener.selector.close();
                host.serve(loop::onSelectedByAgent);
                host.atCycleEnd(loop::pollOnce);
                host.atClose(loop::closeOnAgent);
                loop.startOnAgent();
                started.complete(null);
            } catch (IOException | RuntimeException e) {
                loop.closeOnAgent();
                started.completeExceptionally(e);
            }
        });
        try {
            if (!submitted) {
                throw new IllegalStateException("its task queue is full");
            }
            try {
                started.get(STOP_WAIT_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                if (state.compareAndSet(0, 2)) {
                    throw new IllegalStateException("it did not run the front door's set-up within "
                        + STOP_WAIT_MILLIS + " ms (stopped, or stuck)");
                }
                // the agent took it just now: its set-up is a few calls
                started.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (state.compareAndSet(0, 2)) {
                listener.close();
            } else {
                // the agent owns the loop now: it closes everything at its next cycle
                loop.stop();
            }
            throw new KvException(ErrorCode.INVALID_CONFIGURATION, "interrupted while starting the front door", e);
        } catch (IllegalStateException | java.util.concurrent.ExecutionException e) {
            listener.close();
            throw new KvException(ErrorCode.INVALID_CONFIGURATION, "cannot serve Redis clients on the agent thread: "
                + (e instanceof java.util.concurrent.ExecutionException ? e.getCause() : e.getMessage()), e);
        }
        return new RespServer(loop, null, listener.address, own);
    }

    /**
     * The node's agent thread, which a front door without TLS runs on instead of a thread of its own (see
     * {@link EventLoop}): the loop's channels join the selector the agent sleeps on, and the agent hands the loop
     * their keys and calls it at the end of each duty cycle. A TLS front door keeps its own thread: a handshake costs
     * milliseconds of CPU, which must not hold up the agent's protocol work.
     */
    public interface AgentHost {
        /** @return the selector the agent sleeps on and selects every duty cycle */
        Selector selector();

        /** Agent thread: from now on every select of the agent hands {@code keys} the keys that are not its own. */
        void serve(java.util.function.Consumer<SelectionKey> keys);

        /** Runs {@code action} on the agent thread at the end of every duty cycle; it returns its work count. */
        void atCycleEnd(java.util.function.IntSupplier action);

        /** Runs {@code action} on the agent thread when the agent stops, before its selector closes. */
        void atClose(Runnable action);

        /** @return false when the agent's task queue is full */
        boolean submit(Runnable task);

        /** Wakes the agent if it sleeps (any thread). */
        void wake();
    }

    /** A bound front-door port that does not serve yet; close it when it will never be started. */
    public static final class Listener implements AutoCloseable {
        private final RespConfig config;
        private final ServerSocketChannel channel;
        private final Selector selector;
        private final InetSocketAddress address;
        private io.ringkv.node.security.ReloadingTls tls;

        private Listener(RespConfig config, ServerSocketChannel channel, Selector selector,
                         InetSocketAddress address) {
            this.config = config;
            this.channel = channel;
            this.selector = selector;
            this.address = address;
        }

        /** @return the bound port (the actual one when the configured port was 0) */
        public int port() {
            return address.getPort();
        }

        /**
         * Makes every client of this port speak TLS (1.3, with {@code tls}'s certificate, reloaded as its file
         * changes); a plaintext client fails the handshake. Before the server starts.
         */
        public Listener tls(io.ringkv.node.security.ReloadingTls tls) {
            this.tls = tls;
            return this;
        }

        @Override
        public void close() {
            closeQuietly(channel, selector);
        }
    }

    /** @return the address clients connect to (the actual port when the configured one was 0) */
    public InetSocketAddress address() {
        return address;
    }

    /** @return whether the node's agent thread serves this port (else a thread of its own does) */
    public boolean onAgentThread() {
        return thread == null;
    }

    /** @return the port clients connect to */
    public int port() {
        return address.getPort();
    }

    /** @return what the front door has done so far (its counters in the registry it was started with) */
    public CounterSet<RespCounter> counters() {
        return counters;
    }

    /**
     * Stops accepting, closes every connection (answers still pending are dropped) and waits for the thread, or for
     * the agent thread to close them.
     */
    @Override
    public void close() {
        loop.stop();
        try {
            if (thread == null) {
                // the agent closes everything at its next cycle, or as it stops if it is stopping; one that is
                // stuck leaves the connections to the process's exit (no other thread may touch them)
                loop.awaitClosed(STOP_WAIT_MILLIS);
                return;
            }
            thread.join(STOP_WAIT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static InetSocketAddress boundAddress(ServerSocketChannel listener) {
        try {
            return (InetSocketAddress) listener.getLocalAddress();
        } catch (IOException e) {
            throw new KvException(ErrorCode.INVALID_CONFIGURATION, "cannot read the bound RESP address", e);
        }
    }

    private static void closeQuietly(ServerSocketChannel listener, Selector selector) {
        try {
            if (listener != null) {
                listener.close();
            }
            if (selector != null) {
                selector.close();
            }
        } catch (IOException ignored) {
            // already failing to start; the bind error is the one to report
        }
    }
}
