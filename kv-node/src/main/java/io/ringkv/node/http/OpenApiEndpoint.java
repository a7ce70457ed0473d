package io.ringkv.node.http;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * {@value #PATH}: the OpenAPI 3 description of the node's HTTP API (the key-value API, health checks, metrics,
 * the cluster view), a hand-written resource of this module read once.
 */
public final class OpenApiEndpoint {
    /** Where the description is served. */
    public static final String PATH = "/openapi.json";

    private final byte[] description;

    /** Reads the description from the module's resources. */
    public OpenApiEndpoint() {
        description = read();
    }

    /** Adds {@value #PATH} to {@code routes}. */
    public NodeHttpServer.Routes addTo(NodeHttpServer.Routes routes) {
        return routes.add(PATH, this::handle);
    }

    private void handle(HttpExchange exchange) throws IOException {
        if (!exchange.getRequestURI().getPath().equals(PATH)) {
            NodeHttpServer.send(exchange, 404, "text/plain; charset=utf-8",
                ("no such page: " + exchange.getRequestURI().getPath() + "\n").getBytes(StandardCharsets.UTF_8));
            return;
        }
        NodeHttpServer.send(exchange, 200, "application/json", description);
    }

    /** @return the description's bytes, as served */
    static byte[] read() {
        try (InputStream in = OpenApiEndpoint.class.getResourceAsStream("openapi.json")) {
            if (in == null) {
                throw new IllegalStateException("the OpenAPI description is missing from the node's resources");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the OpenAPI description", e);
        }
    }
}
