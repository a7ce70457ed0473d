package io.ringkv.replication.internal;

import io.ringkv.sim.FuzzInputs;
import org.junit.jupiter.api.Test;

/** The fuzz target's property on every build: its kept findings and seeded random inputs. */
class MessageCodecFuzzTargetTest {
    @Test
    void keptFindingsAndRandomInputsAreDecodedOrRefused() {
        FuzzInputs.replay("MessageCodecFuzzTarget", new FuzzInputs.SbeHeader(MessageCodec.SCHEMA_ID,
            io.ringkv.replication.sbe.MessageHeaderDecoder.SCHEMA_VERSION,
            io.ringkv.replication.sbe.ScanReplyDecoder.TEMPLATE_ID), MessageCodecFuzzTarget::fuzzerTestOneInput);
    }
}
