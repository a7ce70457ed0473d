package io.ringkv.node.cli;

import io.ringkv.ring.RingSimulation;
import jakarta.inject.Inject;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import picocli.CommandLine;

/**
 * {@code ringkv ring simulate}: builds rings one join at a time and prints, per configuration, one JSON line with
 * the balance of primary and replicated ownership and how much data one more join moves.
 */
@CommandLine.Command(name = "simulate",
    description = {"Simulate token allocation: ownership balance and data moved by a join.",
        "Builds a ring of --nodes nodes one join at a time, measures ownership (primary and replicated, as the"
            + " coefficient of variation across nodes), then adds one more node and measures the fraction of"
            + " replicated ownership that moved against the ideal rf/(nodes+1). Prints one JSON line per"
            + " configuration; lists run every combination."})
final class RingSimulateCommand implements Command {
    private static final Set<String> STRATEGIES = Set.of("balanced", "random");

    @CommandLine.Option(names = "--nodes", paramLabel = "N", split = ",", defaultValue = "16",
        description = "nodes in the ring, 1-10000")
    List<Integer> nodeCounts;

    @CommandLine.Option(names = "--vnodes", paramLabel = "T", split = ",", defaultValue = "16",
        description = "tokens per node, 1-4096")
    List<Integer> vnodeCounts;

    @CommandLine.Option(names = "--rf", paramLabel = "R", defaultValue = "3", description = "replication factor, 1-16")
    int rf;

    @CommandLine.Option(names = "--strategy", paramLabel = "S", split = ",", defaultValue = "balanced",
        completionCandidates = Strategies.class, description = "token allocation: balanced or random")
    List<String> strategies;

    @CommandLine.Option(names = "--seed", paramLabel = "X", defaultValue = "1",
        description = "seed of the random choices")
    long seed;

    @Inject
    RingSimulateCommand() {
    }

    @Override
    public int run(PrintStream out, PrintStream err) {
        Bounds.check("--nodes", nodeCounts, 1, 10_000);
        Bounds.check("--vnodes", vnodeCounts, 1, 4096);
        Bounds.check("--rf", rf, 1, 16);
        Bounds.oneOf("--strategy", strategies, STRATEGIES);
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

    /** The strategies, for shell completion. */
    static final class Strategies extends java.util.TreeSet<String> {
        @java.io.Serial
        private static final long serialVersionUID = 1L;

        Strategies() {
            super(STRATEGIES);
        }
    }
}
