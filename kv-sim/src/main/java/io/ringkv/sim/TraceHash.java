package io.ringkv.sim;

/**
 * A running 64-bit hash of a simulation's history: every delivered message and every fired timer, with its
 * virtual time. Two runs with the same seed must end on the same hash.
 */
final class TraceHash {
    private long hash = 0x9E3779B97F4A7C15L;

    void add(long value) {
        hash = mix(hash ^ value) + 0x9E3779B97F4A7C15L;
    }

    void add(byte[] bytes) {
        long h = bytes.length;
        for (byte b : bytes) {
            h = h * 31 + b;
        }
        add(h);
    }

    long value() {
        return hash;
    }

    /** The finaliser of SplitMix64: every input bit affects every output bit. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
