package io.ringkv.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import org.junit.jupiter.api.Test;

class RingSimulationTest {

    @Test
    void resultIsOneJsonLineWithExactlyTheAgreedFields() {
        String json = RingSimulation.run(new RingSimulation.Options(5, 4, 3, "random", 7)).toJson();
        assertTrue(json.matches("\\{\"nodes\":5,\"vnodes\":4,\"rf\":3,\"strategy\":\"random\",\"primary_cv\":[0-9.]+,"
            + "\"replica_cv\":[0-9.]+,\"max_over_mean\":[0-9.]+,\"moved_fraction\":[0-9.]+,"
            + "\"ideal_fraction\":0\\.5}"), json);
    }

    @Test
    void numbersCarryFiveSignificantDigits() {
        RingSimulation.Result result = new RingSimulation.Result(1, 1, 1, "x", 0.000123456789, 1.0 / 3, 1, 0, 2.5e-7);
        assertEquals("{\"nodes\":1,\"vnodes\":1,\"rf\":1,\"strategy\":\"x\",\"primary_cv\":0.00012346,"
            + "\"replica_cv\":0.33333,\"max_over_mean\":1,\"moved_fraction\":0,\"ideal_fraction\":0.00000025}",
            result.toJson());
    }

    @Test
    void sameOptionsGiveTheSameResult() {
        RingSimulation.Options options = new RingSimulation.Options(20, 8, 3, "balanced", 11);
        assertEquals(RingSimulation.run(options), RingSimulation.run(options));
    }

    @Test
    void aJoinToTinyRingsMovesAtMostTheWholeRingPerReplica() {
        RingSimulation.Result result = RingSimulation.run(new RingSimulation.Options(1, 4, 3, "balanced", 1));
        assertEquals(1.0, result.idealFraction());
        assertEquals(1.0, result.movedFraction(), 1e-9);
    }

    @Test
    void settingsOutOfRangeAreRejectedByName() {
        assertRejected("nodes", () -> new RingSimulation.Options(0, 16, 3, "balanced", 1));
        assertRejected("vnodes", () -> new RingSimulation.Options(4, 0, 3, "balanced", 1));
        assertRejected("rf", () -> new RingSimulation.Options(4, 16, 17, "balanced", 1));
        assertRejected("strategy", () -> new RingSimulation.Options(4, 16, 3, "best", 1));
    }

    @Test
    void simulatedNodesAreNamedInOrderOnLoopbackWithDistinctPorts() {
        assertEquals("n7", RingSimulation.node(7).id().value());
        assertEquals("127.0.0.1", RingSimulation.node(7).host());
        assertTrue(RingSimulation.node(7).peerPort() != RingSimulation.node(8).peerPort());
    }

    private static void assertRejected(String setting, Runnable construction) {
        KvException error = assertThrows(KvException.class, construction::run);
        assertEquals(ErrorCode.INVALID_CONFIGURATION, error.code());
        assertTrue(error.getMessage().startsWith(setting), error.getMessage());
    }
}
