package io.ringkv.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConsistencyTest {

    @ParameterizedTest
    @CsvSource({"1,1,1,1", "2,1,2,2", "3,1,2,3", "4,1,3,4", "5,1,3,5"})
    void namedLevelsResolveToReplicaCounts(int n, int one, int quorum, int all) {
        assertEquals(one, ConsistencyLevel.ONE.replicasFor(n));
        assertEquals(quorum, ConsistencyLevel.QUORUM.replicasFor(n));
        assertEquals(all, ConsistencyLevel.ALL.replicasFor(n));
    }

    @ParameterizedTest
    @CsvSource({"3,0,2", "3,2,0", "3,4,2", "3,2,4", "0,1,1", "17,1,1"})
    void outOfRangeSettingsAreRejected(int n, int r, int w) {
        KvException error = assertThrows(KvException.class, () -> new Consistency(n, r, w));
        assertEquals(ErrorCode.INVALID_CONSISTENCY, error.code());
    }

    @Test
    void quorumReadsAndWritesOverlapButOneAndOneDoNot() {
        assertTrue(Consistency.of(3, ConsistencyLevel.QUORUM, ConsistencyLevel.QUORUM).overlappingQuorums());
        assertTrue(Consistency.of(3, ConsistencyLevel.ONE, ConsistencyLevel.ALL).overlappingQuorums());
        assertFalse(Consistency.of(3, ConsistencyLevel.ONE, ConsistencyLevel.ONE).overlappingQuorums());
    }

    @Test
    void perRequestOverridesKeepN() {
        Consistency base = Consistency.DEFAULT;
        assertEquals(new Consistency(3, 1, 2), base.withRead(ConsistencyLevel.ONE));
        assertEquals(new Consistency(3, 2, 3), base.withWrite(ConsistencyLevel.ALL));
        assertThrows(KvException.class, () -> base.withReadWrite(4, 1));
    }

    @Test
    void levelNamesParseIgnoringCaseAndUnknownNamesListTheChoices() {
        assertEquals(ConsistencyLevel.QUORUM, ConsistencyLevel.parse(" quorum "));
        KvException error = assertThrows(KvException.class, () -> ConsistencyLevel.parse("MOST"));
        assertTrue(error.getMessage().contains("ONE, QUORUM or ALL"), error.getMessage());
    }
}
