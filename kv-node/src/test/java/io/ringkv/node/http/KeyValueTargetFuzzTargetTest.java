package io.ringkv.node.http;

import io.ringkv.sim.FuzzInputs;
import org.junit.jupiter.api.Test;

/** The fuzz target's property on every build: its kept findings and seeded random inputs. */
class KeyValueTargetFuzzTargetTest {
    @Test
    void keptFindingsAndRandomInputsAreDecodedOrRefused() {
        FuzzInputs.replay("KeyValueTargetFuzzTarget", KeyValueTargetFuzzTarget::fuzzerTestOneInput);
    }
}
