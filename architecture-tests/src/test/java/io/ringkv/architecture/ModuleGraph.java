package io.ringkv.architecture;

import java.lang.module.ModuleDescriptor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The module graph of ARCHITECTURE.md as data, and the check of real module descriptors against it: which ringkv
 * module may require which, no cycles, and which modules may touch Aeron's media driver or Netty.
 */
final class ModuleGraph {
    static final String API = "io.ringkv.api";
    static final String RING = "io.ringkv.ring";
    static final String STORAGE = "io.ringkv.storage";
    static final String TCK = "io.ringkv.storage.tck";
    static final String GOSSIP = "io.ringkv.gossip";
    static final String REPLICATION = "io.ringkv.replication";
    static final String ANTIENTROPY = "io.ringkv.antientropy";
    static final String NODE = "io.ringkv.node";
    static final String SIM = "io.ringkv.sim";
    static final String ARCHITECTURE = "io.ringkv.architecture";
    static final String BENCHMARKS = "io.ringkv.benchmarks";
    /** A third-party resolver built for tests: it may read only the published API. */
    static final String RESOLVER_FIXTURE = "io.ringkv.resolver.fixture";
    /** Storage engine plugins are named io.ringkv.storage.&lt;engine&gt; (the TCK excepted). */
    static final String PLUGIN_PREFIX = "io.ringkv.storage.";

    private static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
        Map.entry(API, Set.of()),
        Map.entry(RING, Set.of(API)),
        Map.entry(STORAGE, Set.of(API)),
        Map.entry(TCK, Set.of(API, STORAGE)),
        Map.entry(GOSSIP, Set.of(API, RING)),
        Map.entry(REPLICATION, Set.of(API, RING, STORAGE)),
        Map.entry(ANTIENTROPY, Set.of(API, RING, STORAGE)),
        Map.entry(NODE, Set.of(API, RING, STORAGE, GOSSIP, REPLICATION, ANTIENTROPY)),
        Map.entry(SIM, Set.of(API, RING, STORAGE)),
        Map.entry(RESOLVER_FIXTURE, Set.of(API)));
    private static final Set<String> PLUGIN_ALLOWED = Set.of(API, STORAGE);
    /** Test-only modules: they may read anything, and nothing may read them. */
    private static final Set<String> TEST_ONLY = Set.of(ARCHITECTURE, BENCHMARKS);
    private static final List<String> NODE_ONLY_PREFIXES = List.of("io.aeron.driver", "io.netty");

    private ModuleGraph() {
    }

    /** @return one line per broken rule; empty when {@code modules} follow the architecture */
    static List<String> violations(Iterable<ModuleDescriptor> modules) {
        List<String> problems = new ArrayList<>();
        Map<String, Set<String>> edges = new TreeMap<>();
        for (ModuleDescriptor module : modules) {
            if (!module.name().startsWith("io.ringkv.")) {
                continue;
            }
            Set<String> requires = new TreeSet<>();
            module.requires().forEach(r -> requires.add(r.name()));
            edges.put(module.name(), requires);
            problems.addAll(checkModule(module.name(), requires));
        }
        problems.addAll(cycles(edges));
        return problems;
    }

    private static List<String> checkModule(String name, Set<String> requires) {
        List<String> problems = new ArrayList<>();
        Set<String> allowed = allowedFor(name);
        for (String required : requires) {
            if (required.startsWith("io.ringkv.")) {
                if (TEST_ONLY.contains(required) || required.equals(SIM) && !TEST_ONLY.contains(name)) {
                    problems.add(name + " requires test-only module " + required);
                } else if (allowed != null && !allowed.contains(required)) {
                    problems.add(name + " requires " + required + ", which ARCHITECTURE.md does not allow");
                }
            }
            if (!name.equals(NODE) && !TEST_ONLY.contains(name)
                && NODE_ONLY_PREFIXES.stream().anyMatch(required::startsWith)) {
                problems.add(name + " requires " + required + "; only " + NODE + " may use it");
            }
        }
        if (allowed == null && !TEST_ONLY.contains(name)) {
            problems.add(name + " is not in the module graph; add it to ARCHITECTURE.md and to ModuleGraph");
        }
        return problems;
    }

    private static Set<String> allowedFor(String name) {
        Set<String> allowed = ALLOWED.get(name);
        if (allowed == null && name.startsWith(PLUGIN_PREFIX)) {
            return PLUGIN_ALLOWED;
        }
        return allowed;
    }

    /** Depth-first search for back edges; reports each cycle once by the module it closes on. */
    private static List<String> cycles(Map<String, Set<String>> edges) {
        List<String> problems = new ArrayList<>();
        Map<String, Integer> state = new HashMap<>();
        for (String start : edges.keySet()) {
            visit(start, edges, state, new ArrayList<>(), problems);
        }
        return problems;
    }

    private static void visit(String module, Map<String, Set<String>> edges, Map<String, Integer> state,
                              List<String> path, List<String> problems) {
        Integer seen = state.get(module);
        if (seen != null) {
            if (seen == 1) {
                List<String> cycle = new ArrayList<>(path.subList(path.indexOf(module), path.size()));
                cycle.add(module);
                problems.add("module cycle: " + String.join(" -> ", cycle));
            }
            return;
        }
        state.put(module, 1);
        path.add(module);
        for (String next : edges.getOrDefault(module, Set.of())) {
            if (edges.containsKey(next)) {
                visit(next, edges, state, path, problems);
            }
        }
        path.removeLast();
        state.put(module, 2);
    }

    /** @return the ringkv modules among {@code descriptors}, by name */
    static Set<String> names(Iterable<ModuleDescriptor> descriptors) {
        Set<String> names = new HashSet<>();
        descriptors.forEach(d -> names.add(d.name()));
        return names;
    }
}
