/**
 * ringkv's shared vocabulary: keys and values with enforced limits, node identity, consistency settings
 * (N, R, W), typed errors, and the runtime seams protocol code is written against: {@link io.ringkv.api.Transport},
 * {@link io.ringkv.api.Clock} and {@link io.ringkv.api.Timers}, bundled with seeded randomness in
 * {@link io.ringkv.api.NodeContext}. Every other ringkv module reads this one; it depends on nothing of ours.
 */
module io.ringkv.api {
    requires transitive org.agrona;

    exports io.ringkv.api;
}
