package io.ringkv.antientropy.internal;

import io.ringkv.api.KvException;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Fuzz target (Jazzer, {@code benchmarks/scripts/fuzz.sh}): any repair or streaming datagram a peer sends decodes,
 * is null (an unknown template), or fails with a {@link KvException}; never another exception.
 */
public final class RepairCodecFuzzTarget {
    private static final RepairCodec CODEC = new RepairCodec(1024, 64 * 1024);

    private RepairCodecFuzzTarget() {
    }

    public static void fuzzerTestOneInput(byte[] data) {
        byte[] padded = new byte[data.length + 16];
        System.arraycopy(data, 0, padded, 8, data.length);
        try {
            CODEC.decode(new UnsafeBuffer(padded), 8, data.length);
        } catch (KvException e) {
            // refused as malformed: counted and dropped by the handler
        }
    }
}
