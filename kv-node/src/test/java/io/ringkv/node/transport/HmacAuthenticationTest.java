package io.ringkv.node.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ringkv.api.NodeId;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/** Tags made by one node's authentication and judged by another's, without a network. */
class HmacAuthenticationTest {
    private static final NodeId SENDER = NodeId.of("sender");
    private static final long RECEIVER = NodeId.of("receiver").fingerprint();
    private static final byte[] CURRENT = TestDatagrams.key(1);
    private static final byte[] PREVIOUS = TestDatagrams.key(2);

    private final HmacAuthentication receiver = new HmacAuthentication(ClusterKey.of(CURRENT, PREVIOUS));

    @Test
    void aSignedDatagramIsAcceptedOnceAndItsReplayRefused() {
        UnsafeBuffer datagram = datagram(new HmacAuthentication(ClusterKey.of(CURRENT)), 7, 1, RECEIVER, 40);
        assertEquals(PeerAuthentication.ACCEPTED, verify(datagram));
        assertEquals(PeerAuthentication.REPLAYED, verify(datagram));
        assertEquals(PeerAuthentication.REPLAYED, verify(datagram));
    }

    @Test
    void aFlippedBitAnywhereInEnvelopeTagOrMessageIsRefused() {
        UnsafeBuffer datagram = datagram(new HmacAuthentication(ClusterKey.of(CURRENT)), 7, 1, RECEIVER, 40);
        for (int bit = 0; bit < datagram.capacity() * Byte.SIZE; bit++) {
            UnsafeBuffer altered = TestDatagrams.withBitFlipped(datagram, bit);
            assertEquals(PeerAuthentication.BAD_TAG, verify(altered), "bit " + bit + " flipped");
        }
        // refusing the altered ones did not mark the sequence as seen
        assertEquals(PeerAuthentication.ACCEPTED, verify(datagram));
    }

    @Test
    void aDatagramSignedWithThePreviousKeyIsAcceptedDuringARotation() {
        HmacAuthentication notYetRotated = new HmacAuthentication(ClusterKey.of(PREVIOUS));
        assertEquals(PeerAuthentication.ACCEPTED, verify(datagram(notYetRotated, 7, 1, RECEIVER, 40)));
        HmacAuthentication rotated = new HmacAuthentication(ClusterKey.of(CURRENT, PREVIOUS));
        assertEquals(PeerAuthentication.ACCEPTED, verify(datagram(rotated, 7, 2, RECEIVER, 40)));
    }

    @Test
    void aDatagramSignedWithAKeyOutsideTheFileIsRefused() {
        HmacAuthentication stranger = new HmacAuthentication(ClusterKey.of(TestDatagrams.key(3)));
        assertEquals(PeerAuthentication.BAD_TAG, verify(datagram(stranger, 7, 1, RECEIVER, 40)));
        // after the rotation ends the previous key is no longer in the file
        HmacAuthentication rotatedOut = new HmacAuthentication(ClusterKey.of(CURRENT));
        assertEquals(PeerAuthentication.BAD_TAG, rotatedOut.verify(datagram(
            new HmacAuthentication(ClusterKey.of(PREVIOUS)), 7, 1, RECEIVER, 40), 0, 84, RECEIVER));
    }

    @Test
    void anUntaggedDatagramIsRefused() {
        assertEquals(PeerAuthentication.BAD_TAG, verify(datagram(PeerAuthentication.NONE, 7, 1, RECEIVER, 40)));
    }

    @Test
    void aDatagramSignedForAnotherNodeIsRefused() {
        long other = NodeId.of("other").fingerprint();
        UnsafeBuffer datagram = datagram(new HmacAuthentication(ClusterKey.of(CURRENT)), 7, 1, other, 40);
        assertEquals(PeerAuthentication.BAD_TAG, verify(datagram));
    }

    @Test
    void aDatagramToASeedKnownByAddressOnlyIsTakenByAnyNodeOnceAndToldApart() {
        UnsafeBuffer datagram = datagram(new HmacAuthentication(ClusterKey.of(CURRENT)), 7, 1,
            PeerAuthentication.UNADDRESSED, 40);
        assertEquals(PeerAuthentication.ACCEPTED_UNADDRESSED, verify(datagram));
        assertEquals(PeerAuthentication.REPLAYED, verify(datagram));
        HmacAuthentication other = new HmacAuthentication(ClusterKey.of(CURRENT));
        assertEquals(PeerAuthentication.ACCEPTED_UNADDRESSED, other.verify(datagram, 0, datagram.capacity(), 12345L));
    }

    @Test
    void aRestartedSenderIsAcceptedAndItsOldRunRefused() {
        HmacAuthentication sender = new HmacAuthentication(ClusterKey.of(CURRENT));
        UnsafeBuffer oldRun = datagram(sender, 7, 100, RECEIVER, 40);
        assertEquals(PeerAuthentication.ACCEPTED, verify(datagram(sender, 7, 99, RECEIVER, 40)));
        assertEquals(PeerAuthentication.ACCEPTED, verify(datagram(sender, 8, 1, RECEIVER, 40)));
        assertEquals(PeerAuthentication.REPLAYED, verify(oldRun));
    }

    @Test
    void eachSenderHasItsOwnWindow() {
        HmacAuthentication sender = new HmacAuthentication(ClusterKey.of(CURRENT));
        UnsafeBuffer first = datagram(sender, 7, 1, RECEIVER, 40);
        UnsafeBuffer fromAnother = TestDatagrams.copy(first);
        Envelope.write(fromAnother, NodeId.of("another"));
        sender.sign(fromAnother, RECEIVER, fromAnother, Envelope.LENGTH, 40);
        assertEquals(PeerAuthentication.ACCEPTED, verify(first));
        assertEquals(PeerAuthentication.ACCEPTED, verify(fromAnother));
    }

    @Test
    void aMessageOffTheHeapIsTaggedAsOnTheHeap() {
        HmacAuthentication sender = new HmacAuthentication(ClusterKey.of(CURRENT));
        // longer than the chunk the off-heap path hashes through
        UnsafeBuffer heap = datagram(sender, 7, 1, RECEIVER, 10_000);
        UnsafeBuffer direct = new UnsafeBuffer(ByteBuffer.allocateDirect(heap.capacity()));
        direct.putBytes(0, heap, 0, heap.capacity());
        HmacAuthentication fresh = new HmacAuthentication(ClusterKey.of(CURRENT));
        assertEquals(PeerAuthentication.ACCEPTED, fresh.verify(direct, 0, direct.capacity(), RECEIVER));
        assertEquals(PeerAuthentication.REPLAYED, fresh.verify(heap, 0, heap.capacity(), RECEIVER));
    }

    @Test
    void aDatagramWithinALargerBufferIsJudgedByItsOwnBytes() {
        UnsafeBuffer datagram = datagram(new HmacAuthentication(ClusterKey.of(CURRENT)), 7, 1, RECEIVER, 40);
        UnsafeBuffer larger = new UnsafeBuffer(new byte[datagram.capacity() + 64]);
        Arrays.fill(larger.byteArray(), (byte) 0x5A);
        larger.putBytes(32, datagram, 0, datagram.capacity());
        assertEquals(PeerAuthentication.ACCEPTED, receiver.verify(larger, 32, datagram.capacity(), RECEIVER));
        // the same bytes seen through a buffer that wraps the array at an offset
        UnsafeBuffer wrapped = new UnsafeBuffer(larger.byteArray(), 16, datagram.capacity() + 16);
        assertEquals(PeerAuthentication.REPLAYED, receiver.verify(wrapped, 16, datagram.capacity(), RECEIVER));
    }

    private int verify(DirectBuffer datagram) {
        return receiver.verify(datagram, 0, datagram.capacity(), RECEIVER);
    }

    /** A datagram as the transport sends it: envelope, then a message of random bytes. */
    private static UnsafeBuffer datagram(PeerAuthentication signer, long generation, long sequence, long to,
                                         int messageLength) {
        UnsafeBuffer envelope = new UnsafeBuffer(new byte[Envelope.LENGTH]);
        Envelope.write(envelope, SENDER);
        Envelope.stamp(envelope, generation, sequence);
        byte[] body = new byte[messageLength];
        new SplittableRandom(sequence).nextBytes(body);
        UnsafeBuffer message = new UnsafeBuffer(body);
        signer.sign(envelope, to, message, 0, messageLength);
        UnsafeBuffer datagram = new UnsafeBuffer(new byte[Envelope.LENGTH + messageLength]);
        datagram.putBytes(0, envelope, 0, Envelope.LENGTH);
        datagram.putBytes(Envelope.LENGTH, message, 0, messageLength);
        return datagram;
    }
}
