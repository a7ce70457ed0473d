package io.ringkv.node.resp;

import java.util.Arrays;

/**
 * The opaque causal context of a read (an encoded version vector, as the coordinator chooses to encode it): a
 * client hands it back unchanged with its next write so the write supersedes what it read.
 */
public final class CausalContext {
    /** No context: a blind write. */
    public static final CausalContext NONE = new CausalContext(new byte[0]);

    private final byte[] bytes;

    private CausalContext(byte[] bytes) {
        this.bytes = bytes;
    }

    /** @param bytes the encoded context (copied); empty means {@link #NONE} */
    public static CausalContext of(byte[] bytes) {
        return bytes.length == 0 ? NONE : new CausalContext(bytes.clone());
    }

    /** @return true for {@link #NONE} */
    public boolean isEmpty() {
        return bytes.length == 0;
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
