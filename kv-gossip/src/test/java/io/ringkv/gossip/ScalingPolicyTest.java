package io.ringkv.gossip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The scaling policy over virtual time: sustained pressure, hysteresis, cool-down, bounds and moves. */
class ScalingPolicyTest {
    private static final long S = TimeUnit.SECONDS.toNanos(1);
    /** target 1,000/s per node; out after 30 s, in after 60 s, 100 s cool-down, 1-5 nodes */
    private static final ScalingPolicy.Config CONFIG = new ScalingPolicy.Config(1_000, 0, 1, 5, 30 * S, 60 * S,
        100 * S, 0.7);

    private final ScalingPolicy policy = new ScalingPolicy(CONFIG);
    private long now;

    private static List<ScalingPolicy.Sample> load(int nodes, double total) {
        List<ScalingPolicy.Sample> samples = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            samples.add(new ScalingPolicy.Sample(total / nodes, 0));
        }
        return samples;
    }

    /** Observes every 5 s for {@code seconds}; @return the last recommendation */
    private ScalingPolicy.Recommendation run(int seconds, int members, boolean moving, double total) {
        ScalingPolicy.Recommendation last = null;
        for (int t = 0; t < seconds; t += 5) {
            last = policy.observe(now, members, moving, load(members, total));
            now += 5 * S;
        }
        return last;
    }

    @Test
    void scalesOutOnlyAfterTrafficStaysAboveTargetPastTheCoolDownAndTheWindow() {
        ScalingPolicy.Recommendation first = run(5, 2, false, 3_500);
        assertEquals(2, first.recommended(), "the first observation starts the cool-down: " + first.reason());
        assertTrue(first.reason().contains("cooling down"), first.reason());
        // high from t=0: the window is served by t=30 s, but the cool-down lasts to t=100 s
        assertEquals(2, run(90, 2, false, 3_500).recommended());
        ScalingPolicy.Recommendation out = run(10, 2, false, 3_500);
        assertEquals(4, out.recommended(), "ceil(3,500 / 1,000) nodes: " + out.reason());
        assertEquals(1, out.direction());
        assertEquals(3_500, out.requestsPerSecond(), 1e-9);
    }

    @Test
    void scalingInRecommendsNoFewerNodesThanCarryTheLoadWithinTheHeadroom() {
        // 2,600/s on 5 nodes: 4 nodes carry it within 70 %, 3 (ceil of 2,600 / 1,000) only at 87 %, so that a rise
        // of a seventh would scale out again at once
        run(100, 5, false, 2_600);
        ScalingPolicy.Recommendation in = run(65, 5, false, 2_600);
        assertEquals(4, in.recommended(), in.reason());
    }

    @Test
    void aSpikeShorterThanTheWindowChangesNothing() {
        run(100, 3, false, 2_000);
        assertEquals(3, run(25, 3, false, 5_000).recommended(), "25 s above target is less than the 30 s window");
        assertEquals(3, run(5, 3, false, 2_000).recommended());
        // the timer restarted with the dip: another 25 s high is still not enough
        assertEquals(3, run(25, 3, false, 5_000).recommended());
        assertEquals(5, run(10, 3, false, 5_000).recommended());
    }

    @Test
    void scalesInOnlyWithHeadroomLeftOnTheRemainingNodes() {
        run(100, 3, false, 1_500);
        // 1,500/s would fit on 2 nodes (needs 2), but at 75 % of their target: above the 70 % headroom, so hold
        ScalingPolicy.Recommendation hold = run(120, 3, false, 1_500);
        assertEquals(3, hold.recommended(), hold.reason());
        // 1,300/s on 2 nodes is 65 %: in, after the 60 s window
        assertEquals(3, run(55, 3, false, 1_300).recommended());
        ScalingPolicy.Recommendation in = run(10, 3, false, 1_300);
        assertEquals(2, in.recommended(), in.reason());
        assertEquals(-1, in.direction());
    }

    @Test
    void aMembershipChangeRestartsTheCoolDown() {
        run(200, 3, false, 100);
        assertEquals(1, run(5, 3, false, 100).recommended(), "long low: down to the minimum");
        ScalingPolicy.Recommendation after = run(95, 2, false, 100);
        assertEquals(2, after.recommended(), "cooling after 3 -> 2: " + after.reason());
        assertEquals(1, run(10, 2, false, 100).recommended());
    }

    @Test
    void holdsWhileANodeMovesAndStartsOverAfterwards() {
        run(200, 2, false, 5_000);
        ScalingPolicy.Recommendation moving = run(50, 2, true, 5_000);
        assertEquals(2, moving.recommended());
        assertTrue(moving.reason().contains("joining or leaving"), moving.reason());
        // the move ended: the cool-down runs from its end
        assertEquals(2, run(95, 2, false, 5_000).recommended());
        assertEquals(5, run(10, 2, false, 5_000).recommended(), "capped at the maximum of 5");
        ScalingPolicy.Recommendation atMaximum = run(200, 5, false, 9_000);
        assertEquals(5, atMaximum.recommended());
        assertTrue(atMaximum.reason().contains("at the maximum of 5"), atMaximum.reason());
    }

    @Test
    void holdsWhileAMemberIsDownAndStartsOverWhenItIsBack() {
        run(200, 3, false, 9_000);
        ScalingPolicy.Recommendation down = policy.observe(now, 3, 1, false, load(2, 9_000));
        assertEquals(3, down.recommended(), down.reason());
        assertTrue(down.reason().contains("DOWN"), down.reason());
        now += 5 * S;
        assertEquals(3, run(25, 3, false, 9_000).recommended(), "the pressure timer restarted after the DOWN spell");
        assertEquals(5, run(10, 3, false, 9_000).recommended());
    }

    @Test
    void outsideTheBoundsItRecommendsTheBoundAtOnce() {
        ScalingPolicy bounded = new ScalingPolicy(CONFIG.withBounds(3, 4));
        assertEquals(3, bounded.observe(0, 1, false, load(1, 0)).recommended());
        assertEquals(4, bounded.observe(S, 6, true, load(6, 0)).recommended());
    }

    @Test
    void dataAboveTheLimitPerNodeAsksForNodesToo() {
        ScalingPolicy bytes = new ScalingPolicy(new ScalingPolicy.Config(1_000, 1_000_000, 1, 8, 0, 0, 0, 0.7));
        List<ScalingPolicy.Sample> full = List.of(new ScalingPolicy.Sample(10, 1_600_000),
            new ScalingPolicy.Sample(10, 1_500_000));
        assertEquals(4, bytes.observe(0, 2, false, full).recommended(), "3.1 MB needs 4 nodes of 1 MB");
        List<ScalingPolicy.Sample> tight = List.of(new ScalingPolicy.Sample(10, 800_000),
            new ScalingPolicy.Sample(10, 800_000), new ScalingPolicy.Sample(10, 0));
        assertEquals(3, bytes.observe(S, 3, false, tight).recommended(),
            "1.6 MB fits on 2 nodes but above the headroom: hold");
    }

    @Test
    void badSettingsAreRefusedByName() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new ScalingPolicy.Config(0, 0, 1, 2, 0, 0, 0,
            0.7)).getMessage().contains("target"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CONFIG.withBounds(3, 2)).getMessage()
            .contains("min <= max"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new ScalingPolicy.Config(1, 0, 1, 2, 0, 0, 0,
            1.0)).getMessage().contains("headroom"));
    }

    @Test
    void signalsTravelAsTwoSignificantDigitsAndMalformedOnesAreIgnored() {
        assertEquals("rps=1200,bytes=5400000", ScalingMonitor.encode(1_234.4, 5_377_000));
        assertEquals("rps=0,bytes=99", ScalingMonitor.encode(-3, 99));
        ScalingPolicy.Sample sample = ScalingMonitor.decode("rps=1200,bytes=5400000,future=7");
        assertEquals(1_200, sample.requestsPerSecond(), 1e-9);
        assertEquals(5_400_000, sample.dataBytes());
        for (String bad : new String[] {"", "rps=12", "rps=-1,bytes=3", "rps=1e3,bytes=3", "bytes", "rps=,bytes=1",
            "rps=99999999999999999999,bytes=1"}) {
            assertEquals(null, ScalingMonitor.decode(bad), bad);
        }
        assertEquals(null, ScalingMonitor.decode(null));
    }
}
