package io.ringkv.node.http;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The node's HTTP endpoint: {@code /metrics}, {@code /health/*}, the dashboard and the key-value API, on its own
 * port, served by the JDK's HTTP server on a virtual thread per exchange (never the agent's or the front door's).
 * Handlers read only what is safe from any thread: the counter registry and the cluster snapshot; the key-value API
 * hands its requests to a front door thread of its own ({@link HttpFrontDoor}).
 *
 * <p>Only {@code GET} and {@code HEAD} are accepted, and a request with a body is refused before it is read,
 * except on a route added with {@link Routes#addWithOwnMethods}, whose handler checks both itself.
 */
public final class NodeHttpServer implements AutoCloseable {
    /** A request whose line and headers have not all arrived after this long closes its connection. */
    static final int MAX_REQUEST_SECONDS = 10;
    /** A connection that sends nothing for this long is closed. */
    static final int IDLE_SECONDS = 30;
    /**
     * Connections open at once, beyond which new ones are refused. The key-value API's clients keep pools of them
     * (idle ones count until the idle timeout), and the health checks must still get in beside them: each connection
     * costs only a socket and a virtual thread, so the cap is high.
     */
    static final int MAX_CONNECTIONS = 1024;
    private static final Set<String> METHODS = Set.of("GET", "HEAD");

    static {
        // the JDK's server reads these once, when its first server is made: a client that sends half a request,
        // or nothing, must not hold a connection (and a thread) forever, or two of them would starve the health checks
        limit("sun.net.httpserver.maxReqTime", MAX_REQUEST_SECONDS);
        limit("sun.net.httpserver.idleInterval", IDLE_SECONDS);
        limit("sun.net.httpserver.maxConnections", MAX_CONNECTIONS);
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private boolean started;

    private NodeHttpServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Binds {@code host:port} (0 picks a free port) without serving yet: a node binds every port it needs before it
     * tells the cluster it exists, so a port taken fails the start cleanly. Connections wait in the backlog until
     * {@link #serve}.
     *
     * @param nodeId names the server's threads
     * @throws KvException with {@code INVALID_CONFIGURATION} when the port cannot be bound (in use, or not allowed)
     */
    public static NodeHttpServer bind(String host, int port, String nodeId) {
        return bind(host, port, nodeId, null);
    }

    /**
     * As {@link #bind(String, int, String)}, serving HTTPS only when {@code tls} is given: TLS 1.3 with its
     * certificate (reloaded as the file changes) and client certificate policy; a plaintext request fails its
     * handshake.
     */
    public static NodeHttpServer bind(String host, int port, String nodeId, io.ringkv.node.security.ReloadingTls tls) {
        HttpServer server;
        try {
            if (tls == null) {
                server = HttpServer.create(new InetSocketAddress(host, port), MAX_CONNECTIONS);
            } else {
                com.sun.net.httpserver.HttpsServer https =
                    com.sun.net.httpserver.HttpsServer.create(new InetSocketAddress(host, port), MAX_CONNECTIONS);
                https.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(tls.context()) {
                    @Override
                    public void configure(com.sun.net.httpserver.HttpsParameters parameters) {
                        parameters.setSSLParameters(tls.parameters());
                    }
                });
                server = https;
            }
        } catch (IOException e) {
            throw new KvException(ErrorCode.INVALID_CONFIGURATION, "cannot listen for HTTP on " + host + ":" + port
                + " (" + e.getMessage() + "); choose another --http-port, or -1 for none", e);
        }
        // a virtual thread per exchange: a slow client holds only its own, never the health checks' threads
        ExecutorService executor = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("ringkv-" + nodeId + "-http-", 0).factory());
        server.setExecutor(executor);
        return new NodeHttpServer(server, executor);
    }

    /** Binds and serves {@code routes} at once; see {@link #bind} and {@link #serve}. */
    public static NodeHttpServer start(String host, int port, String nodeId, Routes routes) {
        NodeHttpServer server = bind(host, port, nodeId);
        server.serve(routes);
        return server;
    }

    /**
     * Starts serving {@code routes}, each a path prefix and its handler; call once.
     *
     * @throws IllegalStateException when already serving
     */
    public synchronized void serve(Routes routes) {
        if (started) {
            throw new IllegalStateException("the HTTP server on port " + port() + " already serves");
        }
        started = true;
        routes.forEach((path, route) -> server.createContext(path,
            route.ownMethods() ? answered(route.handler()) : guarded(route.handler())));
        if (!routes.has("/")) {
            server.createContext("/", guarded(exchange -> send(exchange, 404, "text/plain; charset=utf-8",
                ("no such page: " + exchange.getRequestURI().getPath() + "\n").getBytes(StandardCharsets.UTF_8))));
        }
        server.start();
    }

    /** Seconds beyond the longest wait for an answer that sending it whole may take. */
    public static final int RESPONSE_SLACK_SECONDS = 30;

    /**
     * Bounds how long, after its request arrived, a response may take to be sent whole, for the servers this
     * process makes from now on (the JDK's server reads it once, when its first server is made): a client that
     * pipelines requests and never reads their answers would otherwise hold its connection, and a slot of
     * {@link #MAX_CONNECTIONS}, forever. Longer than the longest wait for an answer, which it would cut short.
     * A bound set before (a system property on the command line) stays.
     */
    public static void boundResponseTime(java.time.Duration longest) {
        limit("sun.net.httpserver.maxRspTime", (int) Math.min(Integer.MAX_VALUE, Math.max(1, longest.toSeconds())));
    }

    private static void limit(String property, int value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, Integer.toString(value));
        }
    }

    /** @return the bound port */
    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public synchronized void close() {
        if (!started) {
            // the JDK's server closes its socket only in stop() of a started server: start it with no route first
            started = true;
            server.start();
        }
        server.stop(0);
        executor.shutdownNow();
    }

    /**
     * Sends a whole response ({@code HEAD} gets the headers only) and closes the exchange.
     */
    public static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        if (exchange.getRequestMethod().equals("HEAD")) {
            exchange.sendResponseHeaders(status, -1);
        } else {
            exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
        exchange.close();
    }

    /** Refuses methods other than GET/HEAD and request bodies; answers 500 rather than dropping the connection. */
    private static HttpHandler guarded(HttpHandler handler) {
        return answered(exchange -> {
            if (!METHODS.contains(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                send(exchange, 405, "text/plain; charset=utf-8",
                    ("method " + exchange.getRequestMethod() + " is not allowed here\n")
                        .getBytes(StandardCharsets.UTF_8));
                return;
            }
            String length = exchange.getRequestHeaders().getFirst("Content-Length");
            if ((length != null && !length.equals("0"))
                || exchange.getRequestHeaders().containsKey("Transfer-Encoding")) {
                send(exchange, 413, "text/plain; charset=utf-8",
                    "these pages take no request body\n".getBytes(StandardCharsets.UTF_8));
                return;
            }
            handler.handle(exchange);
        });
    }

    /** Answers 500 when {@code handler} throws, rather than dropping the connection, and closes the exchange. */
    private static HttpHandler answered(HttpHandler handler) {
        return exchange -> {
            try {
                handler.handle(exchange);
            } catch (IOException | RuntimeException e) {
                try {
                    send(exchange, 500, "text/plain; charset=utf-8",
                        ("internal error: " + e + "\n").getBytes(StandardCharsets.UTF_8));
                } catch (IOException | RuntimeException ignored) {
                    // the response had begun, or the client left: nothing more can be said
                }
            } finally {
                exchange.close();
            }
        };
    }

    /** A route's handler, and whether it checks methods and request bodies itself. */
    private record Route(HttpHandler handler, boolean ownMethods) {
    }

    /** Path prefixes and their handlers, in the order they are added. */
    public static final class Routes {
        private final java.util.LinkedHashMap<String, Route> handlers = new java.util.LinkedHashMap<>();

        /**
         * @param path a path prefix ({@code /metrics}); the longest matching prefix answers a request; without a
         *     route for {@code /}, paths no prefix matches get a 404
         * @throws IllegalArgumentException when {@code path} is already routed
         */
        public Routes add(String path, HttpHandler handler) {
            return add(path, new Route(handler, false));
        }

        /**
         * Routes {@code path} to a handler that takes methods other than GET and HEAD, and request bodies: it checks
         * the method and the body's length itself, before it reads any of the body.
         *
         * @throws IllegalArgumentException when {@code path} is already routed
         */
        public Routes addWithOwnMethods(String path, HttpHandler handler) {
            return add(path, new Route(handler, true));
        }

        private Routes add(String path, Route route) {
            if (handlers.putIfAbsent(path, route) != null) {
                throw new IllegalArgumentException("HTTP path " + path + " is routed twice");
            }
            return this;
        }

        /**
         * Puts every route added so far behind {@code guard}, given each route's path and handler (a login, for
         * instance); the routes keep how they check methods and bodies, which runs first.
         */
        public Routes guardEach(java.util.function.BiFunction<String, HttpHandler, HttpHandler> guard) {
            handlers.replaceAll((path, route) -> new Route(guard.apply(path, route.handler()), route.ownMethods()));
            return this;
        }

        boolean has(String path) {
            return handlers.containsKey(path);
        }

        void forEach(java.util.function.BiConsumer<String, Route> action) {
            handlers.forEach(action);
        }
    }
}
