package io.ringkv.node.transport;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Encrypts every datagram's message with AES-256-GCM and puts GCM's 16-byte tag where {@link HmacAuthentication}
 * puts its HMAC: the same envelope, the same checks (a key of the cluster, addressed to this node, not seen before),
 * and nothing of the message readable on the way.
 *
 * <p>Keys and nonces. GCM must never see one nonce twice under one key. Every sender encrypts under a key of its
 * own, {@code HMAC-SHA-256(cluster key, "ringkv peer encryption 1" || sender fingerprint)}, with the nonce
 * {@code generation (low 32 bits) || sequence}: the generation is persisted and greater at every start of the node
 * (the transport refuses to send under encryption until the node has named it) and the sequence grows with every
 * datagram of a run, so no sender repeats a nonce under its key. The authenticated data is the envelope before the
 * tag and the receiver's fingerprint, as the HMAC covers.
 *
 * <p>The JDK's cipher allocates a parameter spec per datagram and buffers a decryption until its end; messages are at
 * most a publication's maximum (a few hundred KiB), so both stay small. Owned by the transport's one thread.
 */
final class AeadEncryption implements PeerAuthentication {
    private static final String CIPHER = "AES/GCM/NoPadding";
    private static final int TAG_BITS = Envelope.TAG_LENGTH * Byte.SIZE;
    private static final byte[] KEY_LABEL = "ringkv peer encryption 1".getBytes(StandardCharsets.US_ASCII);
    /** Receive keys kept for this many senders; the cache starts again when full (a key is one HMAC to make again). */
    private static final int MAX_CACHED_SENDERS = 1024;

    private final Mac[] derivers;
    private final SecretKeySpec sealKey;
    private final Long2ObjectHashMap<SecretKeySpec[]> openKeys = new Long2ObjectHashMap<>();
    private final Cipher cipher;
    private final byte[] aad = new byte[Envelope.TAG_OFFSET + Long.BYTES];
    private final UnsafeBuffer aadView = new UnsafeBuffer(aad);
    private final byte[] nonce = new byte[12];
    private final UnsafeBuffer nonceView = new UnsafeBuffer(nonce);
    private final byte[] senderBytes = new byte[Long.BYTES];
    /** Sealing and opening keep separate arrays: a handler reading an opened message may send (seal) meanwhile. */
    private byte[] sealInput = new byte[4096];
    private byte[] sealed = new byte[4096 + Envelope.TAG_LENGTH];
    private byte[] openInput = new byte[4096 + Envelope.TAG_LENGTH];
    private byte[] opened = new byte[4096 + Envelope.TAG_LENGTH];
    private final ReplayWindows windows = new ReplayWindows();

    /**
     * @param self this node's fingerprint, under whose key it encrypts
     * @throws IllegalStateException when the JDK lacks AES-GCM or HMAC-SHA-256 (every Java SE has both)
     */
    AeadEncryption(ClusterKey key, long self) {
        derivers = new Mac[key.keyCount()];
        for (int i = 0; i < derivers.length; i++) {
            derivers[i] = HmacAuthentication.newMac(key.key(i));
        }
        sealKey = senderKey(0, self);
        try {
            cipher = Cipher.getInstance(CIPHER);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot encrypt with " + CIPHER, e);
        }
    }

    @Override
    public void sign(UnsafeBuffer envelope, long receiver, DirectBuffer message, int offset, int length) {
        throw new UnsupportedOperationException("an encrypting transport seals");
    }

    @Override
    public int verify(DirectBuffer buffer, int offset, int length, long self) {
        throw new UnsupportedOperationException("an encrypting transport opens");
    }

    @Override
    public boolean isOn() {
        return true;
    }

    @Override
    public boolean encrypts() {
        return true;
    }

    @Override
    public void seal(UnsafeBuffer envelope, long receiver, DirectBuffer message, int offset, int length,
                     UnsafeBuffer out) {
        envelope.getBytes(0, aad, 0, Envelope.TAG_OFFSET);
        aadView.putLong(Envelope.TAG_OFFSET, receiver, ByteOrder.LITTLE_ENDIAN);
        nonceOf(envelope, 0);
        if (sealInput.length < length) {
            sealInput = new byte[length];
            sealed = new byte[length + Envelope.TAG_LENGTH];
        }
        message.getBytes(offset, sealInput, 0, length);
        try {
            cipher.init(Cipher.ENCRYPT_MODE, sealKey, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(aad);
            int written = cipher.doFinal(sealInput, 0, length, sealed, 0);
            if (written != length + Envelope.TAG_LENGTH) {
                throw new IllegalStateException("AES-GCM sealed " + length + " bytes into " + written);
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM refused to seal a datagram", e);
        }
        envelope.putBytes(Envelope.TAG_OFFSET, sealed, length, Envelope.TAG_LENGTH);
        out.wrap(sealed, 0, length);
    }

    @Override
    public int open(DirectBuffer buffer, int offset, int length, long self, UnsafeBuffer out) {
        int messageLength = length - Envelope.LENGTH;
        buffer.getBytes(offset, aad, 0, Envelope.TAG_OFFSET);
        nonceOf(buffer, offset);
        if (openInput.length < messageLength + Envelope.TAG_LENGTH) {
            openInput = new byte[messageLength + Envelope.TAG_LENGTH];
            opened = new byte[messageLength + Envelope.TAG_LENGTH];
        }
        // GCM wants the ciphertext followed by its tag
        buffer.getBytes(offset + Envelope.LENGTH, openInput, 0, messageLength);
        buffer.getBytes(offset + Envelope.TAG_OFFSET, openInput, messageLength, Envelope.TAG_LENGTH);
        long sender = Envelope.sender(buffer, offset);
        SecretKeySpec[] keys = openKeys.get(sender);
        boolean cached = keys != null;
        if (!cached) {
            keys = new SecretKeySpec[derivers.length];
            for (int i = 0; i < keys.length; i++) {
                keys[i] = senderKey(i, sender);
            }
        }
        boolean good = false;
        boolean unaddressed = false;
        for (int i = 0; i < keys.length && !good; i++) {
            good = opens(keys[i], self, messageLength);
            if (!good) {
                good = unaddressed = opens(keys[i], UNADDRESSED, messageLength);
            }
        }
        if (!good) {
            return BAD_TAG;
        }
        if (!cached) {
            // only a sender that proved it holds a key of the cluster is remembered
            if (openKeys.size() >= MAX_CACHED_SENDERS) {
                openKeys.clear();
            }
            openKeys.put(sender, keys);
        }
        int verdict = windows.judge(buffer, offset);
        if (verdict == ACCEPTED) {
            out.wrap(opened, 0, messageLength);
            return unaddressed ? ACCEPTED_UNADDRESSED : ACCEPTED;
        }
        return verdict;
    }

    private boolean opens(SecretKeySpec key, long receiver, int messageLength) {
        aadView.putLong(Envelope.TAG_OFFSET, receiver, ByteOrder.LITTLE_ENDIAN);
        try {
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(aad);
            return cipher.doFinal(openInput, 0, messageLength + Envelope.TAG_LENGTH, opened, 0) == messageLength;
        } catch (AEADBadTagException e) {
            return false;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM refused to open a datagram", e);
        }
    }

    /** The nonce of the envelope at {@code offset}: its generation's low 32 bits, then its sequence. */
    private void nonceOf(DirectBuffer envelope, int offset) {
        nonceView.putInt(0, (int) Envelope.generation(envelope, offset), ByteOrder.LITTLE_ENDIAN);
        nonceView.putLong(Integer.BYTES, Envelope.sequence(envelope, offset), ByteOrder.LITTLE_ENDIAN);
    }

    private SecretKeySpec senderKey(int keyIndex, long sender) {
        Mac deriver = derivers[keyIndex];
        new UnsafeBuffer(senderBytes).putLong(0, sender, ByteOrder.LITTLE_ENDIAN);
        deriver.update(KEY_LABEL);
        deriver.update(senderBytes);
        return new SecretKeySpec(deriver.doFinal(), "AES");
    }
}
