package io.ringkv.antientropy;

import java.util.SplittableRandom;

/** Seeds for randomised tests: a fixed default, overridable with {@code -Dringkv.seed=...}, and how to replay. */
final class Seeds {
    private Seeds() {
    }

    static long seed(long fixed) {
        return Long.getLong("ringkv.seed", fixed);
    }

    static SplittableRandom random(long seed) {
        return new SplittableRandom(seed);
    }

    static String replay(long seed, Class<?> test, String method) {
        return "seed " + seed + " (replay: mvn -pl kv-antientropy test -Dtest=" + test.getSimpleName() + "#" + method
            + " -Dringkv.seed=" + seed + ")";
    }

    /** @return a uniformly random token inside {@code range} */
    static long tokenIn(io.ringkv.ring.TokenRange range, SplittableRandom random) {
        long width = range.end() - range.start();
        long offset = width == 0 ? random.nextLong() : Long.remainderUnsigned(random.nextLong(), width);
        long token = range.start() + 1 + offset;
        // Long.MIN_VALUE is never a key's token; its neighbour is, and stays in the range unless the range is just it.
        return token == Long.MIN_VALUE && range.contains(token + 1) ? token + 1 : token;
    }
}
