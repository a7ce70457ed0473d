package io.ringkv.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import io.ringkv.api.Limits;
import org.junit.jupiter.api.Test;

/**
 * The configuration refuses settings under which a legal sibling set might not fit one replication message: every
 * sibling at the largest value, each version with {@code maxClockEntries} entries of 64-character node ids.
 */
class ReplicationConfigTest {
    private static ReplicationConfig with(Limits limits, int maxClockEntries, int maxSiblings) {
        ReplicationConfig d = ReplicationConfig.DEFAULT;
        return new ReplicationConfig(d.resolver(), d.consistency(), limits, d.requestTimeoutNanos(),
            d.retryIntervalNanos(), maxClockEntries, maxSiblings, d.maxPendingRequests(), d.catchUpWindowNanos(),
            d.tombstoneGraceMillis());
    }

    private static KvException refused(Limits limits, int maxClockEntries, int maxSiblings) {
        KvException e = assertThrows(KvException.class, () -> with(limits, maxClockEntries, maxSiblings));
        assertEquals(ErrorCode.INVALID_CONFIGURATION, e.code(), e.getMessage());
        return e;
    }

    @Test
    void theDefaultsFitOneMessage() {
        ReplicationConfig defaults = ReplicationConfig.DEFAULT;
        assertEquals(3, defaults.consistency().n());
        assertEquals(16, defaults.maxClockEntries());
        assertEquals(4, defaults.maxSiblings());
        assertEquals(Limits.DEFAULT, defaults.limits());
    }

    @Test
    void manyClockEntriesOfLongNodeIdsAreRefusedEvenWhenTheValuesAloneWouldFit() {
        // 4 × 10 KiB values fit a 64 KiB message; 4 versions of 200 entries of 64-character ids (16 KB each) do not
        KvException e = refused(Limits.DEFAULT, 200, 4);
        String message = e.getMessage();
        assertTrue(message.contains("max-siblings=4") && message.contains("max-clock-entries=200")
            && message.contains("max-value-bytes=10240"), message);
        assertTrue(message.contains("the largest that fit are max-siblings=2, max-clock-entries=72,"
            + " max-value-bytes=none"), message);
        with(Limits.DEFAULT, 200, 2);
        refused(Limits.DEFAULT, 200, 3);
        with(Limits.DEFAULT, 72, 4);
        refused(Limits.DEFAULT, 73, 4);
    }

    @Test
    void theLargestClockEntriesAreRefusedEvenForOneSibling() {
        KvException e = refused(new Limits(16, 0), 1024, 1);
        assertTrue(e.getMessage().contains("max-siblings=none"), e.getMessage());
    }

    @Test
    void theLargestValuesThatFitAreNamed() {
        KvException e = refused(Limits.DEFAULT, 16, 6);
        assertTrue(e.getMessage().contains("max-siblings=5,"), e.getMessage());
        String fitting = e.getMessage().replaceAll(".*max-value-bytes=(\\d+)$", "$1");
        int largest = Integer.parseInt(fitting);
        with(new Limits(1024, largest), 16, 6);
        refused(new Limits(1024, largest + 1), 16, 6);
    }
}
