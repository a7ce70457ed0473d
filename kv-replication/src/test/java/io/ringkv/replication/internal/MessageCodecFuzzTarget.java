package io.ringkv.replication.internal;

import io.ringkv.api.KvException;
import io.ringkv.api.Limits;
import io.ringkv.replication.ReplicationConfig;
import io.ringkv.sim.FuzzInputs;

/**
 * Fuzz target (Jazzer, {@code benchmarks/scripts/fuzz.sh}): any datagram a peer sends decodes to a message, to
 * null (an unknown template), or fails with a {@link KvException}; never another exception, which would escape
 * the replication handler's contract (every length checked against the message's end).
 */
public final class MessageCodecFuzzTarget {
    private static final MessageCodec CODEC = new MessageCodec(Limits.DEFAULT, 4, ReplicationConfig.MAX_MESSAGE_BYTES);

    private MessageCodecFuzzTarget() {
    }

    public static void fuzzerTestOneInput(byte[] data) {
        // a datagram lies at an offset in the transport's buffer, with bytes after it
        try {
            CODEC.decode(FuzzInputs.asDatagram(data), FuzzInputs.DATAGRAM_OFFSET, data.length);
        } catch (KvException e) {
            // refused as malformed: what the handler counts and drops
        }
    }
}
