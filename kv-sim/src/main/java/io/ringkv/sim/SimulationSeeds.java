package io.ringkv.sim;

import java.util.function.LongConsumer;

/**
 * Runs a simulation body for many seeds in one test. The count is bounded by default so the suite stays fast;
 * {@code -Dsim.seeds=N} runs more for a soak, {@code -Dsim.seed=S} replays one. A failing seed is reported with
 * the command that replays it.
 */
public final class SimulationSeeds {
    private SimulationSeeds() {
    }

    /**
     * @param testClass the test class, for the replay command
     * @param testMethod the test method, for the replay command
     * @param module the Maven module holding the test, for the replay command
     * @param defaultSeeds how many seeds to run when {@code sim.seeds} is not set
     * @param body runs one simulation with the given seed and throws when an invariant breaks
     * @return how many seeds ran
     */
    public static int run(Class<?> testClass, String testMethod, String module, int defaultSeeds, LongConsumer body) {
        String replay = System.getProperty("sim.seed", "");
        if (!replay.isBlank()) {
            long seed = Long.parseLong(replay.trim());
            runOne(testClass, testMethod, module, seed, body);
            return 1;
        }
        String configured = System.getProperty("sim.seeds", "");
        int seeds = configured.isBlank() ? defaultSeeds : Integer.parseInt(configured.trim());
        for (long seed = 1; seed <= seeds; seed++) {
            runOne(testClass, testMethod, module, seed, body);
        }
        return seeds;
    }

    private static void runOne(Class<?> testClass, String testMethod, String module, long seed, LongConsumer body) {
        try {
            body.accept(seed);
        } catch (RuntimeException | AssertionError e) {
            throw new AssertionError("simulation failed with seed " + seed + ": " + e.getMessage() + "\n"
                + replayCommand(testClass, testMethod, module, seed), e);
        }
    }

    /** @return the one command that replays {@code seed} of the test */
    public static String replayCommand(Class<?> testClass, String testMethod, String module, long seed) {
        return "replay: bin/test -pl " + module + " -am -Dsurefire.failIfNoSpecifiedTests=false -Dtest="
            + testClass.getSimpleName() + "#" + testMethod + " -Dsim.seed=" + seed;
    }
}
