package io.ringkv.benchmarks.faults;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A run's settings, parsed from the command line; {@link #replayCommand()} gives them back as the command that
 * replays the same schedule.
 *
 * @param seed seeds the fault schedule and the clients' choices
 * @param durationSeconds how long clients run (a {@code --short} run takes as long as its schedule needs)
 * @param nodes node processes the cluster starts with (N is min(3, nodes)); joins and leaves keep it at this many
 *     or one more
 * @param faults the fault kinds drawn
 * @param resolver {@code vector-clock} or {@code lww}
 * @param consistency the clients' level for writes and most reads: ONE, QUORUM or ALL
 * @param everyKindOnce the CI schedule: every kind once, in a seeded order
 * @param clientsPerNode client connections per node
 * @param rate operations per second over all clients, at most
 * @param report where the markdown report goes
 * @param modulePath the launcher's module path (distribution/target/ringkv/lib)
 * @param workDirectory where node data and logs go
 * @param peerSecurity what guards the datagrams between nodes: {@code none}, {@code key} (a cluster key, every
 *     datagram tagged for its receiver) or {@code encrypted} (the key and {@code --peer-encryption})
 * @param expireRaces whether half the SET-then-DEL keys also get an EXPIRE through another node, racing the DEL
 */
public record HarnessOptions(long seed, long durationSeconds, int nodes, Set<FaultKind> faults, String resolver,
                             String consistency, boolean everyKindOnce, int clientsPerNode, int rate, Path report,
                             Path modulePath, Path workDirectory, String peerSecurity, boolean expireRaces) {
    /** The values of {@code --peer-security}. */
    static final List<String> PEER_SECURITY = List.of("none", "key", "encrypted");

    static final String USAGE = """
        usage: fault-harness.sh [options]
          --seed S            seed of the fault schedule and the clients (default: random, printed)
          --duration SECONDS  how long the workload runs under faults (default 120)
          --short             the CI schedule: every fault kind once, in a seeded order (about 5 minutes)
          --soak              a one-hour run (--duration 3600)
          --nodes N           node processes to start with, 3-5 (default 3); a join adds one, a leave
                              takes one away (N or N + 1 members at any time)
          --faults K,...      fault kinds, or all (default all): %s
          --resolver NAME     vector-clock (default) or lww
          --consistency L     the clients' level: QUORUM (default), ONE or ALL
          --clients C         client connections per node (default 2)
          --rate OPS          operations per second over all clients, at most (default 150)
          --report FILE       the markdown report (default WORK/report.md)
          --lib DIR           the launcher's module path (default distribution/target/ringkv/lib)
          --work DIR          node data and logs (default /tmp/ringkv-faults-SEED)
          --peer-security M   none (default), key (a cluster key made for the run: every datagram between
                              nodes tagged for its receiver) or encrypted (the key and --peer-encryption)
          --expire-races      half the SET-then-DEL keys also get an EXPIRE through another node, racing the
                              DEL; QUORUM or ALL only (CI runs it; off by default to keep a seed's schedule
                              and workload as they were)
        """.formatted(FaultKind.labels(Set.copyOf(FaultKind.all())));

    /** @return the replication factor the nodes run with */
    public int replicationFactor() {
        return Math.min(3, nodes);
    }

    /** Parses {@code args}. @throws IllegalArgumentException naming the bad option */
    public static HarnessOptions parse(String[] args) {
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            switch (name) {
                case "--short", "--soak", "--expire-races" -> values.put(name, "true");
                case "--seed", "--duration", "--nodes", "--faults", "--resolver", "--consistency", "--clients",
                     "--rate", "--report", "--lib", "--work", "--peer-security" -> {
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException(name + " needs a value");
                    }
                    values.put(name, args[++i]);
                }
                default -> throw new IllegalArgumentException("unknown option " + name);
            }
        }
        long seed = values.containsKey("--seed") ? Long.parseLong(values.get("--seed"))
            : Math.abs(new java.util.SplittableRandom().nextLong() % 1_000_000);
        long duration = Long.parseLong(values.getOrDefault("--duration", values.containsKey("--soak") ? "3600"
            : "120"));
        int nodes = Integer.parseInt(values.getOrDefault("--nodes", "3"));
        if (nodes < 3 || nodes > 5) {
            throw new IllegalArgumentException("--nodes must be 3-5, was " + nodes);
        }
        String resolver = values.getOrDefault("--resolver", "vector-clock");
        if (!List.of("vector-clock", "lww").contains(resolver)) {
            throw new IllegalArgumentException("--resolver must be vector-clock or lww, was " + resolver);
        }
        String consistency = values.getOrDefault("--consistency", "QUORUM").toUpperCase(java.util.Locale.ROOT);
        if (!List.of("ONE", "QUORUM", "ALL").contains(consistency)) {
            throw new IllegalArgumentException("--consistency must be ONE, QUORUM or ALL, was " + consistency);
        }
        String peerSecurity = values.getOrDefault("--peer-security", "none");
        if (!PEER_SECURITY.contains(peerSecurity)) {
            throw new IllegalArgumentException("--peer-security must be one of " + PEER_SECURITY + ", was "
                + peerSecurity);
        }
        if (values.containsKey("--expire-races") && consistency.equals("ONE")) {
            // with W + W <= N a race is settled only by chance, as the README says: not an anomaly
            throw new IllegalArgumentException("--expire-races needs --consistency QUORUM or ALL (W + W > N)");
        }
        Path work = Path.of(values.getOrDefault("--work", "/tmp/ringkv-faults-" + seed)).toAbsolutePath();
        return new HarnessOptions(seed, duration, nodes, FaultKind.parse(values.getOrDefault("--faults", "all")),
            resolver, consistency, values.containsKey("--short"),
            Integer.parseInt(values.getOrDefault("--clients", "2")),
            Integer.parseInt(values.getOrDefault("--rate", "150")),
            Path.of(values.getOrDefault("--report", work.resolve("report.md").toString())).toAbsolutePath(),
            Path.of(values.getOrDefault("--lib", "distribution/target/ringkv/lib")).toAbsolutePath(), work,
            peerSecurity, values.containsKey("--expire-races"));
    }

    /** @return the command that replays this run's schedule and workload choices */
    public String replayCommand() {
        List<String> parts = new ArrayList<>(List.of("benchmarks/scripts/fault-harness.sh", "--seed",
            Long.toString(seed)));
        if (everyKindOnce) {
            parts.add("--short");
        } else {
            parts.addAll(List.of("--duration", Long.toString(durationSeconds)));
        }
        parts.addAll(List.of("--nodes", Integer.toString(nodes), "--faults", FaultKind.labels(faults),
            "--resolver", resolver, "--consistency", consistency, "--clients", Integer.toString(clientsPerNode),
            "--rate", Integer.toString(rate)));
        if (!peerSecurity.equals("none")) {
            parts.addAll(List.of("--peer-security", peerSecurity));
        }
        if (expireRaces) {
            parts.add("--expire-races");
        }
        return String.join(" ", parts);
    }
}
