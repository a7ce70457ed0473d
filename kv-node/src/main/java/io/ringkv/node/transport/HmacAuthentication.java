package io.ringkv.node.transport;

import java.nio.ByteOrder;
import java.security.GeneralSecurityException;
import java.security.NoSuchAlgorithmException;
import javax.crypto.Mac;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.SecretKeySpec;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Tags every datagram with HMAC-SHA-256 under the cluster's current key, truncated to {@value Envelope#TAG_LENGTH}
 * bytes, and accepts a datagram whose tag was made with any key of the cluster (the previous one too, during a
 * rotation), addressed to this node, and not seen before ({@link ReplayWindow} per sender).
 *
 * <p>Truncation: a forger must guess the tag, one try per datagram sent, with a chance of 2<sup>-128</sup> each;
 * RFC 2104 section 5 and NIST SP 800-107 allow truncating to half the hash and no fewer than 80 bits. The tag
 * covers the receiver's fingerprint, which does not travel, so a datagram sent to one node is refused by another;
 * only a datagram to a node the sender has not heard from yet (a seed known by address) names
 * {@linkplain #UNADDRESSED no receiver}: any node's window takes it once ({@link #ACCEPTED_UNADDRESSED}), and the
 * transport then delivers it only for gossip.
 *
 * <p>Nothing is allocated per datagram by this class: one {@link Mac} per key and one scratch array are made at
 * start and reused (the transport's one thread owns them). The JDK's HMAC itself makes one 32-byte array per tag
 * inside {@code doFinal}.
 */
final class HmacAuthentication implements PeerAuthentication {
    private static final String ALGORITHM = "HmacSHA256";
    private static final int HASH_LENGTH = 32;
    /** Messages that are not on the heap are hashed through this much heap at a time. */
    private static final int CHUNK = 4096;

    private final Mac[] macs;
    private final byte[] signed = new byte[Envelope.TAG_OFFSET + Long.BYTES];
    private final UnsafeBuffer signedView = new UnsafeBuffer(signed);
    private final byte[] chunk = new byte[CHUNK];
    private final byte[] tag = new byte[HASH_LENGTH];
    private final ReplayWindows windows = new ReplayWindows();

    /** @throws IllegalStateException when the JDK has no HMAC-SHA-256 (every Java SE has it) */
    HmacAuthentication(ClusterKey key) {
        macs = new Mac[key.keyCount()];
        for (int i = 0; i < macs.length; i++) {
            macs[i] = newMac(key.key(i));
        }
    }

    /** @return an HMAC-SHA-256 keyed with {@code key}, whose bytes are then zeroed */
    static Mac newMac(byte[] key) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(key, ALGORITHM));
            return mac;
        } catch (NoSuchAlgorithmException | java.security.InvalidKeyException e) {
            throw new IllegalStateException("this JDK cannot make " + ALGORITHM + " tags", e);
        } finally {
            java.util.Arrays.fill(key, (byte) 0);
        }
    }

    @Override
    public void sign(UnsafeBuffer envelope, long receiver, DirectBuffer message, int offset, int length) {
        envelope.getBytes(0, signed, 0, Envelope.TAG_OFFSET);
        compute(macs[0], receiver, message, offset, length);
        envelope.putBytes(Envelope.TAG_OFFSET, tag, 0, Envelope.TAG_LENGTH);
    }

    @Override
    public int verify(DirectBuffer buffer, int offset, int length, long self) {
        buffer.getBytes(offset, signed, 0, Envelope.TAG_OFFSET);
        int messageOffset = offset + Envelope.LENGTH;
        int messageLength = length - Envelope.LENGTH;
        boolean good = false;
        boolean unaddressed = false;
        for (int i = 0; i < macs.length && !good; i++) {
            compute(macs[i], self, buffer, messageOffset, messageLength);
            good = tagMatches(buffer, offset + Envelope.TAG_OFFSET);
            if (!good) {
                compute(macs[i], UNADDRESSED, buffer, messageOffset, messageLength);
                good = unaddressed = tagMatches(buffer, offset + Envelope.TAG_OFFSET);
            }
        }
        if (!good) {
            return BAD_TAG;
        }
        // only a datagram with a good tag moves the window: a forger cannot push honest datagrams out of it
        int verdict = windows.judge(buffer, offset);
        return verdict == ACCEPTED && unaddressed ? ACCEPTED_UNADDRESSED : verdict;
    }

    @Override
    public boolean isOn() {
        return true;
    }

    /** Leaves in {@link #tag} the HMAC of the signed envelope bytes in {@link #signed}, {@code receiver}, message. */
    private void compute(Mac mac, long receiver, DirectBuffer message, int offset, int length) {
        signedView.putLong(Envelope.TAG_OFFSET, receiver, ByteOrder.LITTLE_ENDIAN);
        mac.update(signed, 0, signed.length);
        byte[] array = message.byteArray();
        if (array != null) {
            mac.update(array, message.wrapAdjustment() + offset, length);
        } else {
            for (int done = 0; done < length; done += CHUNK) {
                int part = Math.min(CHUNK, length - done);
                message.getBytes(offset + done, chunk, 0, part);
                mac.update(chunk, 0, part);
            }
        }
        try {
            mac.doFinal(tag, 0);
        } catch (ShortBufferException e) {
            throw new IllegalStateException("a 32-byte array holds an HMAC-SHA-256", e);
        }
    }

    /** Compares every byte whatever the first difference, so the time taken tells a forger nothing. */
    private boolean tagMatches(DirectBuffer buffer, int tagOffset) {
        int difference = 0;
        for (int i = 0; i < Envelope.TAG_LENGTH; i++) {
            difference |= tag[i] ^ buffer.getByte(tagOffset + i);
        }
        return difference == 0;
    }
}
