package io.ringkv.antientropy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ringkv.ring.TokenRange;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Which ranges a pass limited to a token range ({@code ringkv repair --range}) takes: those that share a token. */
class RepairOverlapTest {
    @Test
    void rangesOverlapExactlyWhenTheyShareAToken() {
        // small rings of tokens, checked against counting the shared tokens one by one
        SplittableRandom random = new SplittableRandom(5);
        for (int i = 0; i < 20_000; i++) {
            TokenRange x = new TokenRange(random.nextLong(-8, 8), random.nextLong(-8, 8));
            TokenRange y = new TokenRange(random.nextLong(-8, 8), random.nextLong(-8, 8));
            if (x.isWholeRing() || y.isWholeRing()) {
                assertEquals(true, RepairScheduler.overlap(x, y));
                continue;
            }
            boolean shared = false;
            for (long t = -10; t <= 10 && !shared; t++) {
                shared = x.contains(t) && y.contains(t);
            }
            // a range wrapping past the ring's end shares tokens beyond [-10, 10] only when both wrap
            shared |= x.wraps() && y.wraps();
            assertEquals(shared, RepairScheduler.overlap(x, y), x + " and " + y);
        }
    }
}
