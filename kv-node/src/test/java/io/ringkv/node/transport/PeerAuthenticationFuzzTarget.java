package io.ringkv.node.transport;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * Fuzz target (Jazzer, {@code benchmarks/scripts/fuzz.sh}): a datagram at the peer port from someone without the
 * cluster key is refused, whatever its bytes: never accepted (a forged tag passes with chance 2^-128 per try),
 * never thrown out of the check. The same bytes signed with the key are accepted once, then refused as a replay.
 * Both again with encryption: refused unopened, and sealed, opened to the same bytes once.
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
        encrypted(data);
    }

    /** The same with encryption: the input as a datagram is refused; as a message, it is sealed and opens whole. */
    private static void encrypted(byte[] data) {
        AeadEncryption receiver = new AeadEncryption(ClusterKey.of(KEY.clone()).encrypting(), 42);
        UnsafeBuffer opened = new UnsafeBuffer(new byte[0]);
        if (data.length >= Envelope.LENGTH) {
            int verdict = receiver.open(new UnsafeBuffer(data), 0, data.length, 42, opened);
            if (verdict != PeerAuthentication.BAD_TAG) {
                throw new IllegalStateException("a datagram without the key was opened: " + verdict);
            }
        }
        AeadEncryption sender = new AeadEncryption(ClusterKey.of(KEY.clone()).encrypting(), 7);
        UnsafeBuffer envelope = new UnsafeBuffer(new byte[Envelope.LENGTH]);
        envelope.putInt(0, Envelope.MAGIC, java.nio.ByteOrder.LITTLE_ENDIAN);
        envelope.putLong(Envelope.SENDER_OFFSET, 7, java.nio.ByteOrder.LITTLE_ENDIAN);
        UnsafeBuffer sealed = new UnsafeBuffer(new byte[0]);
        sender.seal(envelope, 42, new UnsafeBuffer(data), 0, data.length, sealed);
        byte[] datagram = new byte[Envelope.LENGTH + data.length];
        UnsafeBuffer buffer = new UnsafeBuffer(datagram);
        buffer.putBytes(0, envelope, 0, Envelope.LENGTH);
        buffer.putBytes(Envelope.LENGTH, sealed, 0, data.length);
        if (receiver.open(buffer, 0, datagram.length, 42, opened) != PeerAuthentication.ACCEPTED
            || !java.util.Arrays.equals(opened.byteArray(), 0, data.length, data, 0, data.length)) {
            throw new IllegalStateException("a sealed datagram did not open to its message");
        }
        if (receiver.open(buffer, 0, datagram.length, 42, opened) != PeerAuthentication.REPLAYED) {
            throw new IllegalStateException("a replay was opened");
        }
    }
}
