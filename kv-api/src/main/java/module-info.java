/**
 * ringkv's shared vocabulary: keys and values with enforced limits, node identity, consistency settings
 * (N, R, W) and typed errors. Every other ringkv module reads this one; it depends on nothing of ours.
 */
module io.ringkv.api {
    exports io.ringkv.api;
}
