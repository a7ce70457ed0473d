package io.ringkv.node.transport;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * Fuzz target (Jazzer, {@code benchmarks/scripts/fuzz.sh}): a datagram at the peer port from someone without the
 * cluster key is refused, whatever its bytes: never accepted (a forged tag passes with chance 2^-128 per try),
 * never thrown out of the check. The same bytes signed with the key are accepted once, then refused as a replay.
 */
public final class PeerAuthenticationFuzzTarget {
    private static final byte[] KEY = new byte[32];

    static {
        for (int i = 0; i < KEY.length; i++) {
            KEY[i] = (byte) (31 * i + 7);
        }
    }

    private PeerAuthenticationFuzzTarget() {
    }

    public static void fuzzerTestOneInput(byte[] data) {
        HmacAuthentication authentication = new HmacAuthentication(ClusterKey.of(KEY.clone()));
        if (data.length >= Envelope.LENGTH) {
            int verdict = authentication.verify(new UnsafeBuffer(data), 0, data.length, 42);
            if (verdict != PeerAuthentication.BAD_TAG) {
                throw new IllegalStateException("a datagram without the key was not refused: " + verdict);
            }
        }
        // the input as an honest message: signed for node 42, it passes once
        byte[] datagram = new byte[Envelope.LENGTH + data.length];
        UnsafeBuffer buffer = new UnsafeBuffer(datagram);
        buffer.putBytes(Envelope.LENGTH, data);
        UnsafeBuffer envelope = new UnsafeBuffer(datagram, 0, Envelope.LENGTH);
        envelope.putInt(0, Envelope.MAGIC, java.nio.ByteOrder.LITTLE_ENDIAN);
        authentication.sign(envelope, 42, buffer, Envelope.LENGTH, data.length);
        if (authentication.verify(buffer, 0, datagram.length, 42) != PeerAuthentication.ACCEPTED) {
            throw new IllegalStateException("a signed datagram was refused");
        }
        if (authentication.verify(buffer, 0, datagram.length, 42) != PeerAuthentication.REPLAYED) {
            throw new IllegalStateException("a replay was accepted");
        }
    }
}
