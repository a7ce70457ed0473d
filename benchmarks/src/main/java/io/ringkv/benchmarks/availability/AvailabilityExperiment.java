package io.ringkv.benchmarks.availability;

import io.ringkv.benchmarks.availability.WriteRule.Outcome;
import io.ringkv.ring.Ring;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Prints the write availability of a 1,000-node ring under random node failures with sloppy quorum off and on
 * (issue 15), beside the analytic expectation, then a small table for two more failure rates.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.ringkv.benchmarks.availability.AvailabilityExperiment \
 *     [writes] [seed] [--mtbf-hours H] [--mttr-minutes M] [--detect-down S] [--detect-up S]
 *     [--hint-window-hours H] [--hours H] [--nodes N] [--vnodes V] [--no-table]</pre>
 */
public final class AvailabilityExperiment {
    private static final long DEFAULT_WRITES = 2_000_000;
    private static final double HOUR = AvailabilityParameters.HOUR;

    private AvailabilityExperiment() {
    }

    /** Runs the experiment; exit status 2 on bad arguments. */
    public static void main(String[] args) {
        AvailabilityParameters parameters;
        boolean table = true;
        try {
            List<String> positional = new ArrayList<>();
            parameters = AvailabilityParameters.defaults(DEFAULT_WRITES, 1);
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                if (arg.equals("--no-table")) {
                    table = false;
                } else if (arg.startsWith("--")) {
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException(arg + " needs a value");
                    }
                    parameters = option(parameters, arg, Double.parseDouble(args[++i]));
                } else {
                    positional.add(arg);
                }
            }
            parameters = positional(parameters, positional);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println("usage: AvailabilityExperiment [writes] [seed] [--mtbf-hours H] [--mttr-minutes M]"
                + " [--detect-down S] [--detect-up S] [--hint-window-hours H] [--hours H] [--nodes N] [--vnodes V]"
                + " [--no-table]");
            System.exit(2);
            return;
        }
        run(parameters, table, System.out);
    }

    /** Runs {@code parameters} (and the table, if asked) and prints to {@code out}. */
    static void run(AvailabilityParameters parameters, boolean table, PrintStream out) {
        out.println("ringkv availability experiment: writes at QUORUM with sloppy quorum off and on, the same"
            + " failure history for both (virtual time, seeded)");
        out.println(parameters.describe());
        long start = System.nanoTime();
        Ring ring = AvailabilitySimulation.ring(parameters);
        AvailabilityResult result = AvailabilitySimulation.run(parameters, ring);
        AvailabilityFormula formula = new AvailabilityFormula(parameters);
        out.println();
        printOutcomes(result, out);
        out.println();
        printExpectation(result, formula, out);
        out.printf(Locale.ROOT, "%nclaim: 99.9 %% -> 99.99 %%; here: %s -> %s%n",
            percent(result.successFraction(false)), percent(result.successFraction(true)));
        if (table) {
            out.println();
            printTable(parameters, ring, result, out);
        }
        out.printf(Locale.ROOT, "%n(%.1f s wall-clock time)%n", (System.nanoTime() - start) / 1e9);
    }

    private static void printOutcomes(AvailabilityResult result, PrintStream out) {
        out.printf(Locale.ROOT, "%-22s %12s %12s   %14s %12s %10s%n", "", "succeeded", "success", "too few owners",
            "timed out", "no owner");
        for (boolean sloppy : new boolean[] {false, true}) {
            out.printf(Locale.ROOT, "%-22s %,12d %12s   %,14d %,12d %,10d%n",
                sloppy ? "sloppy quorum on" : "sloppy quorum off", result.count(sloppy, Outcome.SUCCESS),
                percent(result.successFraction(sloppy)), result.count(sloppy, Outcome.TOO_FEW_OWNERS),
                result.count(sloppy, Outcome.TIMED_OUT), result.count(sloppy, Outcome.NO_OWNER));
        }
        double hinted = result.writes() == 0 ? 0 : (double) result.hinted() / result.writes();
        out.printf(Locale.ROOT, "writes %,d; with sloppy quorum on, %,d succeeded with a substitute keeping a hint"
            + " (%s)%n", result.writes(), result.hinted(), percent(hinted));
    }

    private static void printExpectation(AvailabilityResult result, AvailabilityFormula formula, PrintStream out) {
        out.printf(Locale.ROOT, "expected failures (p = %.5f; down, not judged yet q = %.3g; back, judged DOWN"
            + " u = %.3g)%n", formula.p(), formula.q(), formula.u());
        out.printf(Locale.ROOT, "%-22s %-26s %-22s %-22s%n", "", "simple formula", "with detection delays",
            "simulated");
        printExpectationRow(out, "sloppy quorum off", "3p^2(1-p)+p^3", formula.strictFailureSimple(),
            formula.strictFailure(), result.failures(false), result.writes());
        printExpectationRow(out, "sloppy quorum on", "p^3", formula.sloppyFailureSimple(), formula.sloppyFailure(),
            result.failures(true), result.writes());
    }

    private static void printExpectationRow(PrintStream out, String name, String simpleName, double simple,
                                            double delayed, long failures, long writes) {
        double expected = delayed * writes;
        out.printf(Locale.ROOT, "%-22s %-26s %-22s %-22s  %,d failed, %,.1f expected (%+.1f sigma)%n", name,
            simpleName + " = " + scientific(simple), scientific(delayed),
            scientific(writes == 0 ? 0 : (double) failures / writes), failures, expected,
            expected == 0 ? 0 : (failures - expected) / Math.sqrt(expected));
    }

    private static void printTable(AvailabilityParameters main, Ring ring, AvailabilityResult mainResult,
                                   PrintStream out) {
        out.printf(Locale.ROOT, "%-8s %-10s %-9s %-24s %-24s%n", "MTBF", "MTTR", "p", "off: simulated (formula)",
            "on: simulated (formula)");
        printTableRow(main, mainResult, out);
        for (double[] failures : new double[][] {{24 * HOUR, 2 * HOUR}, {7 * 24 * HOUR, HOUR}}) {
            AvailabilityParameters other = main.withFailures(failures[0], failures[1]);
            printTableRow(other, AvailabilitySimulation.run(other, ring), out);
        }
    }

    private static void printTableRow(AvailabilityParameters parameters, AvailabilityResult result, PrintStream out) {
        AvailabilityFormula formula = new AvailabilityFormula(parameters);
        out.printf(Locale.ROOT, "%-8s %-10s %-9.5f %-24s %-24s%n", AvailabilityParameters.duration(
            parameters.mtbfSeconds()), AvailabilityParameters.duration(parameters.mttrSeconds()), formula.p(),
            percent(result.successFraction(false)) + " (" + percent(1 - formula.strictFailure()) + ")",
            percent(result.successFraction(true)) + " (" + percent(1 - formula.sloppyFailure()) + ")");
    }

    private static AvailabilityParameters option(AvailabilityParameters p, String name, double value) {
        return switch (name) {
            case "--mtbf-hours" -> p.withFailures(value * HOUR, p.mttrSeconds());
            case "--mttr-minutes" -> p.withFailures(p.mtbfSeconds(), value * 60);
            case "--detect-down" -> p.withDetection(value, p.detectUpSeconds());
            case "--detect-up" -> p.withDetection(p.detectDownSeconds(), value);
            case "--hint-window-hours" -> p.withHintWindow(value * HOUR);
            case "--hours" -> p.withRun(value * HOUR, p.writes(), p.seed());
            case "--nodes" -> p.withRing(whole(name, value), p.vnodes());
            case "--vnodes" -> p.withRing(p.nodes(), whole(name, value));
            default -> throw new IllegalArgumentException("unknown option " + name);
        };
    }

    private static AvailabilityParameters positional(AvailabilityParameters p, List<String> values) {
        if (values.size() > 2) {
            throw new IllegalArgumentException("at most two positional arguments: writes and seed");
        }
        long writes = values.isEmpty() ? p.writes() : Long.parseLong(values.get(0).replace("_", ""));
        long seed = values.size() < 2 ? p.seed() : Long.parseLong(values.get(1));
        return p.withRun(p.horizonSeconds(), writes, seed);
    }

    private static int whole(String name, double value) {
        if (value != Math.rint(value)) {
            throw new IllegalArgumentException(name + " must be a whole number, was " + value);
        }
        return (int) value;
    }

    private static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.5f %%", 100 * fraction);
    }

    private static String scientific(double value) {
        return String.format(Locale.ROOT, "%.3g", value);
    }
}
