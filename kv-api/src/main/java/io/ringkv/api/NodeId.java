package io.ringkv.api;


/**
 * A node's stable identity in the cluster: 1 to 64 characters of letters, digits, '.', '_' or '-'.
 * The identity survives restarts; addresses may change.
 *
 * @param value the identifier
 */
public record NodeId(String value) implements Comparable<NodeId> {
    /** Longest identifier accepted. */
    public static final int MAX_LENGTH = 64;

    /**
     * @throws KvException with {@link ErrorCode#INVALID_ARGUMENT} when the identifier is malformed
     */
    public NodeId {
        if (!isValid(value)) {
            throw new KvException(ErrorCode.INVALID_ARGUMENT,
                "node id must be 1 to " + MAX_LENGTH + " characters of [A-Za-z0-9._-], was " + quote(value));
        }
    }

    /** @return true when {@code value} is 1 to {@link #MAX_LENGTH} characters of [A-Za-z0-9._-] */
    public static boolean isValid(String value) {
        // by hand rather than with a regular expression: ids are checked for every version a replica decodes
        if (value == null || value.isEmpty() || value.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean allowed = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                || c == '.' || c == '_' || c == '-';
            if (!allowed) {
                return false;
            }
        }
        return true;
    }

    /** Shorthand for {@code new NodeId(value)}. */
    public static NodeId of(String value) {
        return new NodeId(value);
    }

    /**
     * A 64-bit FNV-1a hash of the id's UTF-8 bytes: stable across processes and versions, so nodes can name one
     * another in eight bytes on the wire (the transport's envelope, gossip digests). Ids are ASCII by construction.
     *
     * @return the fingerprint
     */
    public long fingerprint() {
        long hash = 0xcbf29ce484222325L;
        for (int i = 0; i < value.length(); i++) {
            hash ^= value.charAt(i) & 0xFF;
            hash *= 0x100000001b3L;
        }
        return hash;
    }

    @Override
    public int compareTo(NodeId other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }

    static String quote(String text) {
        return text == null ? "null" : "'" + text + "'";
    }
}
