package io.ringkv.gossip.internal;

import io.ringkv.sim.FuzzInputs;
import org.junit.jupiter.api.Test;

/** The fuzz target's property on every build: its kept findings and seeded random inputs. */
class GossipCodecFuzzTargetTest {
    @Test
    void keptFindingsAndRandomInputsAreDecodedOrRefused() {
        FuzzInputs.replay("GossipCodecFuzzTarget", new FuzzInputs.SbeHeader(GossipCodec.SCHEMA_ID,
            io.ringkv.gossip.sbe.SynDecoder.SCHEMA_VERSION, io.ringkv.gossip.sbe.AckDecoder.TEMPLATE_ID),
            GossipCodecFuzzTarget::fuzzerTestOneInput);
    }
}
