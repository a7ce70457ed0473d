package io.ringkv.node.auth;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * A salted, deliberately slow hash of a password: PBKDF2 with HMAC-SHA-256 (the JDK's own), its iteration count and
 * salt kept beside it, written {@code pbkdf2-sha256$<iterations>$<salt base64>$<hash base64>}. The password itself is
 * never kept. Checking a password costs as much as making the hash (0.15–0.5 s of one core at the default count),
 * which is what makes guessing slow.
 *
 * @param iterations PBKDF2 iterations, {@value #MIN_ITERATIONS}–{@value #MAX_ITERATIONS}
 * @param salt random bytes, at least {@value #SALT_BYTES}
 * @param hash the derived key, {@value #HASH_BYTES} bytes
 */
public record PasswordHash(int iterations, byte[] salt, byte[] hash) {
    /** The scheme's name in the users file. */
    public static final String SCHEME = "pbkdf2-sha256";
    /** OWASP's recommendation for PBKDF2-HMAC-SHA256 (2023). */
    public static final int DEFAULT_ITERATIONS = 600_000;
    /** Fewer would not be slow; tests use this, operators should not. */
    public static final int MIN_ITERATIONS = 1_000;
    /** More would let a users file make each login cost minutes. */
    public static final int MAX_ITERATIONS = 10_000_000;
    static final int SALT_BYTES = 16;
    static final int HASH_BYTES = 32;
    private static final String ALGORITHM = "PBKDF2WithHmacSHA256";

    /** @throws IllegalArgumentException when a part is out of its range (the message never quotes the hash) */
    public PasswordHash {
        if (iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
            throw new IllegalArgumentException("the iteration count must be " + MIN_ITERATIONS + "–" + MAX_ITERATIONS
                + ", was " + iterations);
        }
        if (salt.length < SALT_BYTES) {
            throw new IllegalArgumentException("the salt must be at least " + SALT_BYTES + " bytes, was "
                + salt.length);
        }
        if (hash.length != HASH_BYTES) {
            throw new IllegalArgumentException("the hash must be " + HASH_BYTES + " bytes, was " + hash.length);
        }
        salt = salt.clone();
        hash = hash.clone();
    }

    /** @return a new hash of {@code password} with a fresh random salt */
    public static PasswordHash create(char[] password, int iterations, SecureRandom random) {
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        return new PasswordHash(iterations, salt, derive(password, salt, iterations));
    }

    /**
     * @return the hash {@code text} writes
     * @throws IllegalArgumentException saying which part is wrong, never quoting it
     */
    public static PasswordHash parse(String text) {
        String[] parts = text.split("\\$", -1);
        if (parts.length != 4 || !parts[0].equals(SCHEME)) {
            throw new IllegalArgumentException("the password hash is not " + SCHEME
                + "$<iterations>$<salt>$<hash> (make it with 'ringkv user add')");
        }
        int iterations;
        try {
            iterations = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("the iteration count of the password hash is not a number");
        }
        Base64.Decoder base64 = Base64.getDecoder();
        try {
            return new PasswordHash(iterations, base64.decode(parts[2]), base64.decode(parts[3]));
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("the ")) {
                throw e;
            }
            throw new IllegalArgumentException("the salt or hash of the password hash is not base64");
        }
    }

    /** @return the text {@link #parse} reads */
    public String format() {
        Base64.Encoder base64 = Base64.getEncoder().withoutPadding();
        return SCHEME + "$" + iterations + "$" + base64.encodeToString(salt) + "$" + base64.encodeToString(hash);
    }

    /**
     * @param password the password as a client sent it (UTF-8); bytes that are not UTF-8 never match
     * @return whether it is the password this hash was made of; slow by design, and in time independent of where
     *     a wrong password differs
     */
    public boolean matches(byte[] password) {
        char[] chars = utf8(password);
        if (chars == null) {
            return false;
        }
        try {
            return MessageDigest.isEqual(hash, derive(chars, salt, iterations));
        } finally {
            Arrays.fill(chars, '\0');
        }
    }

    private static char[] utf8(byte[] password) {
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(password));
            char[] copy = new char[chars.remaining()];
            chars.get(copy);
            Arrays.fill(chars.array(), '\0');
            return copy;
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static byte[] derive(char[] password, byte[] salt, int iterations) {
        PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, HASH_BYTES * 8);
        try {
            return SecretKeyFactory.getInstance(ALGORITHM).generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            // every JDK since 8 ships it: its absence is a broken runtime, not a wrong password
            throw new IllegalStateException(ALGORITHM + " is not available in this JDK", e);
        } finally {
            spec.clearPassword();
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof PasswordHash that && iterations == that.iterations
            && Arrays.equals(salt, that.salt) && Arrays.equals(hash, that.hash);
    }

    @Override
    public int hashCode() {
        return 31 * iterations + Arrays.hashCode(hash);
    }

    /** Never the hash: it must not reach a log. */
    @Override
    public String toString() {
        return SCHEME + "$" + iterations + "$…";
    }

    @Override
    public byte[] salt() {
        return salt.clone();
    }

    @Override
    public byte[] hash() {
        return hash.clone();
    }
}
