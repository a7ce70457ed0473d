package io.ringkv.node.transport;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * The secret every node of a cluster shares, from which each peer datagram's tag is made: one key, or two during a
 * rotation (the first signs; a tag made with either is accepted). A rotation without downtime takes three rolling
 * restarts: both keys with the old one first on every node, then the new one first, then the new one alone. Read from a file of base64 lines
 * of at least {@value #MIN_KEY_BYTES} bytes each; blank lines and lines starting with {@code #} are ignored.
 *
 * <p>The keys never leave this object but to make a {@link javax.crypto.Mac}: {@link #toString()} names how many
 * there are, not what they are.
 */
public final class ClusterKey {
    /** 256 bits: HMAC-SHA-256's full strength needs a key as long as its hash. */
    public static final int MIN_KEY_BYTES = 32;
    /** The current key and the previous one. */
    public static final int MAX_KEYS = 2;

    private final List<byte[]> keys;
    private final boolean encrypts;

    private ClusterKey(List<byte[]> keys, boolean encrypts) {
        this.keys = keys;
        this.encrypts = encrypts;
    }

    /**
     * @return the same keys, used to encrypt every datagram's message as well as to authenticate it
     *     ({@code --peer-encryption})
     */
    public ClusterKey encrypting() {
        return new ClusterKey(keys, true);
    }

    /** @return true when datagrams are encrypted with keys made from this one, not only tagged */
    public boolean encrypts() {
        return encrypts;
    }

    /**
     * Reads a key file, as ssh reads a private key: refused when others than its owner may read or write it.
     *
     * @throws KvException with {@code INVALID_CONFIGURATION} naming the file and what is wrong with it (never a
     *     key's bytes)
     */
    public static ClusterKey load(Path file) {
        io.ringkv.node.security.PrivateFiles.requirePrivate(file, "cluster key file");
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException | RuntimeException e) {
            throw invalid(file, "cannot be read (" + e.getClass().getSimpleName() + ")");
        }
        return parse(file, text);
    }

    /** @throws KvException with {@code INVALID_CONFIGURATION} when {@code text} is not one or two keys */
    static ClusterKey parse(Path file, String text) {
        List<byte[]> keys = new ArrayList<>();
        int lineNumber = 0;
        for (String line : text.split("\n", -1)) {
            lineNumber++;
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            byte[] key;
            try {
                key = Base64.getDecoder().decode(trimmed);
            } catch (IllegalArgumentException e) {
                throw invalid(file, "line " + lineNumber + " is not base64");
            }
            if (key.length < MIN_KEY_BYTES) {
                throw invalid(file, "the key on line " + lineNumber + " has " + key.length + " bytes; a key needs "
                    + MIN_KEY_BYTES + " or more (ringkv cluster-key generate makes one)");
            }
            keys.add(key);
        }
        if (keys.isEmpty() || keys.size() > MAX_KEYS) {
            throw invalid(file, "holds " + keys.size() + " keys; it must hold the current key and, during a rotation,"
                + " the previous one on the next line (1 or 2 keys)");
        }
        return new ClusterKey(List.copyOf(keys), false);
    }

    private static KvException invalid(Path file, String why) {
        return new KvException(ErrorCode.INVALID_CONFIGURATION, "cluster key file " + file + " " + why);
    }

    /** @return a new key file's text: a comment and one random key of {@value #MIN_KEY_BYTES} bytes in base64 */
    public static String generate(SecureRandom random) {
        byte[] key = new byte[MIN_KEY_BYTES];
        random.nextBytes(key);
        return "# ringkv cluster key, the same on every node; keep it private (chmod 600). Nodes sign with the"
            + " first key and accept either of two.\n" + Base64.getEncoder().encodeToString(key) + "\n";
    }

    /** @return a key made of {@code keys}, the current one first; for tests and tools */
    static ClusterKey of(byte[]... keys) {
        List<byte[]> copies = new ArrayList<>();
        for (byte[] key : keys) {
            copies.add(key.clone());
        }
        return new ClusterKey(List.copyOf(copies), false);
    }

    /** @return how many keys: 1, or 2 during a rotation */
    public int keyCount() {
        return keys.size();
    }

    /** @return a copy of key {@code index}, 0 for the current one */
    byte[] key(int index) {
        return keys.get(index).clone();
    }

    @Override
    public String toString() {
        return "ClusterKey[" + keys.size() + (keys.size() == 1 ? " key" : " keys") + (encrypts ? ", encrypting]" : "]");
    }

    @Override
    public boolean equals(Object other) {
        if (!(other instanceof ClusterKey that) || that.keys.size() != keys.size() || that.encrypts != encrypts) {
            return false;
        }
        for (int i = 0; i < keys.size(); i++) {
            if (!Arrays.equals(keys.get(i), that.keys.get(i))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        return keys.size();
    }
}
