package io.ringkv.gossip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.KvException;
import io.ringkv.api.NodeId;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FailureDetectorsTest {
    private static final long S = 1_000_000_000L;
    private static final NodeId N = NodeId.of("n1");

    @Test
    void fixedTimeoutsGoSuspectThenDownAndAHeartbeatRevives() {
        FixedTimeoutDetector detector = new FixedTimeoutDetector(15 * S, 30 * S);
        assertEquals(Liveness.DOWN, detector.liveness(N, 0), "a node never heard is down");
        detector.heartbeat(N, 100 * S);
        assertEquals(Liveness.ALIVE, detector.liveness(N, 114 * S));
        assertEquals(Liveness.SUSPECT, detector.liveness(N, 115 * S));
        assertEquals(Liveness.SUSPECT, detector.liveness(N, 129 * S));
        assertEquals(Liveness.DOWN, detector.liveness(N, 130 * S));
        detector.heartbeat(N, 131 * S);
        assertEquals(Liveness.ALIVE, detector.liveness(N, 131 * S));
        detector.forget(N);
        assertEquals(Liveness.DOWN, detector.liveness(N, 131 * S));
    }

    @Test
    void badSettingsAreRefused() {
        assertThrows(KvException.class, () -> new FixedTimeoutDetector(0, 1));
        assertThrows(KvException.class, () -> new FixedTimeoutDetector(10, 5));
        assertThrows(KvException.class, () -> new PhiAccrualDetector(8, 5, 100, S, S / 10, 0));
    }

    private static PhiAccrualDetector phiDetector() {
        return new PhiAccrualDetector(5, 8, 1000, S, S / 10, 0);
    }

    @Test
    void phiRisesWithSilenceAndTheDetectorGoesSuspectThenDown() {
        PhiAccrualDetector detector = phiDetector();
        long now = 0;
        for (int i = 0; i < 100; i++) {
            detector.heartbeat(N, now);
            now += S;
        }
        long last = now - S;
        double previous = -1;
        for (long silence = 0; silence <= 5 * S; silence += S / 10) {
            double phi = detector.phi(N, last + silence);
            assertTrue(phi >= previous, "phi must not fall as silence grows");
            previous = phi;
        }
        assertEquals(Liveness.ALIVE, detector.liveness(N, last + S));
        Liveness afterTwo = detector.liveness(N, last + 2 * S);
        assertTrue(afterTwo != Liveness.ALIVE, "twice the usual interval with a tight history is suspicious");
        assertEquals(Liveness.DOWN, detector.liveness(N, last + 5 * S));
        detector.heartbeat(N, last + 5 * S);
        assertEquals(Liveness.ALIVE, detector.liveness(N, last + 5 * S + S / 2));
    }

    @Test
    void anIrregularNodeEarnsMorePatienceThanARegularOne() {
        PhiAccrualDetector regular = phiDetector();
        PhiAccrualDetector irregular = phiDetector();
        SplittableRandom random = new SplittableRandom(1);
        long regularLast = 0;
        long irregularLast = 0;
        for (int i = 0; i < 500; i++) {
            regularLast = i * S;
            regular.heartbeat(N, regularLast);
            irregularLast += S / 2 + random.nextLong(S);
            irregular.heartbeat(N, irregularLast);
        }
        double regularPhi = regular.phi(N, regularLast + 2 * S);
        double irregularPhi = irregular.phi(N, irregularLast + 2 * S);
        assertTrue(regularPhi > irregularPhi,
            "after the same 2 s silence phi must be higher for the regular node: " + regularPhi + " vs " + irregularPhi);
        assertEquals(Liveness.ALIVE, irregular.liveness(N, irregularLast + 2 * S));
    }

    @Test
    void aNodeHeardOnceIsJudgedByTheExpectedIntervalUntilItHasAHistory() {
        PhiAccrualDetector detector = phiDetector();
        assertEquals(Double.POSITIVE_INFINITY, detector.phi(N, 0));
        detector.heartbeat(N, 10 * S);
        assertEquals(Liveness.ALIVE, detector.liveness(N, 10 * S + S / 2));
        assertEquals(Liveness.DOWN, detector.liveness(N, 20 * S), "silent for ten expected intervals");
    }

    @Test
    void anIntervalAtWhoseEndTheNodeWasDownIsNotLearned() {
        PhiAccrualDetector paused = phiDetector();
        PhiAccrualDetector steady = phiDetector();
        long now = 0;
        for (int i = 0; i < 20; i++) {
            paused.heartbeat(N, now);
            steady.heartbeat(N, now);
            now += S;
        }
        now += 60 * S;
        paused.heartbeat(N, now);
        steady.heartbeat(N, now);
        assertEquals(Liveness.DOWN, paused.liveness(N, now + 5 * S), "a 60 s gap taught the detector patience");
        assertEquals(steady.phi(N, now + 2 * S), paused.phi(N, now + 2 * S), 1e-9);
    }

    @Test
    void anExcusedPauseIsNotSilence() {
        FixedTimeoutDetector fixed = new FixedTimeoutDetector(15 * S, 30 * S);
        PhiAccrualDetector phi = phiDetector();
        for (long t = 0; t <= 10 * S; t += S) {
            fixed.heartbeat(N, t);
            phi.heartbeat(N, t);
        }
        // this node stopped for 100 s right after the last heartbeat
        long now = 10 * S + 100 * S;
        fixed.excusePause(100 * S, now);
        phi.excusePause(100 * S, now);
        assertEquals(Liveness.ALIVE, fixed.liveness(N, now));
        assertEquals(Liveness.ALIVE, phi.liveness(N, now));
        // silence after the pause still counts
        assertEquals(Liveness.DOWN, fixed.liveness(N, now + 30 * S));
        assertEquals(Liveness.DOWN, phi.liveness(N, now + 5 * S));
    }
}
