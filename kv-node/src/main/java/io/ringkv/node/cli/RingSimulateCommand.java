package io.ringkv.node.cli;

import io.ringkv.ring.RingSimulation;
import jakarta.inject.Inject;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code ringkv ring simulate}: builds rings one join at a time and prints, per configuration, one JSON line with
 * the balance of primary and replicated ownership and how much data one more join moves.
 */
final class RingSimulateCommand implements Command {
    private static final Set<String> STRATEGIES = Set.of("balanced", "random");

    @Inject
    RingSimulateCommand() {
    }

    @Override
    public String summary() {
        return "simulate token allocation: ownership balance and data moved by a join";
    }

    @Override
    public String usage() {
        return """
            usage: ringkv ring simulate [options]

            Builds a ring of --nodes nodes one join at a time, measures ownership (primary and replicated, as the
            coefficient of variation across nodes), then adds one more node and measures the fraction of replicated
            ownership that moved against the ideal rf/(nodes+1). Prints one JSON line per configuration; lists run
            every combination.

            options:
              --nodes N[,N...]        nodes in the ring, 1-10000 (default 16)
              --vnodes T[,T...]       tokens per node, 1-4096 (default 16)
              --rf R                  replication factor, 1-16 (default 3)
              --strategy S[,S...]     balanced or random (default balanced)
              --seed X                seed of the random choices (default 1)
            """;
    }

    @Override
    public int run(Options options, PrintStream out, PrintStream err) {
        options.rejectUnknown(Set.of("nodes", "vnodes", "rf", "strategy", "seed"));
        List<Integer> nodeCounts = options.integers("nodes", List.of(16), 1, 10_000);
        List<Integer> vnodeCounts = options.integers("vnodes", List.of(16), 1, 4096);
        int rf = options.integer("rf", 3, 1, 16);
        List<String> strategies = options.words("strategy", List.of("balanced"), STRATEGIES);
        long seed = options.longValue("seed", 1);
        for (String strategy : strategies) {
            for (int vnodes : vnodeCounts) {
                for (int nodes : nodeCounts) {
                    err.printf("simulating %s: %d nodes x %d vnodes, rf %d ...", strategy, nodes, vnodes, rf);
                    err.flush();
                    long started = System.nanoTime();
                    RingSimulation.Result result =
                        RingSimulation.run(new RingSimulation.Options(nodes, vnodes, rf, strategy, seed));
                    err.printf(Locale.ROOT, " %.1f s%n", (System.nanoTime() - started) / 1e9);
                    out.println(result.toJson());
                    out.flush();
                }
            }
        }
        return Launcher.OK;
    }
}
