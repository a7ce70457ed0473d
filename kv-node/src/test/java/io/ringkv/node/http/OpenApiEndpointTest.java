package io.ringkv.node.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The served OpenAPI description is JSON and names every route and every status the key-value API answers. */
class OpenApiEndpointTest {
    private NodeHttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void theDescriptionIsServedAsJsonOpenApi3() throws Exception {
        server = NodeHttpServer.start("127.0.0.1", 0, "test", new OpenApiEndpoint().addTo(new NodeHttpServer.Routes()));
        RawHttp.Response served = RawHttp.send(server.port(), "GET", OpenApiEndpoint.PATH, null);
        assertEquals(200, served.status());
        assertEquals("application/json", served.header("Content-Type"));
        Map<String, Object> spec = object(TinyJson.parse(served.text()));
        assertTrue(((String) spec.get("openapi")).startsWith("3."), "OpenAPI 3: " + spec.get("openapi"));
        assertEquals(404, RawHttp.send(server.port(), "GET", OpenApiEndpoint.PATH + "/more", null).status());
    }

    @Test
    void itNamesEveryRouteOfTheNode() {
        Set<String> paths = object(spec().get("paths")).keySet();
        for (String route : List.of("/kv/{key}", OpenApiEndpoint.PATH, "/health", "/health/live", "/health/ready",
                "/metrics", ClusterEndpoint.PATH, DashboardEndpoint.PATH)) {
            assertTrue(paths.contains(route), route + " is described: " + paths);
        }
    }

    @Test
    void itListsExactlyTheStatusesTheKeyValueApiAnswers() {
        Map<String, Object> key = object(object(spec().get("paths")).get("/kv/{key}"));
        for (Map.Entry<String, Set<Integer>> method : KeyValueEndpoint.STATUSES.entrySet()) {
            Map<String, Object> operation = object(key.get(method.getKey().toLowerCase(java.util.Locale.ROOT)));
            Set<Integer> described = object(operation.get("responses")).keySet().stream().map(Integer::valueOf)
                .collect(Collectors.toCollection(TreeSet::new));
            assertEquals(new TreeSet<>(method.getValue()), described, method.getKey());
        }
        assertEquals(Set.of("405"), object(key.get("x-other-methods")).keySet(), "other methods answer 405");
        Set<String> parameters = new TreeSet<>();
        for (Object parameter : (List<?>) key.get("parameters")) {
            parameters.add((String) object(parameter).get("name"));
        }
        assertEquals(Set.of("key", "consistency", "r", "w"), parameters);
        Set<String> putParameters = new TreeSet<>();
        for (Object parameter : (List<?>) object(key.get("put")).get("parameters")) {
            putParameters.add(object(parameter).get("in") + ":" + object(parameter).get("name"));
        }
        assertEquals(Set.of("header:" + KeyValueEndpoint.CONTEXT_HEADER, "query:ttl"), putParameters,
            "a write also takes its context and its time to live");
    }

    @Test
    void everyReferenceResolves() {
        Map<String, Object> spec = spec();
        List<String> references = new ArrayList<>();
        collectReferences(spec, references);
        assertTrue(references.size() > 10, "the description shares its responses: " + references);
        for (String reference : references) {
            assertTrue(reference.startsWith("#/"), reference);
            Object target = spec;
            for (String part : reference.substring(2).split("/")) {
                target = object(target).get(part);
                assertTrue(target != null, reference + " resolves");
            }
        }
    }

    private static Map<String, Object> spec() {
        return object(TinyJson.parse(new String(OpenApiEndpoint.read(), java.nio.charset.StandardCharsets.UTF_8)));
    }

    private static void collectReferences(Object node, List<String> references) {
        if (node instanceof Map<?, ?> map) {
            map.forEach((name, value) -> {
                if (name.equals("$ref")) {
                    references.add((String) value);
                } else {
                    collectReferences(value, references);
                }
            });
        } else if (node instanceof List<?> list) {
            list.forEach(item -> collectReferences(item, references));
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Object value) {
        assertTrue(value instanceof Map, "a JSON object: " + value);
        return (Map<String, Object>) value;
    }
}
