package io.ringkv.node.resp;

import io.ringkv.sim.FuzzInputs;
import org.junit.jupiter.api.Test;

/** The fuzz target's property on every build: its kept findings and seeded random inputs. */
class RespParserFuzzTargetTest {
    @Test
    void keptFindingsAndRandomInputsAreDecodedOrRefused() {
        FuzzInputs.replay("RespParserFuzzTarget", RespParserFuzzTarget::fuzzerTestOneInput);
    }
}
