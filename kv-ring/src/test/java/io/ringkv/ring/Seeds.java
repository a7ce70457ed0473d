package io.ringkv.ring;

import java.util.SplittableRandom;

/**
 * Seeds for randomised tests: a fixed default per test, overridable with {@code -Dringkv.seed=...}, and a message
 * that tells how to replay a failure.
 */
public final class Seeds {
    private Seeds() {
    }

    /** @return the seed to use: {@code -Dringkv.seed} when given, else {@code fixed} */
    public static long seed(long fixed) {
        return Long.getLong("ringkv.seed", fixed);
    }

    /** @return a generator for {@code seed} */
    public static SplittableRandom random(long seed) {
        return new SplittableRandom(seed);
    }

    /** @return "seed N (replay: ...)" for assertion messages */
    public static String replay(long seed, Class<?> test, String method) {
        return "seed " + seed + " (replay: mvn -pl kv-ring test -Dtest=" + test.getSimpleName() + "#" + method
            + " -Dringkv.seed=" + seed + ")";
    }
}
