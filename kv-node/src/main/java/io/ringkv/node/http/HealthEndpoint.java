package io.ringkv.node.http;

import com.sun.net.httpserver.HttpExchange;
import io.ringkv.node.membership.ClusterSnapshot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code /health/live} and {@code /health/ready} for orchestrators (a Kubernetes probe, a load balancer's check).
 *
 * <ul>
 *   <li><b>live</b>: 200 while the node can still serve; 503 once it cannot recover (its transport failed after a
 *       stall longer than the transport timeout) and should be restarted.
 *   <li><b>ready</b>: 200 once the node is NORMAL in the ring, has loaded what it needs and serves clients; 503
 *       with the reason otherwise (joining, leaving, starting, failed).
 * </ul>
 * Both answer a small JSON object: {@code {"status":"UP","node":"node1","state":"NORMAL"}}, with a
 * {@code "reason"} when the status is {@code DOWN}. {@code /health} is {@code /health/ready}.
 */
public final class HealthEndpoint {
    private final Supplier<ClusterSnapshot> cluster;
    private final Supplier<Optional<String>> unavailable;

    /**
     * @param cluster the node's latest view of the cluster (safe from any thread)
     * @param unavailable why the node cannot serve any more, when it cannot (safe from any thread)
     */
    public HealthEndpoint(Supplier<ClusterSnapshot> cluster, Supplier<Optional<String>> unavailable) {
        this.cluster = cluster;
        this.unavailable = unavailable;
    }

    /** Adds {@code /health}, {@code /health/live} and {@code /health/ready} to {@code routes}. */
    public NodeHttpServer.Routes addTo(NodeHttpServer.Routes routes) {
        return routes.add("/health", this::handle);
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        Check check = switch (path) {
            case "/health/live", "/health/live/" -> live();
            case "/health", "/health/", "/health/ready", "/health/ready/" -> ready();
            default -> null;
        };
        if (check == null) {
            NodeHttpServer.send(exchange, 404, "text/plain; charset=utf-8",
                "health checks are /health/live and /health/ready\n".getBytes(StandardCharsets.UTF_8));
            return;
        }
        NodeHttpServer.send(exchange, check.up() ? 200 : 503, "application/json",
            check.json().getBytes(StandardCharsets.UTF_8));
    }

    /** @return the liveness check now */
    Check live() {
        ClusterSnapshot view = cluster.get();
        String state = selfState(view);
        return unavailable.get().map(reason -> new Check(false, view.self(), state, reason))
            .orElseGet(() -> new Check(true, view.self(), state, ""));
    }

    /** @return the readiness check now */
    Check ready() {
        ClusterSnapshot view = cluster.get();
        String state = selfState(view);
        Optional<String> failed = unavailable.get();
        if (failed.isPresent()) {
            return new Check(false, view.self(), state, failed.get());
        }
        if (!view.ready()) {
            return new Check(false, view.self(), state, view.loading());
        }
        if (!state.equals("NORMAL")) {
            return new Check(false, view.self(), state, "the node is " + state + ", not NORMAL in the ring");
        }
        return new Check(true, view.self(), state, "");
    }

    private static String selfState(ClusterSnapshot view) {
        for (ClusterSnapshot.Member member : view.members()) {
            if (member.id().equals(view.self())) {
                return member.state();
            }
        }
        return "STARTING";
    }

    /** One check's outcome. */
    record Check(boolean up, String node, String state, String reason) {
        String json() {
            StringBuilder json = new StringBuilder("{\"status\":\"").append(up ? "UP" : "DOWN")
                .append("\",\"node\":").append(Json.string(node))
                .append(",\"state\":").append(Json.string(state));
            if (!up) {
                json.append(",\"reason\":").append(Json.string(reason));
            }
            return json.append("}\n").toString();
        }
    }
}
