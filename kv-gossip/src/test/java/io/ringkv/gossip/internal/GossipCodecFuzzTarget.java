package io.ringkv.gossip.internal;

import io.ringkv.api.KvException;
import io.ringkv.sim.FuzzInputs;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Fuzz target (Jazzer, {@code benchmarks/scripts/fuzz.sh}): any gossip datagram a peer sends is read as a Syn or
 * an Ack, or refused as the codec refuses (an {@link IllegalArgumentException} saying why, a {@link KvException}
 * from a value's own checks, a bounds error), which the gossiper counts and drops; never an {@link Error} (an
 * allocation a lying length asked for), a hang or another exception.
 */
public final class GossipCodecFuzzTarget {
    private static final GossipCodec CODEC = new GossipCodec(64 * 1024);

    private GossipCodecFuzzTarget() {
    }

    public static void fuzzerTestOneInput(byte[] data) {
        if (data.length < io.ringkv.api.MessageHeader.LENGTH) {
            return;
        }
        UnsafeBuffer buffer = FuzzInputs.asDatagram(data);
        int at = FuzzInputs.DATAGRAM_OFFSET;
        // as the gossiper reads them: by template
        int template = CODEC.templateId(buffer, at);
        try {
            if (template == io.ringkv.gossip.sbe.SynDecoder.TEMPLATE_ID) {
                CODEC.readSyn(buffer, at, data.length);
            } else if (template == io.ringkv.gossip.sbe.AckDecoder.TEMPLATE_ID) {
                CODEC.readAck(buffer, at, data.length, 0);
            }
        } catch (KvException | IllegalArgumentException | IndexOutOfBoundsException e) {
            // refused as malformed
        }
    }
}
