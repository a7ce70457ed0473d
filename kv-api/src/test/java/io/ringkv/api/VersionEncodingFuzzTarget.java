package io.ringkv.api;

/**
 * Fuzz target (Jazzer, {@code benchmarks/scripts/fuzz.sh}): a causal context is client input and a version is peer
 * input; any bytes must decode or fail with {@code INVALID_ARGUMENT}, and what decodes must encode back to bytes
 * that decode to the same value.
 */
public final class VersionEncodingFuzzTarget {
    private VersionEncodingFuzzTarget() {
    }

    public static void fuzzerTestOneInput(byte[] data) {
        try {
            CausalContext context = CausalContext.fromBytes(data);
            if (!CausalContext.fromBytes(context.toBytes()).equals(context)) {
                throw new IllegalStateException("a context does not survive its encoding");
            }
        } catch (KvException e) {
            requireInvalidArgument(e);
        }
        try {
            Version version = VersionEncoding.decodeVersion(data);
            if (!VersionEncoding.decodeVersion(VersionEncoding.encodeVersion(version)).equals(version)) {
                throw new IllegalStateException("a version does not survive its encoding");
            }
        } catch (KvException e) {
            requireInvalidArgument(e);
        }
    }

    private static void requireInvalidArgument(KvException e) {
        if (e.code() != ErrorCode.INVALID_ARGUMENT) {
            throw new IllegalStateException("refused with " + e.code() + ", not INVALID_ARGUMENT", e);
        }
    }
}
