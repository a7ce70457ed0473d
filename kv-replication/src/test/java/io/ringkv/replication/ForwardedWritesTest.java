package io.ringkv.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.NodeId;
import org.junit.jupiter.api.Test;

/** A replica remembers the hand-overs it took on, so a retransmission is never coordinated a second time. */
class ForwardedWritesTest {
    private static final NodeId SENDER = NodeId.of("n9");
    private static final long RETENTION = 1_400;
    private static final ForwardedWrites.Answer FAILED =
        new ForwardedWrites.Answer(ErrorCode.TIMEOUT, "late", null, false, false);

    private static ForwardedWrites.Id id(long correlation) {
        return new ForwardedWrites.Id(SENDER, correlation);
    }

    @Test
    void aHandOverInFlightIsNeverForgottenWhenMoreArrive() {
        ForwardedWrites<ForwardedWrites.Answer> writes = new ForwardedWrites<>(4, RETENTION);
        for (long c = 1; c <= 4; c++) {
            assertEquals(ForwardedWrites.Begin.NEW, writes.begin(id(c), 0));
        }
        assertEquals(ForwardedWrites.Begin.FULL, writes.begin(id(5), 10_000), "full of writes in flight");
        assertEquals(ForwardedWrites.Begin.REPEAT, writes.begin(id(1), 10_000), "a retransmission is recognised");
        assertTrue(!writes.isTracked(id(5)), "a refused hand-over is not taken on");
    }

    @Test
    void aFinishedHandOverIsAnsweredAgainForItsRetentionThenForgotten() {
        ForwardedWrites<ForwardedWrites.Answer> writes = new ForwardedWrites<>(4, RETENTION);
        writes.begin(id(1), 0);
        writes.finish(id(1), FAILED, 100);
        assertEquals(ForwardedWrites.Begin.REPEAT, writes.begin(id(1), 100 + RETENTION - 1));
        assertEquals(FAILED, writes.answer(id(1)));
        assertEquals(ForwardedWrites.Begin.NEW, writes.begin(id(2), 100 + RETENTION));
        assertTrue(!writes.isTracked(id(1)), "expired");
        assertNull(writes.answer(id(1)));
    }

    @Test
    void finishedHandOversMakeRoomOnlyOnceExpired() {
        ForwardedWrites<ForwardedWrites.Answer> writes = new ForwardedWrites<>(2, RETENTION);
        writes.begin(id(1), 0);
        writes.begin(id(2), 0);
        writes.finish(id(1), FAILED, 10);
        assertEquals(ForwardedWrites.Begin.FULL, writes.begin(id(3), 10 + RETENTION - 1));
        assertEquals(ForwardedWrites.Begin.NEW, writes.begin(id(3), 10 + RETENTION));
        assertEquals(ForwardedWrites.Begin.REPEAT, writes.begin(id(2), 10 + RETENTION), "still in flight");
    }

    @Test
    void aWriteWithAShorterRetentionIsForgottenOnTimeEvenBehindALongerOne() {
        ForwardedWrites<ForwardedWrites.Answer> writes = new ForwardedWrites<>(2, RETENTION);
        writes.begin(id(1), 0);
        writes.begin(id(2), 0);
        writes.finish(id(1), FAILED, 10);
        writes.finish(id(2), FAILED, 20, RETENTION / 2);
        assertEquals(ForwardedWrites.Begin.REPEAT, writes.begin(id(2), 20 + RETENTION / 2 - 1));
        assertEquals(ForwardedWrites.Begin.NEW, writes.begin(id(3), 20 + RETENTION / 2),
            "the shorter one made room though the longer one, finished first, is still kept");
        assertTrue(!writes.isTracked(id(2)));
        assertEquals(FAILED, writes.answer(id(1)));
        assertEquals(ForwardedWrites.Begin.REPEAT, writes.begin(id(1), 10 + RETENTION - 1));
    }

    @Test
    void aRefusedHandOverIsRefusedAgainWhenRepeatedOnceThereIsRoomUntilItsRetentionEnds() {
        ForwardedWrites<ForwardedWrites.Answer> writes = new ForwardedWrites<>(1, RETENTION);
        writes.begin(id(1), 0);
        writes.finish(id(1), FAILED, 0);
        assertEquals(ForwardedWrites.Begin.FULL, writes.begin(id(2), 10));
        ForwardedWrites.Answer busy = new ForwardedWrites.Answer(ErrorCode.UNAVAILABLE, "busy", null, true, false);
        writes.refuse(id(2), busy, 10);
        assertTrue(writes.isTracked(id(2)), "a refusal is known");
        assertEquals(ForwardedWrites.Begin.REPEAT, writes.begin(id(2), 10 + RETENTION - 1),
            "a repeat once id 1 made room is not taken on: its sender may have handed it to another replica");
        assertEquals(busy, writes.answer(id(2)));
        assertEquals(0, writes.size(), "a refusal holds no place among the writes taken on");
        assertEquals(ForwardedWrites.Begin.NEW, writes.begin(id(2), 10 + RETENTION), "forgotten after its retention");
        assertEquals(0, writes.refusals());
    }

    @Test
    void refusalsRememberedAreBoundedOldestForgottenFirst() {
        ForwardedWrites<ForwardedWrites.Answer> writes = new ForwardedWrites<>(2, RETENTION);
        for (long c = 1; c <= 3; c++) {
            writes.refuse(id(c), FAILED, c);
        }
        assertEquals(2, writes.refusals());
        assertTrue(!writes.isTracked(id(1)), "the oldest refusal made room");
        assertTrue(writes.isTracked(id(2)) && writes.isTracked(id(3)));
        assertTrue(writes.mayHaveForgottenARefusal(1 + RETENTION - 1), "id 1 may still be repeated");
        assertTrue(!writes.mayHaveForgottenARefusal(1 + RETENTION), "no longer");
    }

    @Test
    void refusalsForgottenByAgeLeaveNoDoubt() {
        ForwardedWrites<ForwardedWrites.Answer> writes = new ForwardedWrites<>(2, RETENTION);
        writes.refuse(id(1), FAILED, 0);
        writes.begin(id(2), RETENTION);
        assertTrue(!writes.isTracked(id(1)));
        assertTrue(!writes.mayHaveForgottenARefusal(RETENTION));
    }
}
