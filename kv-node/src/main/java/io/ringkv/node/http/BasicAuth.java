package io.ringkv.node.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.ringkv.node.auth.AuthCounter;
import io.ringkv.node.auth.Authenticator;
import io.ringkv.node.auth.Permission;
import io.ringkv.node.auth.User;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The HTTP endpoint's logins: the node's users by HTTP basic auth (RFC 7617), the same users and permissions as
 * RESP's AUTH. Basic auth because the JDK's server has it natively (the {@code WWW-Authenticate} challenge, which a
 * browser answers with its own prompt for the dashboard) and it needs no token store to issue, expire and revoke;
 * the price is a password in every request, which is only safe over TLS beyond loopback, and a check per request,
 * which the {@link Authenticator}'s memory of verified passwords makes cheap after the first.
 *
 * <p>What each path needs, when the node has users: {@code /health/*} and {@code /openapi.json} nothing (probes and
 * a static description); {@code /kv/} {@link Permission#READ} to GET or HEAD, {@link Permission#READWRITE} for any
 * other method; everything else ({@code /metrics}, {@code /api/cluster}, {@code /dashboard}) {@link Permission#READ}.
 * A request without valid credentials is answered 401 with the challenge, one whose user lacks the permission 403,
 * before the handler runs or any request body is read.
 */
public final class BasicAuth {
    static final String CHALLENGE = "Basic realm=\"ringkv\", charset=\"UTF-8\"";
    private static final List<String> OPEN = List.of("/health", OpenApiEndpoint.PATH);
    /**
     * A login is answered within the failure delay plus the queue of slow hashes; past this the request gives up
     * with 503. Below the server's limit for a request to arrive whole ({@link NodeHttpServer#MAX_REQUEST_SECONDS}):
     * a PUT's body is read after its login, and the server would close its connection first, answering nothing.
     */
    static final long LOGIN_WAIT_SECONDS = NodeHttpServer.MAX_REQUEST_SECONDS - 2;

    private final Authenticator authenticator;
    private final boolean loopbackNamesOnly;
    private final String listenHost;
    private final Runnable refusedHost;

    /** @param authenticator the node's; when it requires no login, {@link #guard} changes nothing */
    public BasicAuth(Authenticator authenticator) {
        this(authenticator, false, "", () -> { });
    }

    /**
     * @param loopbackNamesOnly the node listens on loopback, over plain HTTP (a rebinding page fails a TLS
     *     handshake's name check): without users, a request must then name the node by a loopback name or
     *     {@code listenHost} (see {@link #guard})
     * @param listenHost the name or address the node listens on, which names it too
     * @param refusedHost counts a request refused for its {@code Host}
     */
    public BasicAuth(Authenticator authenticator, boolean loopbackNamesOnly, String listenHost, Runnable refusedHost) {
        this.authenticator = authenticator;
        this.loopbackNamesOnly = loopbackNamesOnly;
        this.listenHost = listenHost;
        this.refusedHost = refusedHost;
    }

    /**
     * @return {@code handler}, behind the login and the permission that {@code path} needs; on a loopback node
     *     without users, behind a check of the request's {@code Host} instead: a web page that makes its own name
     *     resolve to 127.0.0.1 (DNS rebinding) would otherwise read and write every key through the visitor's
     *     browser, as the same origin. Such a request names the page's host; one from a client on this machine
     *     names {@code localhost} or a loopback address.
     */
    public HttpHandler guard(String path, HttpHandler handler) {
        if (!authenticator.required()) {
            return loopbackNamesOnly ? exchange -> {
                String host = exchange.getRequestHeaders().getFirst("Host");
                if (host == null || namesLoopback(host, listenHost)) {
                    handler.handle(exchange);
                } else {
                    refusedHost.run();
                    NodeHttpServer.send(exchange, 421, "application/json", new HttpProblem(421, "MISDIRECTED",
                        "this node has no users and listens on loopback, so it answers requests naming it by a"
                            + " loopback name only (localhost, 127.0.0.1, [::1]); a web page could reach it by"
                            + " another (DNS rebinding). Configure users (--users-file) to serve other names")
                        .json());
                }
            } : handler;
        }
        if (OPEN.stream().anyMatch(path::startsWith)) {
            return handler;
        }
        boolean data = path.equals(KeyValueTarget.PREFIX);
        return exchange -> {
            String method = exchange.getRequestMethod();
            Permission needed = !data || method.equals("GET") || method.equals("HEAD") ? Permission.READ
                : Permission.READWRITE;
            if (admitted(exchange, needed)) {
                handler.handle(exchange);
            }
        };
    }

    /** @return true when the request's user may do what {@code needed} guards; else answers 401 or 403 */
    private boolean admitted(HttpExchange exchange, Permission needed) throws IOException {
        Optional<Credentials> credentials = Credentials.of(exchange.getRequestHeaders().getFirst("Authorization"));
        if (credentials.isEmpty()) {
            authenticator.counters().get(AuthCounter.UNAUTHENTICATED).increment();
            refuse(exchange, new HttpProblem(401, "NOAUTH", "log in with HTTP basic auth as a user of the node"));
            return false;
        }
        Optional<User> user;
        try {
            java.net.InetSocketAddress remote = exchange.getRemoteAddress();
            user = login(credentials.get(), Authenticator.originOf(remote == null ? null : remote.getAddress()));
        } catch (HttpProblem problem) {
            refuse(exchange, problem);
            return false;
        }
        if (user.isEmpty()) {
            refuse(exchange, new HttpProblem(401, "WRONGPASS", "invalid username-password pair"));
            return false;
        }
        if (!user.get().permission().permits(needed)) {
            authenticator.counters().get(AuthCounter.DENIED_COMMANDS).increment();
            refuse(exchange, new HttpProblem(403, "NOPERM", "user " + user.get().name() + " has no permission to "
                + exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath()));
            return false;
        }
        return true;
    }

    /** Waits, on the exchange's own virtual thread, for the login thread's verdict. */
    private Optional<User> login(Credentials credentials, String origin) throws HttpProblem {
        try {
            return authenticator.login(credentials.user(), credentials.password(), origin)
                .get(LOGIN_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw HttpProblem.of(e.getCause());
        } catch (TimeoutException e) {
            throw new HttpProblem(503, "UNAVAILABLE", "the login was not checked in time; retry");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HttpProblem(503, "CLOSED", "the node is stopping");
        } finally {
            credentials.wipe();
        }
    }

    /**
     * @return true when a {@code Host} header names {@code localhost} (or a name under it, RFC 6761), a loopback
     *     address or {@code listenHost}, with any port and one trailing dot
     */
    static boolean namesLoopback(String host, String listenHost) {
        String name = host.strip();
        if (name.startsWith("[")) {
            int end = name.indexOf(']');
            if (end < 0) {
                return false;
            }
            name = name.substring(1, end);
        } else if (name.indexOf(':') >= 0) {
            name = name.substring(0, name.indexOf(':'));
        }
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        String lower = name.toLowerCase(java.util.Locale.ROOT);
        if (lower.equals("localhost") || lower.endsWith(".localhost") || lower.equals("ip6-localhost")
            || lower.equals("ip6-loopback") || !lower.isEmpty() && lower.equalsIgnoreCase(listenHost)) {
            return true;
        }
        // a literal only: parsed, never looked up (a name that resolves to loopback is what rebinding makes)
        boolean literal = name.indexOf(':') >= 0 || name.chars().allMatch(c -> c == '.' || c >= '0' && c <= '9');
        if (!name.isEmpty() && literal) {
            try {
                return java.net.InetAddress.ofLiteral(name).isLoopbackAddress();
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
        return false;
    }

    private static void refuse(HttpExchange exchange, HttpProblem problem) throws IOException {
        if (problem.status() == 401) {
            exchange.getResponseHeaders().set("WWW-Authenticate", CHALLENGE);
        }
        NodeHttpServer.send(exchange, problem.status(), "application/json", problem.json());
    }

    /** A user name and password from an {@code Authorization: Basic} header. */
    private record Credentials(String user, byte[] password) {
        static Optional<Credentials> of(String header) {
            if (header == null || header.length() < 6 || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
                return Optional.empty();
            }
            byte[] decoded;
            try {
                decoded = Base64.getDecoder().decode(header.substring(6).strip());
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
            int colon = 0;
            while (colon < decoded.length && decoded[colon] != ':') {
                colon++;
            }
            if (colon == decoded.length) {
                Arrays.fill(decoded, (byte) 0);
                return Optional.empty();
            }
            String user = new String(decoded, 0, colon, StandardCharsets.UTF_8);
            byte[] password = Arrays.copyOfRange(decoded, colon + 1, decoded.length);
            Arrays.fill(decoded, (byte) 0);
            return Optional.of(new Credentials(user, password));
        }

        void wipe() {
            Arrays.fill(password, (byte) 0);
        }
    }
}
