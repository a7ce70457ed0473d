package io.ringkv.gossip.internal;

import io.ringkv.api.KvException;
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
        byte[] padded = new byte[data.length + 16];
        System.arraycopy(data, 0, padded, 8, data.length);
        UnsafeBuffer buffer = new UnsafeBuffer(padded);
        if (data.length < io.ringkv.api.MessageHeader.LENGTH) {
            return;
        }
        // as the gossiper reads them: by template
        int template = CODEC.templateId(buffer, 8);
        try {
            if (template == io.ringkv.gossip.sbe.SynDecoder.TEMPLATE_ID) {
                CODEC.readSyn(buffer, 8, data.length);
            } else if (template == io.ringkv.gossip.sbe.AckDecoder.TEMPLATE_ID) {
                CODEC.readAck(buffer, 8, data.length, 0);
            }
        } catch (KvException | IllegalArgumentException | IndexOutOfBoundsException e) {
            // refused as malformed
        }
    }
}
