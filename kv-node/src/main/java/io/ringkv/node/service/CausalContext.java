package io.ringkv.node.service;

import java.util.Arrays;
import java.util.Base64;

/**
 * The opaque causal context of a read (an encoded version vector, as the coordinator chooses to encode it): a
 * client hands it back unchanged with its next write so the write supersedes what it read. Clients carry it as
 * text ({@link #toText()}): RESP's GETV and SETV, HTTP's {@code X-Ringkv-Context} header.
 */
public final class CausalContext {
    /**
     * No context at all: a blind write (SET, DEL), which reads nothing first: the replica that coordinates it
     * supersedes whatever versions it holds.
     */
    public static final CausalContext NONE = new CausalContext(new byte[0]);
    /**
     * The context GETV gives for a key it found absent, handed back with SETV: the write saw nothing, so it
     * supersedes nothing, and a concurrent write it did not see stays beside it as a sibling.
     */
    public static final CausalContext SAW_NOTHING = new CausalContext(new byte[0]);

    // base64url without padding: survives redis-cli, every client library and an HTTP header unchanged
    private static final Base64.Encoder TEXT = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder FROM_TEXT = Base64.getUrlDecoder();

    private final byte[] bytes;

    private CausalContext(byte[] bytes) {
        this.bytes = bytes;
    }

    /** @param bytes the encoded context (copied); empty means {@link #NONE} */
    public static CausalContext of(byte[] bytes) {
        return bytes.length == 0 ? NONE : new CausalContext(bytes.clone());
    }

    /** @param bytes a context a client handed back with SETV (copied); empty means {@link #SAW_NOTHING} */
    public static CausalContext handedBack(byte[] bytes) {
        return bytes.length == 0 ? SAW_NOTHING : new CausalContext(bytes.clone());
    }

    /**
     * @param text a context's {@link #toText() text} a client handed back (empty means {@link #SAW_NOTHING})
     * @throws IllegalArgumentException when {@code text} is not base64url
     */
    public static CausalContext fromText(String text) {
        return handedBack(FROM_TEXT.decode(text));
    }

    /** @return the context as clients carry it: base64url without padding; empty for an empty context */
    public String toText() {
        return TEXT.encodeToString(bytes);
    }

    /** @return true for {@link #NONE} and {@link #SAW_NOTHING}: no encoded context */
    public boolean isEmpty() {
        return bytes.length == 0;
    }

    /** @return true for {@link #NONE}: no context was given, so the write is blind */
    public boolean isBlind() {
        return this == NONE;
    }

    /** @return a copy of the encoded context */
    public byte[] toByteArray() {
        return bytes.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof CausalContext that && Arrays.equals(bytes, that.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "CausalContext[" + bytes.length + " bytes]";
    }
}
