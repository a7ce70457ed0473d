package io.ringkv.node.http;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The live dashboard: {@code /dashboard/} serves one HTML page with its script and style sheet, kept in this module's
 * resources and read once (no CDN, works offline); the page polls {@value ClusterEndpoint#PATH} every second. {@code /}
 * and {@code /dashboard} redirect to it.
 */
public final class DashboardEndpoint {
    /** The page's path. */
    public static final String PATH = "/dashboard/";

    private final Map<String, Asset> assets;

    private record Asset(String contentType, byte[] body) {
    }

    /** Reads the page's files from the module's resources. */
    public DashboardEndpoint() {
        assets = Map.of(
            PATH, asset("dashboard.html", "text/html; charset=utf-8"),
            PATH + "dashboard.js", asset("dashboard.js", "text/javascript; charset=utf-8"),
            PATH + "dashboard.css", asset("dashboard.css", "text/css; charset=utf-8"));
    }

    /** Adds {@code /dashboard} and {@code /} (which redirects to it; other unknown paths get a 404) to {@code routes}. */
    public NodeHttpServer.Routes addTo(NodeHttpServer.Routes routes) {
        return routes.add("/dashboard", this::handle).add("/", this::root);
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        if (path.equals("/dashboard")) {
            redirect(exchange);
            return;
        }
        Asset asset = assets.get(path);
        if (asset == null) {
            notFound(exchange, path);
            return;
        }
        NodeHttpServer.send(exchange, 200, asset.contentType(), asset.body());
    }

    private void root(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        if (path.equals("/")) {
            redirect(exchange);
        } else {
            notFound(exchange, path);
        }
    }

    private static void redirect(HttpExchange exchange) throws IOException {
        exchange.getResponseHeaders().set("Location", PATH);
        NodeHttpServer.send(exchange, 302, "text/plain; charset=utf-8",
            ("the dashboard is at " + PATH + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private static void notFound(HttpExchange exchange, String path) throws IOException {
        NodeHttpServer.send(exchange, 404, "text/plain; charset=utf-8",
            ("no such page: " + path + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private static Asset asset(String name, String contentType) {
        try (InputStream in = DashboardEndpoint.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("the dashboard's " + name + " is missing from the node's resources");
            }
            return new Asset(contentType, in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the dashboard's " + name, e);
        }
    }
}
