package io.ringkv.antientropy.internal;

import io.ringkv.sim.FuzzInputs;
import org.junit.jupiter.api.Test;

/** The fuzz target's property on every build: its kept findings and seeded random inputs. */
class RepairCodecFuzzTargetTest {
    @Test
    void keptFindingsAndRandomInputsAreDecodedOrRefused() {
        FuzzInputs.replay("RepairCodecFuzzTarget", new FuzzInputs.SbeHeader(RepairCodec.SCHEMA_ID,
            io.ringkv.antientropy.sbe.MessageHeaderDecoder.SCHEMA_VERSION,
            io.ringkv.antientropy.sbe.KeyGoneDecoder.TEMPLATE_ID), RepairCodecFuzzTarget::fuzzerTestOneInput);
    }
}
