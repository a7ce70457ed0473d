package io.ringkv.gossip;

/**
 * A few bytes standing for what a node knows about one endpoint: the fingerprint of its id
 * ({@link io.ringkv.api.NodeId#fingerprint()}), its generation and highest version. Gossip rounds exchange digests
 * first, so a stable cluster sends digests and heartbeat numbers, not every node's full state.
 *
 * @param fingerprint the endpoint's id fingerprint
 * @param generation its generation as known here ({@link Long#MIN_VALUE}: nothing known)
 * @param version its highest version as known here
 */
public record Digest(long fingerprint, long generation, long version) {
    /** Bytes a digest takes on the wire. */
    public static final int WIRE_BYTES = 3 * Long.BYTES;

    /** @return a digest asking for everything about the endpoint */
    public static Digest nothingKnown(long fingerprint) {
        return new Digest(fingerprint, Long.MIN_VALUE, Long.MIN_VALUE);
    }

    /** @return the digest of {@code state} */
    public static Digest of(EndpointState state) {
        return new Digest(state.fingerprint(), state.generation(), state.version());
    }
}
