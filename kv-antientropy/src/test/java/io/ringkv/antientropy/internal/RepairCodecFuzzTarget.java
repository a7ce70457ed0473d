package io.ringkv.antientropy.internal;

import io.ringkv.api.KvException;
import io.ringkv.sim.FuzzInputs;

/**
 * Fuzz target (Jazzer, {@code benchmarks/scripts/fuzz.sh}): any repair or streaming datagram a peer sends decodes,
 * is null (an unknown template), or fails with a {@link KvException}; never another exception.
 */
public final class RepairCodecFuzzTarget {
    private static final RepairCodec CODEC = new RepairCodec(1024, 64 * 1024);

    private RepairCodecFuzzTarget() {
    }

    public static void fuzzerTestOneInput(byte[] data) {
        try {
            CODEC.decode(FuzzInputs.asDatagram(data), FuzzInputs.DATAGRAM_OFFSET, data.length);
        } catch (KvException e) {
            // refused as malformed: counted and dropped by the handler
        }
    }
}
