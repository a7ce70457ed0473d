package io.ringkv.node.transport;

import io.ringkv.sim.FuzzInputs;
import org.junit.jupiter.api.Test;

/** The fuzz target's property on every build: its kept findings and seeded random inputs. */
class PeerAuthenticationFuzzTargetTest {
    @Test
    void keptFindingsAndRandomInputsAreRefusedUnlessSigned() {
        FuzzInputs.replay("PeerAuthenticationFuzzTarget", PeerAuthenticationFuzzTarget::fuzzerTestOneInput);
    }
}
