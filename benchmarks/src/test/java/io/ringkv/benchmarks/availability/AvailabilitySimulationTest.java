package io.ringkv.benchmarks.availability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.Node;
import io.ringkv.benchmarks.availability.WriteRule.Outcome;
import io.ringkv.ring.Ring;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The availability experiment: its write rule on fixed failure schedules, and its runs against the formula. */
class AvailabilitySimulationTest {
    /** Owners of token 150 on {@link #sixNodes()}: n2, n3, n4 (indexes 1, 2, 3); n5, n6, n1 are spare. */
    private static final long KEY = 150;
    private static final double DETECT_DOWN = 5;
    private static final double DETECT_UP = 3;

    @Test
    void withoutFailuresEveryWriteSucceedsInBothModes() {
        AvailabilityResult result = AvailabilitySimulation.run(small(24 * 3600, 0, 20_000, 1));
        assertEquals(20_000, result.writes());
        assertEquals(20_000, result.count(false, Outcome.SUCCESS));
        assertEquals(20_000, result.count(true, Outcome.SUCCESS));
        assertEquals(0, result.hinted());
    }

    @Test
    void twoDetectedDownOwnersFailTheStrictRuleAndNotTheSloppyOne() {
        AvailabilityResult result = judge(List.of(new Outage(2, 0, 100), new Outage(3, 0, 100)), 50);
        assertEquals(1, result.count(false, Outcome.TOO_FEW_OWNERS));
        assertEquals(1, result.count(true, Outcome.SUCCESS));
        assertEquals(1, result.hinted());
    }

    @Test
    void ownersDownButNotJudgedYetTimeOutInBothModes() {
        AvailabilityResult result = judge(List.of(new Outage(2, 0, 100), new Outage(3, 0, 100)), DETECT_DOWN / 2);
        assertEquals(1, result.count(false, Outcome.TIMED_OUT));
        assertEquals(1, result.count(true, Outcome.TIMED_OUT));
    }

    @Test
    void oneOwnerDownAndNotJudgedYetCostsNothing() {
        AvailabilityResult result = judge(List.of(new Outage(2, 0, 100)), DETECT_DOWN / 2);
        assertEquals(1, result.count(false, Outcome.SUCCESS));
        assertEquals(1, result.count(true, Outcome.SUCCESS));
        assertEquals(0, result.hinted());
    }

    @Test
    void anOwnerBackButStillJudgedDownIsSkipped() {
        AvailabilityResult result = judge(List.of(new Outage(2, 0, 100), new Outage(3, 0, 100)),
            100 + DETECT_UP / 2);
        assertEquals(1, result.count(false, Outcome.TOO_FEW_OWNERS));
        assertEquals(1, result.count(true, Outcome.SUCCESS));
        AvailabilityResult later = judge(List.of(new Outage(2, 0, 100), new Outage(3, 0, 100)), 100 + DETECT_UP);
        assertEquals(1, later.count(false, Outcome.SUCCESS));
    }

    @Test
    void anOutageShorterThanTheDetectionDelayIsNeverJudged() {
        // n3 down 0-1, back (believed alive at 4) before the detector would judge it at 5; down again 20-30,
        // judged at 25; n4 down throughout
        List<Outage> outages = List.of(new Outage(2, 0, 1), new Outage(3, 0, 100), new Outage(2, 20, 30));
        AvailabilityResult between = judge(outages, 10);
        assertEquals(1, between.count(false, Outcome.SUCCESS));
        assertEquals(1, between.hinted());
        // n3 down again, not judged yet: the strict rule waits for it in vain; sloppy gets n2 and n4's substitute
        AvailabilityResult undetected = judge(outages, 22);
        assertEquals(1, undetected.count(false, Outcome.TIMED_OUT));
        assertEquals(1, undetected.count(true, Outcome.SUCCESS));
        AvailabilityResult judged = judge(outages, 26);
        assertEquals(1, judged.count(false, Outcome.TOO_FEW_OWNERS));
        assertEquals(1, judged.count(true, Outcome.SUCCESS));
    }

    @Test
    void aNodeThatFailsAgainBeforeItIsBelievedBackStaysJudgedDown() {
        // n3 down 0-10 (judged at 5), back at 10 but down again at 11, before the view would believe it at 13
        AvailabilityResult result = judge(List.of(new Outage(2, 0, 10), new Outage(2, 11, 50),
            new Outage(3, 0, 100)), 14);
        assertEquals(1, result.count(false, Outcome.TOO_FEW_OWNERS));
        assertEquals(1, result.count(true, Outcome.SUCCESS));
    }

    @Test
    void anOwnerJudgedDownLongerThanTheHintWindowGetsNoSubstitute() {
        List<Outage> outages = List.of(new Outage(2, 0, 1000), new Outage(3, 0, 1000));
        // judged DOWN at 5: within a 60 s window until 65
        assertEquals(1, judge(outages, 60, 60).count(true, Outcome.SUCCESS));
        assertEquals(1, judge(outages, 70, 60).count(true, Outcome.TOO_FEW_OWNERS));
        assertEquals(1, judge(outages, 70, Double.POSITIVE_INFINITY).count(true, Outcome.SUCCESS));
    }

    @Test
    void allOwnersDownLeaveNoOwnerToCoordinate() {
        AvailabilityResult result = judge(List.of(new Outage(1, 0, 100), new Outage(2, 0, 100),
            new Outage(3, 0, 100)), 50);
        assertEquals(1, result.count(false, Outcome.TOO_FEW_OWNERS));
        assertEquals(1, result.count(true, Outcome.NO_OWNER));
    }

    @Test
    void aSubstituteDownButNotJudgedYetDoesNotAnswer() {
        // n3, n4 judged down; their substitutes would be n5 and n6, and n5 failed just now
        AvailabilityResult result = judge(List.of(new Outage(2, 0, 100), new Outage(3, 0, 100),
            new Outage(4, 49, 100)), 50);
        assertEquals(1, result.count(true, Outcome.SUCCESS));
        AvailabilityResult bothSubstitutesDown = judge(List.of(new Outage(2, 0, 100), new Outage(3, 0, 100),
            new Outage(4, 49, 100), new Outage(5, 49, 100)), 50);
        assertEquals(1, bothSubstitutesDown.count(true, Outcome.TIMED_OUT));
    }

    @Test
    void writesOutOfTimeOrderAreRefused() {
        AvailabilitySimulation simulation = new AvailabilitySimulation(sixNodes(), 3, 2, List.of(), 0, 0,
            Double.POSITIVE_INFINITY);
        assertThrows(IllegalArgumentException.class,
            () -> simulation.run(List.of(new Write(2, KEY), new Write(1, KEY)).iterator()));
    }

    @Test
    void theSameSeedGivesTheSameResultAndAnotherSeedAnother() {
        AvailabilityResult first = AvailabilitySimulation.run(small(3600, 600, 20_000, 7));
        AvailabilityResult again = AvailabilitySimulation.run(small(3600, 600, 20_000, 7));
        AvailabilityResult other = AvailabilitySimulation.run(small(3600, 600, 20_000, 8));
        for (boolean sloppy : new boolean[] {false, true}) {
            for (Outcome outcome : Outcome.values()) {
                assertEquals(first.count(sloppy, outcome), again.count(sloppy, outcome), outcome + " " + sloppy);
            }
        }
        assertEquals(first.hinted(), again.hinted());
        assertNotEquals(first.failures(false), other.failures(false));
    }

    @Test
    void sloppyQuorumNeverLosesAWriteTheStrictRuleWins() {
        // p = 1/7: failures are common enough that both modes fail sometimes
        AvailabilityResult result = AvailabilitySimulation.run(small(3600, 600, 50_000, 3));
        assertTrue(result.failures(true) > 0, "some sloppy failures");
        assertTrue(result.successFraction(true) > result.successFraction(false));
        assertTrue(result.count(true, Outcome.SUCCESS) >= result.count(false, Outcome.SUCCESS));
    }

    @Test
    void theSimulationAgreesWithTheFormula() {
        // a long detection delay (2 min against an MTTR of 10 min) makes the timeout terms visible
        // and a 15 min hint window against it the window term
        for (AvailabilityParameters parameters : List.of(small(3600, 600, 100_000, 5),
            small(3600, 600, 100_000, 5).withDetection(120, 60), small(3600, 600, 100_000, 5).withHintWindow(900))) {
            AvailabilityResult result = AvailabilitySimulation.run(parameters);
            AvailabilityFormula formula = new AvailabilityFormula(parameters);
            assertClose(formula.strictFailure(), result.failures(false), result.writes());
            assertClose(formula.sloppyFailure(), result.failures(true), result.writes());
        }
    }

    @Test
    void theFormulaReducesToTheTextbookOneWithoutDetectionDelays() {
        AvailabilityParameters parameters = small(24 * 3600, 1800, 0, 1).withDetection(0, 0);
        AvailabilityFormula formula = new AvailabilityFormula(parameters);
        double p = parameters.downFraction();
        assertEquals(3 * p * p * (1 - p) + p * p * p, formula.strictFailure(), 1e-15);
        assertEquals(p * p * p, formula.sloppyFailure(), 1e-15);
        AvailabilityFormula delayed = new AvailabilityFormula(parameters.withDetection(600, 0));
        double x = delayed.p() + delayed.u();
        double q = delayed.q();
        double missing = q + (x - q) * delayed.s();
        assertTrue(q > 1e-3);
        assertEquals(x * x * x + 3 * (1 - x) * missing * missing, delayed.sloppyFailure(), 1e-12);
    }

    /**
     * Failures counted from many writes, against the formula: within 5 standard deviations of the write sampling
     * plus 10 % for the finite failure history (the writes share it, so they are not independent samples).
     */
    private static void assertClose(double expectedFraction, long failures, long writes) {
        double expected = expectedFraction * writes;
        assertTrue(expected > 30, "enough expected failures to compare: " + expected);
        assertTrue(Math.abs(failures - expected) < 5 * Math.sqrt(expected) + 0.1 * expected,
            failures + " failures, " + expected + " expected");
    }

    /** 60 nodes of 8 vnodes in 6 racks; writes over 500 h. */
    private static AvailabilityParameters small(double mtbf, double mttr, long writes, long seed) {
        return new AvailabilityParameters(60, 8, 6, 3, 2, mtbf, mttr, 8, 2, Double.POSITIVE_INFINITY,
            500 * 3600.0, writes, seed);
    }

    private static AvailabilityResult judge(List<Outage> outages, double time) {
        return judge(outages, time, Double.POSITIVE_INFINITY);
    }

    private static AvailabilityResult judge(List<Outage> outages, double time, double hintWindow) {
        return new AvailabilitySimulation(sixNodes(), 3, 2, outages, DETECT_DOWN, DETECT_UP, hintWindow)
            .run(List.of(new Write(time, KEY)).iterator());
    }

    /** n1..n6 in one rack, node n<i> (index i-1) owning token 100 * i. */
    private static Ring sixNodes() {
        Ring.Builder builder = Ring.builder().replicationFactor(3);
        for (int i = 1; i <= 6; i++) {
            builder.add(Node.of("n" + i, "127.0.0.1", 7000 + i, 8000 + i), 100L * i);
        }
        return builder.build();
    }
}
