package io.ringkv.node.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.ringkv.api.NodeId;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/** Datagrams sealed by one node's encryption and opened by another's, without a network. */
class AeadEncryptionTest {
    private static final NodeId SENDER = NodeId.of("sender");
    private static final long SENDER_HASH = Envelope.senderHash(SENDER);
    private static final long RECEIVER = NodeId.of("receiver").fingerprint();
    private static final byte[] CURRENT = TestDatagrams.key(1);
    private static final byte[] PREVIOUS = TestDatagrams.key(2);

    private final AeadEncryption receiver = new AeadEncryption(ClusterKey.of(CURRENT, PREVIOUS).encrypting(), RECEIVER);
    private final UnsafeBuffer opened = new UnsafeBuffer(new byte[0]);

    @Test
    void aSealedDatagramOpensToItsMessageOnceAndNothingOfItTravelsInTheClear() {
        byte[] secret = "SET user:42 the-card-number-4111-1111-1111-1111".getBytes(StandardCharsets.US_ASCII);
        UnsafeBuffer datagram = datagram(sender(CURRENT), 7, 1, RECEIVER, secret);
        String wire = new String(datagram.byteArray(), StandardCharsets.ISO_8859_1);
        assertFalse(wire.contains("4111"), "the message travels in the clear");
        assertEquals(PeerAuthentication.ACCEPTED, open(datagram));
        byte[] back = new byte[opened.capacity()];
        opened.getBytes(0, back);
        assertArrayEquals(secret, back);
        assertEquals(PeerAuthentication.REPLAYED, open(datagram));
    }

    @Test
    void theSameMessageSealedTwiceLooksDifferent() {
        byte[] message = new byte[64];
        UnsafeBuffer first = datagram(sender(CURRENT), 7, 1, RECEIVER, message);
        UnsafeBuffer second = datagram(sender(CURRENT), 7, 2, RECEIVER, message);
        assertFalse(Arrays.equals(first.byteArray(), Envelope.LENGTH, first.capacity(), second.byteArray(),
            Envelope.LENGTH, second.capacity()), "one keystream for two sequences");
        UnsafeBuffer nextRun = datagram(sender(CURRENT), 8, 1, RECEIVER, message);
        assertFalse(Arrays.equals(first.byteArray(), Envelope.LENGTH, first.capacity(), nextRun.byteArray(),
            Envelope.LENGTH, nextRun.capacity()), "one keystream for two generations");
    }

    @Test
    void aFlippedBitAnywhereIsRefusedAndDeliversNothing() {
        UnsafeBuffer datagram = datagram(sender(CURRENT), 7, 1, RECEIVER, random(40, 1));
        for (int bit = 0; bit < datagram.capacity() * Byte.SIZE; bit++) {
            UnsafeBuffer altered = TestDatagrams.withBitFlipped(datagram, bit);
            assertEquals(PeerAuthentication.BAD_TAG, open(altered), "bit " + bit + " flipped");
        }
        assertEquals(PeerAuthentication.ACCEPTED, open(datagram));
    }

    @Test
    void otherKeysOtherReceiversAndPlainTagsAreRefusedAndARotationsKeysAccepted() {
        assertEquals(PeerAuthentication.BAD_TAG,
            open(datagram(sender(TestDatagrams.key(3)), 7, 1, RECEIVER, random(40, 1))));
        assertEquals(PeerAuthentication.BAD_TAG, open(datagram(sender(CURRENT), 7, 2,
            NodeId.of("other").fingerprint(), random(40, 2))));
        assertEquals(PeerAuthentication.ACCEPTED, open(datagram(sender(PREVIOUS), 7, 3, RECEIVER, random(40, 3))));
        // named for no receiver: opened (the transport reads its schema from the plaintext), and told apart, so the
        // transport takes it for gossip only
        assertEquals(PeerAuthentication.ACCEPTED_UNADDRESSED, open(datagram(sender(CURRENT), 7, 4,
            PeerAuthentication.UNADDRESSED, random(40, 4))));
        byte[] back = new byte[opened.capacity()];
        opened.getBytes(0, back);
        assertArrayEquals(random(40, 4), back);
        // a node with the key that only tags (no --peer-encryption) is not understood
        UnsafeBuffer tagged = new UnsafeBuffer(new byte[Envelope.LENGTH + 40]);
        Envelope.write(tagged, SENDER);
        Envelope.stamp(tagged, 7, 5);
        tagged.putBytes(Envelope.LENGTH, random(40, 5));
        new HmacAuthentication(ClusterKey.of(CURRENT)).sign(tagged, RECEIVER, tagged, Envelope.LENGTH, 40);
        assertEquals(PeerAuthentication.BAD_TAG, open(tagged));
    }

    @Test
    void aLargeMessageInADirectBufferOpensWhole() {
        byte[] message = random(60_000, 9);
        UnsafeBuffer heap = datagram(sender(CURRENT), 7, 1, RECEIVER, message);
        UnsafeBuffer direct = new UnsafeBuffer(ByteBuffer.allocateDirect(heap.capacity() + 16));
        direct.putBytes(16, heap, 0, heap.capacity());
        assertEquals(PeerAuthentication.ACCEPTED, receiver.open(direct, 16, heap.capacity(), RECEIVER, opened));
        byte[] back = new byte[opened.capacity()];
        opened.getBytes(0, back);
        assertArrayEquals(message, back);
    }

    private int open(DirectBuffer datagram) {
        return receiver.open(datagram, 0, datagram.capacity(), RECEIVER, opened);
    }

    private static AeadEncryption sender(byte[] key) {
        return new AeadEncryption(ClusterKey.of(key).encrypting(), SENDER_HASH);
    }

    /** A datagram as the transport sends it: envelope, then the sealed message. */
    private static UnsafeBuffer datagram(AeadEncryption sealer, long generation, long sequence, long to,
                                         byte[] body) {
        UnsafeBuffer envelope = new UnsafeBuffer(new byte[Envelope.LENGTH]);
        Envelope.write(envelope, SENDER);
        Envelope.stamp(envelope, generation, sequence);
        UnsafeBuffer sealed = new UnsafeBuffer(new byte[0]);
        sealer.seal(envelope, to, new UnsafeBuffer(body), 0, body.length, sealed);
        UnsafeBuffer datagram = new UnsafeBuffer(new byte[Envelope.LENGTH + body.length]);
        datagram.putBytes(0, envelope, 0, Envelope.LENGTH);
        datagram.putBytes(Envelope.LENGTH, sealed, 0, body.length);
        return datagram;
    }

    private static byte[] random(int length, long seed) {
        byte[] bytes = new byte[length];
        new SplittableRandom(seed).nextBytes(bytes);
        return bytes;
    }
}
